// A DNS server for tests, in the test's own io_context: one UDP socket and one
// TCP listener on the same port of 127.0.0.1 (c-ares asks again over TCP on the
// server's port when an answer comes truncated), answering each question from a
// table the test fills. It records every question it gets, with its transport,
// so a test can check what the resolver asked and how often.
#pragma once

#include <array>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ip/udp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <cctype>
#include <cstdint>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "mxscan/scanner/dns/dns_message.hpp"

namespace mxscan::test {

class ScriptedDns {
 public:
  struct Record {
    std::string owner;
    dns::RrType type = dns::RrType::a;
    // MX exchange or CNAME target (a name, "" = root), an IPv4 address, or TXT text
    // (sent as character-strings of at most 255 bytes).
    std::string data;
    std::uint16_t preference = 0;  // MX
  };
  struct Reply {
    std::uint8_t rcode = 0;  // 0 NOERROR, 2 SERVFAIL, 3 NXDOMAIN, 5 REFUSED
    std::vector<Record> answers;
    bool silent = false;        // never answered: the resolver times out
    bool truncate_udp = false;  // over UDP: TC set and no records; over TCP: the reply
    bool malformed = false;     // claims one more answer record than it holds
  };
  struct Question {
    std::string transport;  // "udp" or "tcp"
    std::string qname;      // lower case, no trailing dot
    dns::RrType type;
  };

  explicit ScriptedDns(boost::asio::io_context& io) : udp_(io), tcp_(io) {
    namespace ip = boost::asio::ip;
    // The TCP port must be the UDP one: a few tries in case another process holds it.
    for (int attempt = 0; attempt < 20; ++attempt) {
      udp_ = ip::udp::socket(io, ip::udp::endpoint(ip::make_address("127.0.0.1"), 0));
      boost::system::error_code ec;
      tcp_ = ip::tcp::acceptor(io);
      tcp_.open(ip::tcp::v4(), ec);
      if (!ec) tcp_.bind({ip::make_address("127.0.0.1"), port()}, ec);
      if (!ec) tcp_.listen(16, ec);
      if (!ec) break;
      tcp_.close(ec);
    }
    if (!tcp_.is_open()) throw std::runtime_error("ScriptedDns: no port free for UDP and TCP");
    boost::asio::co_spawn(io, serve_udp(this), boost::asio::detached);
    boost::asio::co_spawn(io, accept_tcp(this), boost::asio::detached);
  }
  ~ScriptedDns() { close(); }
  ScriptedDns(const ScriptedDns&) = delete;
  ScriptedDns& operator=(const ScriptedDns&) = delete;

  // The reply to (qname, type); questions not in the table are REFUSED.
  void on(const std::string& qname, dns::RrType type, Reply reply) {
    table_[{qname, type}] = std::move(reply);
  }
  std::uint16_t port() const { return udp_.local_endpoint().port(); }
  std::string address() const { return "127.0.0.1:" + std::to_string(port()); }
  const std::vector<Question>& asked() const { return asked_; }
  std::size_t times_asked(const std::string& qname, const std::string& transport) const {
    std::size_t n = 0;
    for (const auto& q : asked_) n += q.qname == qname && q.transport == transport;
    return n;
  }
  // Stops serving: sockets closed, the coroutines end on their next turn.
  void close() {
    boost::system::error_code ignored;
    udp_.close(ignored);
    tcp_.close(ignored);
  }

 private:
  using Bytes = std::vector<std::uint8_t>;
  static constexpr auto kTuple = boost::asio::as_tuple(boost::asio::use_awaitable);

  static void put16(Bytes& b, unsigned v) {
    b.push_back(static_cast<std::uint8_t>(v >> 8));
    b.push_back(static_cast<std::uint8_t>(v & 0xff));
  }
  static void put_name(Bytes& b, const std::string& name) {
    std::size_t start = 0;
    while (start < name.size()) {
      std::size_t dot = name.find('.', start);
      if (dot == std::string::npos) dot = name.size();
      b.push_back(static_cast<std::uint8_t>(dot - start));
      b.insert(b.end(), name.begin() + static_cast<std::ptrdiff_t>(start),
               name.begin() + static_cast<std::ptrdiff_t>(dot));
      start = dot + 1;
    }
    b.push_back(0);
  }

  // The reply to one query, or nothing (silence, or a query it cannot read).
  std::optional<Bytes> answer(const std::uint8_t* q, std::size_t n, const std::string& transport) {
    if (n < 12) return std::nullopt;
    std::size_t at = 12;
    std::string qname;
    while (at < n && q[at] != 0) {
      const std::size_t len = q[at++];
      if (at + len > n) return std::nullopt;
      if (!qname.empty()) qname += '.';
      for (std::size_t i = 0; i < len; ++i)
        qname += static_cast<char>(std::tolower(static_cast<unsigned char>(q[at + i])));
      at += len;
    }
    if (at + 5 > n) return std::nullopt;
    const auto type = static_cast<dns::RrType>((q[at + 1] << 8) | q[at + 2]);
    const std::size_t question_end = at + 5;
    asked_.push_back({transport, qname, type});

    Reply refused;
    refused.rcode = 5;
    const auto found = table_.find({qname, type});
    const Reply& r = found != table_.end() ? found->second : refused;
    if (r.silent) return std::nullopt;
    const bool truncated = r.truncate_udp && transport == "udp";
    const std::size_t records = truncated ? 0 : r.answers.size();

    Bytes b(q, q + 2);  // ID
    b.push_back(
        static_cast<std::uint8_t>(0x80 | (truncated ? 0x02 : 0) | (q[2] & 0x01)));  // QR, TC, RD
    b.push_back(static_cast<std::uint8_t>(0x80 | r.rcode));                         // RA, rcode
    put16(b, 1);
    put16(b, static_cast<unsigned>(records + (r.malformed ? 1 : 0)));
    put16(b, 0);
    put16(b, 0);
    b.insert(b.end(), q + 12, q + question_end);
    for (std::size_t i = 0; i < records; ++i) {
      const Record& rec = r.answers[i];
      put_name(b, rec.owner);
      put16(b, static_cast<unsigned>(rec.type));
      put16(b, dns::kClassIn);
      put16(b, 0);
      put16(b, 300);  // TTL
      Bytes data;
      if (rec.type == dns::RrType::a) {
        const auto v4 = boost::asio::ip::make_address_v4(rec.data).to_bytes();
        data.assign(v4.begin(), v4.end());
      } else if (rec.type == dns::RrType::txt) {
        for (std::size_t from = 0; from == 0 || from < rec.data.size(); from += 255) {
          const std::string chunk = rec.data.substr(from, 255);
          data.push_back(static_cast<std::uint8_t>(chunk.size()));
          data.insert(data.end(), chunk.begin(), chunk.end());
        }
      } else {
        if (rec.type == dns::RrType::mx) put16(data, rec.preference);
        put_name(data, rec.data);
      }
      put16(b, static_cast<unsigned>(data.size()));
      b.insert(b.end(), data.begin(), data.end());
    }
    return b;
  }

  static boost::asio::awaitable<void> serve_udp(ScriptedDns* self) {
    std::array<std::uint8_t, 4096> buffer{};
    for (;;) {
      boost::asio::ip::udp::endpoint from;
      auto [ec, n] =
          co_await self->udp_.async_receive_from(boost::asio::buffer(buffer), from, kTuple);
      if (ec == boost::asio::error::operation_aborted || !self->udp_.is_open()) co_return;
      if (ec) continue;
      const auto reply = self->answer(buffer.data(), n, "udp");
      if (reply) co_await self->udp_.async_send_to(boost::asio::buffer(*reply), from, kTuple);
    }
  }

  static boost::asio::awaitable<void> serve_tcp(ScriptedDns* self, boost::asio::ip::tcp::socket s) {
    for (;;) {
      std::array<std::uint8_t, 2> length{};
      auto [ec, n] = co_await boost::asio::async_read(s, boost::asio::buffer(length), kTuple);
      if (ec) co_return;
      Bytes query(static_cast<std::size_t>((length[0] << 8) | length[1]));
      auto [ec2, m] = co_await boost::asio::async_read(s, boost::asio::buffer(query), kTuple);
      if (ec2) co_return;
      auto reply = self->answer(query.data(), query.size(), "tcp");
      if (!reply) continue;
      Bytes framed;
      put16(framed, static_cast<unsigned>(reply->size()));
      framed.insert(framed.end(), reply->begin(), reply->end());
      auto [ec3, k] = co_await boost::asio::async_write(s, boost::asio::buffer(framed), kTuple);
      if (ec3) co_return;
    }
  }

  static boost::asio::awaitable<void> accept_tcp(ScriptedDns* self) {
    for (;;) {
      auto [ec, s] = co_await self->tcp_.async_accept(kTuple);
      if (ec == boost::asio::error::operation_aborted || !self->tcp_.is_open()) co_return;
      if (ec) continue;
      boost::asio::co_spawn(self->tcp_.get_executor(), serve_tcp(self, std::move(s)),
                            boost::asio::detached);
    }
  }

  boost::asio::ip::udp::socket udp_;
  boost::asio::ip::tcp::acceptor tcp_;
  std::map<std::pair<std::string, dns::RrType>, Reply> table_;
  std::vector<Question> asked_;
};

}  // namespace mxscan::test
