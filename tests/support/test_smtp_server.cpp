#include "test_smtp_server.hpp"

#include <openssl/ssl.h>

#include <array>
#include <boost/asio.hpp>
#include <boost/asio/ssl.hpp>
#include <chrono>
#include <mutex>
#include <span>
#include <stdexcept>
#include <string_view>
#include <thread>

#include "mxscan/scanner/tls/tls_drive.hpp"
#include "mxscan/scanner/tls/tls_link.hpp"

namespace mxscan::test {
namespace {

namespace asio = boost::asio;
using asio::awaitable;
using asio::ip::tcp;
using boost::system::error_code;
constexpr auto kTuple = asio::as_tuple(asio::use_awaitable);

std::string upper(std::string s) {
  for (auto& c : s)
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
  return s;
}

bool is_loopback(const asio::ip::address& a) {
  if (a.is_v4()) return (a.to_v4().to_uint() >> 24) == 127;
  return a.is_loopback();
}

std::string slash24(const std::string& address) { return address.substr(0, address.rfind('.')); }

}  // namespace

void configure_tls_server(ssl_ctx_st* ctx) {
  SSL_CTX_set_security_level(ctx, 0);
  SSL_CTX_set_num_tickets(ctx, 1);
  SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_OFF);
  SSL_CTX_set_mode(ctx, SSL_MODE_RELEASE_BUFFERS);
}

struct TestSmtpServer::Impl {
  Impl(unsigned n, bool logs) : threads_wanted(n), keep_logs(logs) {}
  asio::io_context io;
  unsigned threads_wanted;
  bool keep_logs;
  std::vector<std::thread> threads;
  std::vector<std::unique_ptr<tcp::acceptor>> acceptors;
  std::vector<std::unique_ptr<TestPersona>> personas;
  std::map<std::string, std::unique_ptr<asio::ssl::context>> tls;  // per chain file
  mutable std::mutex mu;
  ServerStats stats;
  std::map<std::string, std::size_t> current_per_24;
  bool started = false;

  asio::ssl::context* tls_for(const std::string& chain) {
    if (chain.empty()) return nullptr;
    auto& ctx = tls[chain];
    if (!ctx) {
      ctx = std::make_unique<asio::ssl::context>(asio::ssl::context::tls_server);
      configure_tls_server(ctx->native_handle());
      ctx->use_private_key_file(chain, asio::ssl::context::pem);
      ctx->use_certificate_chain_file(chain);
    }
    return ctx.get();
  }

  void opened(const std::string& local) {
    std::lock_guard lock(mu);
    ++stats.accepted[local];
    ++stats.current;
    stats.max_concurrent = std::max(stats.max_concurrent, stats.current);
    auto& cur = ++current_per_24[slash24(local)];
    auto& mx = stats.max_per_24[slash24(local)];
    mx = std::max(mx, cur);
  }
  void closed(ConnectionLog log, std::size_t forbidden, bool tls_done) {
    std::lock_guard lock(mu);
    --stats.current;
    --current_per_24[slash24(log.local)];
    stats.forbidden += forbidden;
    stats.tls_handshakes += tls_done ? 1 : 0;
    if (keep_logs) stats.connections.push_back(std::move(log));
  }
};

namespace {

using Impl = TestSmtpServer::Impl;

// TLS for one connection through the scanner's TlsLink (memory BIOs, the
// connection's socket carrying the bytes). The server shares the benchmark's two
// cores with the scanner under test; asio::ssl::stream would cost it a BIO pair and
// two 17 KiB buffers per connection, and a composed operation per read and write.
class ServerTls {
 public:
  ServerTls(tcp::socket& sock, ssl_ctx_st* ctx) : sock_(sock), link_(ctx, TlsLink::Role::server) {}
  SSL* native_handle() const { return link_.ssl(); }
  tcp::socket& lowest_layer() { return sock_; }

  awaitable<error_code> handshake() {
    co_return (co_await run([](SSL* s) { return SSL_do_handshake(s); })).error;
  }
  awaitable<std::pair<error_code, std::size_t>> read_some(asio::mutable_buffer b) {
    const TlsDriveResult r =
        co_await run([b](SSL* s) { return SSL_read(s, b.data(), static_cast<int>(b.size())); });
    co_return std::pair{r.error, r.error ? std::size_t{0} : static_cast<std::size_t>(r.result)};
  }
  awaitable<error_code> write_all(asio::const_buffer b) {
    co_return (co_await run([b](SSL* s) {
      return SSL_write(s, b.data(), static_cast<int>(b.size()));
    })).error;
  }

 private:
  // The plain socket as drive_tls's transport: the server only needs to know
  // that a connection is over, not why, so it waits without deadlines.
  struct SocketTransport {
    tcp::socket& sock;
    awaitable<error_code> send(std::string_view out) {
      auto [ec, n] = co_await asio::async_write(sock, asio::buffer(out), kTuple);
      co_return ec;
    }
    awaitable<error_code> receive(std::span<char> space, std::size_t& n) {
      auto [ec, got] =
          co_await sock.async_read_some(asio::buffer(space.data(), space.size()), kTuple);
      n = got;
      co_return ec;
    }
  };

  template <typename Call>
  awaitable<TlsDriveResult> run(Call call) {
    SocketTransport transport{sock_};
    co_return co_await drive_tls(link_, call, transport);
  }

  tcp::socket& sock_;
  TlsLink link_;
};

// Reads and writes, over the plain socket or TLS.
awaitable<std::pair<error_code, std::size_t>> read_some(tcp::socket& s, asio::mutable_buffer b) {
  auto [ec, n] = co_await s.async_read_some(b, kTuple);
  co_return std::pair{ec, n};
}
awaitable<std::pair<error_code, std::size_t>> read_some(ServerTls& s, asio::mutable_buffer b) {
  co_return co_await s.read_some(b);
}
awaitable<error_code> write_all(tcp::socket& s, asio::const_buffer b) {
  auto [ec, n] = co_await asio::async_write(s, b, kTuple);
  co_return ec;
}
awaitable<error_code> write_all(ServerTls& s, asio::const_buffer b) {
  co_return co_await s.write_all(b);
}

template <typename Stream>
awaitable<bool> send(Stream& s, const std::string& text) {
  const error_code ec = co_await write_all(s, asio::buffer(text));
  co_return !ec;
}

// Writes text as the persona does: at once, or (drip) one byte per TCP segment.
template <typename Stream>
awaitable<bool> say(Stream& s, const TestPersona& p, const std::string& text) {
  if (p.fault != Fault::drip) co_return co_await send(s, text);
  error_code ec;
  s.lowest_layer().set_option(tcp::no_delay(true), ec);
  asio::steady_timer pause(s.lowest_layer().get_executor());
  for (const char c : text) {
    if (co_await write_all(s, asio::buffer(&c, 1))) co_return false;
    pause.expires_after(std::chrono::milliseconds(1));
    co_await pause.async_wait(kTuple);
  }
  co_return true;
}

std::string reply(const TestPersona& p, int code, const std::vector<std::string>& lines);

// Single-line replies (g++ 12 cannot take braced lists inside co_await expressions).
std::string reply1(const TestPersona& p, int code, const std::string& text) {
  const std::vector<std::string> lines(1, text);
  return reply(p, code, lines);
}

std::string reply(const TestPersona& p, int code, const std::vector<std::string>& lines) {
  std::string out;
  const char* eol = p.lf_only ? "\n" : "\r\n";
  for (std::size_t i = 0; i < lines.size(); ++i)
    out += std::to_string(code) + (i + 1 == lines.size() ? " " : "-") + lines[i] + eol;
  return out;
}

// Reads one command line (LF-terminated), at most 4 KiB.
template <typename Stream>
awaitable<bool> read_line(Stream& s, std::string& buf, std::string& line) {
  for (;;) {
    const auto nl = buf.find('\n');
    if (nl != std::string::npos) {
      line = buf.substr(0, nl);
      if (!line.empty() && line.back() == '\r') line.pop_back();
      buf.erase(0, nl + 1);
      co_return true;
    }
    if (buf.size() > 4096) co_return false;
    std::array<char, 1024> tmp;
    auto [ec, n] = co_await read_some(s, asio::buffer(tmp));
    if (ec) co_return false;
    buf.append(tmp.data(), n);
  }
}

struct Dialogue {
  ConnectionLog log;
  std::size_t forbidden = 0;
  bool tls_done = false;
};

// The command loop, over the plain socket or the TLS stream. Returns true when
// STARTTLS was accepted and the caller must switch to TLS.
template <typename Stream>
awaitable<bool> commands(Stream& s, const TestPersona& p, Dialogue& d, bool secure,
                         std::string& buf) {
  std::string line;
  while (co_await read_line(s, buf, line)) {
    d.log.commands.push_back(line);
    const std::string verb = upper(line.substr(0, line.find(' ')));
    if (verb == "MAIL" || verb == "RCPT" || verb == "DATA" || verb == "VRFY" || verb == "EXPN" ||
        verb == "AUTH")
      ++d.forbidden;
    if (verb == "EHLO") {
      if (p.fault == Fault::ehlo_silent) continue;
      if (p.fault == Fault::endless_ehlo) {
        const std::vector<std::string> more(7, "more");
        const std::string chunk = reply(p, 250, more);
        const std::string dash = std::string(chunk).replace(chunk.rfind("250 "), 4, "250-");
        for (int i = 0; i < 100000; ++i)
          if (!co_await say(s, p, dash)) co_return false;
        co_return false;
      }
      if (p.fault == Fault::ehlo_10k) {
        std::string many;
        for (int i = 0; i < 10000; ++i) many += "250-X-EXTENSION-" + std::to_string(i) + "\r\n";
        many += "250 SIZE 1000\r\n";
        co_await send(s, many);
        continue;
      }
      if (p.fault == Fault::mixed_codes) {
        co_await say(s, p, std::string("250-") + p.hostname + "\r\n251 SIZE 1000\r\n");
        continue;
      }
      if (p.ehlo_code / 100 != 2) {
        co_await say(s, p, reply1(p, p.ehlo_code, "5.5.1 EHLO not supported"));
        continue;
      }
      std::vector<std::string> lines{p.hostname, "PIPELINING", "SIZE 10240000"};
      if (p.offer_starttls && !secure) lines.push_back("STARTTLS");
      lines.push_back("8BITMIME");
      co_await say(s, p, reply(p, 250, lines));
    } else if (verb == "HELO") {
      // Named first: g++ 12 mishandles conditional temporaries inside co_await expressions.
      std::string text = "5.5.1 go away";
      if (p.helo_code / 100 == 2) text = p.hostname;
      const std::string answer = reply1(p, p.helo_code, text);
      co_await say(s, p, answer);
    } else if (verb == "STARTTLS" && !secure && p.offer_starttls) {
      if (p.refuse_starttls) {
        co_await say(s, p, reply1(p, 454, "4.7.0 TLS not available due to local problem"));
        continue;
      }
      std::string go = reply1(p, 220, "2.0.0 Ready to start TLS");
      if (p.fault == Fault::inject) go += "250-injected\r\n250 plaintext\r\n";
      co_await say(s, p, go);
      if (p.fault == Fault::tls_garbage) {
        co_await say(s, p, std::string("this is not a TLS record at all\r\n"));
        co_return false;
      }
      co_return true;
    } else if (verb == "QUIT") {
      d.log.quit = true;
      co_await say(s, p, reply1(p, 221, "2.0.0 Bye"));
      co_return false;
    } else if (verb == "NOOP" || verb == "RSET") {
      co_await say(s, p, reply1(p, 250, "2.0.0 Ok"));
    } else {
      co_await say(s, p, reply1(p, 502, "5.5.2 Error: command not recognized"));
    }
  }
  co_return false;
}

awaitable<void> hold(tcp::socket& sock) {
  // Wait for the peer to go away, saying nothing.
  std::array<char, 256> tmp;
  for (;;) {
    auto [ec, n] = co_await sock.async_read_some(asio::buffer(tmp), kTuple);
    if (ec) co_return;
  }
}

awaitable<void> serve(Impl* impl, tcp::socket sock, const TestPersona* p) {
  error_code ec;
  const auto local_ep = sock.local_endpoint(ec);
  const auto remote_ep = sock.remote_endpoint(ec);
  if (ec || !is_loopback(remote_ep.address())) co_return;  // loopback peers only
  Dialogue d;
  d.log.local = local_ep.address().to_string();
  impl->opened(d.log.local);
  std::string buf;
  switch (p->fault) {
    case Fault::tarpit:
      co_await hold(sock);
      break;
    case Fault::close:
      sock.shutdown(tcp::socket::shutdown_both, ec);
      break;
    case Fault::reset:
      sock.set_option(asio::socket_base::linger(true, 0), ec);
      sock.close(ec);
      break;
    case Fault::garbage:
      co_await send(sock, std::string("HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n"));
      break;
    case Fault::no_eol:
      co_await send(sock, std::string("220 no line end"));
      co_await hold(sock);
      break;
    case Fault::huge_line:
      co_await send(sock, "220 " + std::string(1 << 20, 'x') + "\r\n");
      break;
    default: {
      std::string banner;
      for (std::size_t pos = 0; pos <= p->banner.size();) {
        const auto nl = std::min(p->banner.find('\n', pos), p->banner.size());
        banner += p->banner.substr(pos, nl - pos) + (p->lf_only ? "\n" : "\r\n");
        pos = nl + 1;
      }
      if (p->fault == Fault::preamble) banner = "* OK IMAP4rev1 server ready\r\n" + banner;
      if (!co_await say(sock, *p, banner)) break;
      const bool starttls = co_await commands(sock, *p, d, false, buf);
      if (!starttls) break;
      if (p->fault == Fault::tls_stall) {
        co_await hold(sock);
        break;
      }
      if (p->fault == Fault::tls_midway_close) {
        std::array<char, 64> hello_start;  // part of the ClientHello, then gone
        co_await sock.async_read_some(asio::buffer(hello_start), kTuple);
        sock.shutdown(tcp::socket::shutdown_both, ec);
        sock.close(ec);
        break;
      }
      asio::ssl::context* ctx = impl->tls_for(p->chain_file);
      if (!ctx) break;
      ServerTls tls(sock, ctx->native_handle());
      if (p->fault == Fault::tls_renegotiate)
        SSL_set_max_proto_version(tls.native_handle(), TLS1_2_VERSION);
      if (co_await tls.handshake()) break;
      // The HelloRequest goes out with the next write (the EHLO reply).
      if (p->fault == Fault::tls_renegotiate) SSL_renegotiate(tls.native_handle());
      d.tls_done = true;
      if (const char* sni = SSL_get_servername(tls.native_handle(), TLSEXT_NAMETYPE_host_name))
        d.log.sni = sni;
      buf.clear();
      co_await commands(tls, *p, d, true, buf);
    }
  }
  impl->closed(std::move(d.log), d.forbidden, d.tls_done);
}

awaitable<void> accept_loop(Impl* impl, tcp::acceptor* acceptor, const TestPersona* p) {
  for (;;) {
    auto [ec, sock] = co_await acceptor->async_accept(kTuple);
    if (ec == asio::error::operation_aborted || !acceptor->is_open()) co_return;
    if (ec) continue;  // e.g. EMFILE: keep serving
    asio::co_spawn(acceptor->get_executor(), serve(impl, std::move(sock), p), asio::detached);
  }
}

// Binds a listener at `ep`, serves `persona` on it, and returns the bound port.
std::uint16_t open_listener(Impl* impl, const tcp::endpoint& ep, TestPersona persona) {
  auto acceptor = std::make_unique<tcp::acceptor>(impl->io);
  acceptor->open(ep.protocol());
  acceptor->set_option(tcp::acceptor::reuse_address(true));
  acceptor->bind(ep);
  acceptor->listen(asio::socket_base::max_listen_connections);
  const auto bound = acceptor->local_endpoint().port();
  impl->personas.push_back(std::make_unique<TestPersona>(std::move(persona)));
  if (impl->personas.back()->offer_starttls) impl->tls_for(impl->personas.back()->chain_file);
  asio::co_spawn(impl->io, accept_loop(impl, acceptor.get(), impl->personas.back().get()),
                 asio::detached);
  impl->acceptors.push_back(std::move(acceptor));
  return bound;
}

}  // namespace

TestSmtpServer::TestSmtpServer(unsigned threads, bool keep_logs)
    : impl_(std::make_unique<Impl>(threads, keep_logs)) {}

TestSmtpServer::~TestSmtpServer() { stop(); }

std::uint16_t TestSmtpServer::listen(const std::string& address, std::uint16_t port,
                                     TestPersona persona) {
  const auto addr = asio::ip::make_address(address);
  if (!is_loopback(addr))
    throw std::runtime_error("test server: loopback addresses only: " + address);
  return open_listener(impl_.get(), tcp::endpoint(addr, port), std::move(persona));
}

std::uint16_t TestSmtpServer::listen_any(std::uint16_t port, TestPersona persona) {
  return open_listener(impl_.get(), tcp::endpoint(asio::ip::address_v4::any(), port),
                       std::move(persona));
}

void TestSmtpServer::start() {
  if (impl_->started) return;
  impl_->started = true;
  for (unsigned i = 0; i < impl_->threads_wanted; ++i)
    impl_->threads.emplace_back([this] { impl_->io.run(); });
}

void TestSmtpServer::stop() {
  if (!impl_ || !impl_->started) return;
  impl_->io.stop();
  for (auto& t : impl_->threads) t.join();
  impl_->threads.clear();
  impl_->started = false;
}

ServerStats TestSmtpServer::stats() const {
  std::lock_guard lock(impl_->mu);
  return impl_->stats;
}

}  // namespace mxscan::test
