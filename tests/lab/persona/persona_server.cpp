// mxscan-persona: the lab's SMTP server that stands for every mail server address of a
// scenario. One listening socket; each accepted connection takes the persona of the
// local address the client dialed (127.0.0.0/8 only), then either plays that persona's
// SMTP dialogue (banner, EHLO, STARTTLS with the persona's certificate chain, faults) or
// relays the bytes to a real MTA (the lab's Postfix listeners).
//
// Design note. Single-threaded on purpose: counters need no locks and the scanner under
// test keeps the other core. Per connection there is one small state object, the session
// coroutine and a watchdog coroutine enforcing the idle deadline; TLS objects (the costly
// part, ~80 kB) exist only after STARTTLS was accepted, and one SSL_CTX serves every
// persona sharing a chain file.
#include "conduct_record.hpp"
#include "persona_config.hpp"

#include <openssl/ssl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <CLI/CLI.hpp>
#include <boost/asio.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/ssl.hpp>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

namespace asio = boost::asio;
using asio::awaitable;
using asio::use_awaitable;
using tcp = asio::ip::tcp;
using namespace asio::experimental::awaitable_operators;

namespace mxscan::lab {
namespace {

constexpr std::size_t kMaxCommandLine = 4096;
constexpr std::size_t kEndlessLimit = std::size_t{256} << 20;  // bytes an endless reply may reach

struct Settings {
  std::chrono::seconds idle{30};
  std::chrono::seconds tarpit{300};
};

struct Server {
  const PersonaMap& personas;
  std::uint64_t sessions = 0;                       // numbers sessions in the command log
  std::vector<asio::ssl::context*> tls_by_persona;  // aligned with personas(); null: none
  ConductRecord& record;
  Settings settings;
};

struct Conn {
  Conn(tcp::socket s, Server& srv_, std::uint32_t local_, const Persona* p)
      : sock(std::move(s)),
        deadline(sock.get_executor()),
        srv(srv_),
        local(local_),
        persona(p),
        id(++srv_.sessions) {
    touch(srv.settings.idle);  // a default timer has already expired: the watchdog would close
  }
  ~Conn() { finish(); }
  Conn(const Conn&) = delete;
  Conn& operator=(const Conn&) = delete;

  // Ends the session in the conduct record, once: at QUIT, or when the connection goes.
  void finish() {
    if (finished) return;
    finished = true;
    srv.record.closed(local);
  }
  void touch(std::chrono::seconds d) { deadline.expires_after(d); }
  void shut() {
    boost::system::error_code ignored;
    sock.close(ignored);
    if (upstream) upstream->close(ignored);
  }

  tcp::socket sock;
  asio::steady_timer deadline;
  Server& srv;
  std::uint32_t local;
  const Persona* persona;
  std::uint64_t id;
  std::unique_ptr<tcp::socket> upstream;  // forward personas only
  bool done = false;
  bool finished = false;  // counted closed in the conduct record
};
using ConnPtr = std::shared_ptr<Conn>;

awaitable<void> watchdog(ConnPtr c) {
  while (!c->done) {
    co_await c->deadline.async_wait(asio::as_tuple(use_awaitable));
    if (c->done) break;
    if (c->deadline.expiry() <= std::chrono::steady_clock::now()) {
      c->shut();
      break;
    }
  }
}

awaitable<void> sleep_ms(std::uint32_t ms) {
  if (ms == 0) co_return;
  asio::steady_timer t(co_await asio::this_coro::executor);
  t.expires_after(std::chrono::milliseconds(ms));
  co_await t.async_wait(asio::as_tuple(use_awaitable));
}

// %ip% and %ipdash% let one persona stand for a whole range of distinct hosts.
std::string expand(std::string text, std::uint32_t local) {
  const std::string ip = format_ipv4(local);
  std::string dash = ip;
  std::replace(dash.begin(), dash.end(), '.', '-');
  for (auto [key, value] : {std::pair<std::string_view, const std::string*>{"%ipdash%", &dash},
                            std::pair<std::string_view, const std::string*>{"%ip%", &ip}}) {
    for (auto pos = text.find(key); pos != std::string::npos; pos = text.find(key, pos)) {
      text.replace(pos, key.size(), *value);
      pos += value->size();
    }
  }
  return text;
}

std::string_view eol(const Conn& c) { return c.persona->fault == Fault::lf_only ? "\n" : "\r\n"; }

std::string banner_text(const Conn& c) {
  std::string out;
  std::string_view b = c.persona->banner;
  while (!b.empty()) {
    auto nl = b.find('\n');
    out += expand(std::string(b.substr(0, nl)), c.local);
    out += eol(c);
    if (nl == std::string_view::npos) break;
    b.remove_prefix(nl + 1);
  }
  return out;
}

std::string ehlo_text(const Conn& c, bool in_tls) {
  std::vector<std::string> lines;
  for (const auto& l : c.persona->ehlo) lines.push_back(expand(l, c.local));
  if (lines.empty()) lines.push_back("lab.example");
  const bool advertise = !in_tls && c.persona->starttls != StartTls::none;
  if (advertise) lines.push_back("STARTTLS");
  std::string out;
  for (std::size_t i = 0; i < lines.size(); ++i) {
    out += i + 1 < lines.size() ? "250-" : "250 ";
    out += lines[i];
    out += eol(c);
  }
  return out;
}

std::string pseudo_random_bytes(std::size_t n, std::uint32_t seed) {
  std::string out(n, '\0');
  std::uint32_t x = seed | 1u;
  for (auto& ch : out) {
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    ch = static_cast<char>(x & 0xff);
  }
  return out;
}

template <class Stream>
awaitable<bool> send(Stream& s, Conn& c, std::string text) {
  co_await sleep_ms(c.persona->reply_delay_ms);
  c.touch(c.srv.settings.idle);
  if (c.persona->drip_ms > 0) {
    for (char ch : text) {
      auto [ec, n] =
          co_await asio::async_write(s, asio::buffer(&ch, 1), asio::as_tuple(use_awaitable));
      if (ec) co_return false;
      c.touch(c.srv.settings.idle);
      co_await sleep_ms(c.persona->drip_ms);
    }
    co_return true;
  }
  auto [ec, n] = co_await asio::async_write(s, asio::buffer(text), asio::as_tuple(use_awaitable));
  co_return !ec;
}

// Reads and discards until the peer closes or the deadline passes.
template <class Stream>
awaitable<void> drain(Stream& s, Conn& c, std::chrono::seconds limit) {
  c.touch(limit);
  std::array<char, 512> junk{};
  for (;;) {
    auto [ec, n] = co_await s.async_read_some(asio::buffer(junk), asio::as_tuple(use_awaitable));
    if (ec) co_return;
  }
}

template <class Stream>
awaitable<void> endless(Stream& s, Conn& c, std::string prefix) {
  std::string chunk;
  for (int i = 0; i < 128; ++i)
    chunk += prefix + "endless.lab.example keeps talking" + std::string(eol(c));
  for (std::size_t total = 0; total < kEndlessLimit; total += chunk.size()) {
    c.touch(c.srv.settings.idle);
    auto [ec, n] =
        co_await asio::async_write(s, asio::buffer(chunk), asio::as_tuple(use_awaitable));
    if (ec) co_return;
  }
}

enum class LoopEnd { quit, closed, upgrade };

template <class Stream>
awaitable<LoopEnd> command_loop(Stream& s, Conn& c, bool in_tls, bool rejecting) {
  const std::string_view channel = in_tls ? "tls" : "plain";
  const auto nl = std::string(eol(c));
  std::string buf;
  for (;;) {
    c.touch(c.srv.settings.idle);
    auto [ec, n] = co_await asio::async_read_until(s, asio::dynamic_buffer(buf, kMaxCommandLine),
                                                   '\n', asio::as_tuple(use_awaitable));
    if (ec == asio::error::not_found) {
      c.srv.record.command(c.local, c.id, channel, "<line longer than 4096 bytes>");
      co_await send(s, c, "500 5.5.2 Error: line too long" + nl);
      co_return LoopEnd::closed;
    }
    if (ec) co_return LoopEnd::closed;
    std::string line = buf.substr(0, n);
    buf.erase(0, n);
    while (!line.empty() && (line.back() == '\n' || line.back() == '\r')) line.pop_back();
    c.srv.record.command(c.local, c.id, channel, line);
    std::string verb = line.substr(0, line.find(' '));
    for (auto& ch : verb) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));

    if (verb == "QUIT") {
      // Over for the conduct record before the 221 leaves: a scanner that has read it
      // may close and dial the same /24 again before this connection's last handlers
      // (the write's completion, the watchdog) have run here.
      c.finish();
      co_await send(s, c, "221 2.0.0 Bye" + nl);
      co_return LoopEnd::quit;
    }
    if (rejecting) {
      if (!co_await send(s, c, "554 5.3.2 Service unavailable" + nl)) co_return LoopEnd::closed;
      continue;
    }
    std::string reply;
    if (verb == "EHLO") {
      if (c.persona->fault == Fault::endless_ehlo) {
        co_await endless(s, c, "250-");
        co_return LoopEnd::closed;
      }
      reply = ehlo_text(c, in_tls);
    } else if (verb == "HELO") {
      const std::string host = c.persona->ehlo.empty() ? "lab.example" : c.persona->ehlo.front();
      reply = "250 " + expand(host.substr(0, host.find(' ')), c.local) + nl;
    } else if (verb == "STARTTLS") {
      if (in_tls || c.persona->starttls == StartTls::none) {
        reply = "502 5.5.1 Error: command not implemented" + nl;
      } else if (c.persona->starttls == StartTls::refuse) {
        reply = "454 4.7.0 TLS not available due to local problem" + nl;
      } else {
        if (!co_await send(s, c, "220 2.0.0 Ready to start TLS" + nl)) co_return LoopEnd::closed;
        co_return LoopEnd::upgrade;  // bytes pipelined after STARTTLS are dropped with buf
      }
    } else if (verb == "NOOP" || verb == "RSET") {
      reply = "250 2.0.0 Ok" + nl;
    } else if (verb == "MAIL") {
      reply = "250 2.1.0 Ok" + nl;
    } else if (verb == "RCPT") {
      reply = "554 5.7.1 Relay access denied" + nl;
    } else if (verb == "DATA") {
      reply = "554 5.5.1 Error: no valid recipients" + nl;
    } else if (verb == "VRFY") {
      reply = "252 2.0.0 Cannot VRFY user" + nl;
    } else {
      reply = "502 5.5.2 Error: command not recognized" + nl;
    }
    if (!co_await send(s, c, std::move(reply))) co_return LoopEnd::closed;
  }
}

awaitable<void> tls_phase(ConnPtr c) {
  const Persona& p = *c->persona;
  if (p.fault == Fault::tls_alert || p.fault == Fault::tls_garbage) {
    std::array<char, 2048> hello{};
    c->touch(c->srv.settings.idle);
    auto [ec, n] =
        co_await c->sock.async_read_some(asio::buffer(hello), asio::as_tuple(use_awaitable));
    if (ec) co_return;
    // A fatal handshake_failure alert record, or bytes that are no TLS record at all.
    static constexpr std::array<unsigned char, 7> alert{0x15, 0x03, 0x01, 0x00, 0x02, 0x02, 0x28};
    std::string reply = p.fault == Fault::tls_alert
                            ? std::string(reinterpret_cast<const char*>(alert.data()), alert.size())
                            : std::string("this is not TLS, just plain text garbage\r\n");
    co_await asio::async_write(c->sock, asio::buffer(reply), asio::as_tuple(use_awaitable));
    co_return;
  }
  const auto index = static_cast<std::size_t>(&p - c->srv.personas.personas().data());
  asio::ssl::context* ctx = c->srv.tls_by_persona[index];
  if (ctx == nullptr) co_return;
  asio::ssl::stream<tcp::socket&> tls(c->sock, *ctx);
  c->touch(c->srv.settings.idle);
  auto [ec] =
      co_await tls.async_handshake(asio::ssl::stream_base::server, asio::as_tuple(use_awaitable));
  if (ec) co_return;
  co_await command_loop(tls, *c, true, false);
}

awaitable<void> smtp(ConnPtr c) {
  const Persona& p = *c->persona;
  auto& s = c->sock;
  boost::system::error_code ignored;
  co_await sleep_ms(p.greeting_delay_ms);
  switch (p.fault) {
    case Fault::tarpit:
      co_await drain(s, *c, c->srv.settings.tarpit);
      co_return;
    case Fault::close:
      s.shutdown(tcp::socket::shutdown_both, ignored);
      co_return;
    case Fault::reset:
      s.set_option(asio::socket_base::linger(true, 0), ignored);
      co_return;
    case Fault::garbage:
      co_await asio::async_write(s, asio::buffer(pseudo_random_bytes(1024, c->local)),
                                 asio::as_tuple(use_awaitable));
      co_await drain(s, *c, c->srv.settings.idle);
      co_return;
    case Fault::no_eol: {
      std::string first = banner_text(*c);
      first = first.substr(0, first.find_first_of("\r\n"));
      co_await send(s, *c, std::move(first));
      co_await drain(s, *c, c->srv.settings.idle);
      co_return;
    }
    case Fault::endless_greeting:
      co_await endless(s, *c, "220-");
      co_return;
    case Fault::huge_line:
      if (!co_await send(s, *c, "220 " + std::string(std::size_t{1} << 20, 'x') + "\r\n"))
        co_return;
      break;
    default:
      break;
  }
  if (p.fault != Fault::huge_line && !co_await send(s, *c, banner_text(*c))) co_return;
  const char code = p.banner.empty() ? '2' : p.banner.front();
  if (code == '4') {  // 421: the server closes the session
    s.shutdown(tcp::socket::shutdown_both, ignored);
    co_return;
  }
  auto end = co_await command_loop(s, *c, false, code == '5');
  if (end == LoopEnd::upgrade) {
    co_await tls_phase(c);
  }
}

// Relays one direction; the client-to-server direction logs the plaintext commands (until
// STARTTLS, after which the bytes are TLS records).
awaitable<void> pump(ConnPtr c, bool from_client) {
  tcp::socket& from = from_client ? c->sock : *c->upstream;
  tcp::socket& to = from_client ? *c->upstream : c->sock;
  std::vector<char> data(16384);
  std::string line;
  bool sniff = from_client;
  for (;;) {
    auto [ec, n] = co_await from.async_read_some(asio::buffer(data), asio::as_tuple(use_awaitable));
    if (ec) co_return;
    c->touch(c->srv.settings.idle);
    for (std::size_t i = 0; sniff && i < n; ++i) {
      if (data[i] != '\n') {
        if (line.size() < kMaxCommandLine) line += data[i];
        continue;
      }
      while (!line.empty() && line.back() == '\r') line.pop_back();
      c->srv.record.command(c->local, c->id, "fwd", line);
      std::string verb = line.substr(0, 8);
      for (auto& ch : verb) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
      if (verb == "STARTTLS") sniff = false;
      line.clear();
    }
    auto [wec, wn] =
        co_await asio::async_write(to, asio::buffer(data.data(), n), asio::as_tuple(use_awaitable));
    if (wec) co_return;
  }
}

awaitable<void> forward(ConnPtr c) {
  const std::string& target = c->persona->forward;
  const auto colon = target.rfind(':');
  auto addr = parse_ipv4(target.substr(0, colon));
  if (colon == std::string::npos || !addr) co_return;
  const auto port = static_cast<unsigned short>(std::stoul(target.substr(colon + 1)));
  c->upstream = std::make_unique<tcp::socket>(c->sock.get_executor());
  c->touch(c->srv.settings.idle);
  auto [ec] = co_await c->upstream->async_connect(tcp::endpoint(asio::ip::address_v4(*addr), port),
                                                  asio::as_tuple(use_awaitable));
  if (ec) co_return;
  co_await (pump(c, true) || pump(c, false));
}

awaitable<void> session(ConnPtr c) {
  co_spawn(c->sock.get_executor(), watchdog(c), asio::detached);
  try {
    if (c->persona == nullptr) {
      // No persona: an address without a mail server (the closest a wildcard listener
      // gets to a refused connection is closing at once).
      boost::system::error_code ignored;
      c->sock.shutdown(tcp::socket::shutdown_both, ignored);
    } else if (!c->persona->forward.empty()) {
      co_await forward(c);
    } else {
      co_await smtp(c);
    }
  } catch (const std::exception& e) {
    std::cerr << "mxscan-persona: session on " << format_ipv4(c->local) << ": " << e.what() << '\n';
  }
  c->done = true;
  c->shut();
  c->deadline.cancel();
}

awaitable<void> accept_loop(Server& srv, tcp::acceptor& acceptor) {
  for (;;) {
    auto [ec, sock] = co_await acceptor.async_accept(asio::as_tuple(use_awaitable));
    if (ec == asio::error::operation_aborted) co_return;
    if (ec) {  // e.g. out of file descriptors: back off briefly instead of spinning
      co_await sleep_ms(20);
      continue;
    }
    boost::system::error_code lec;
    const auto local = sock.local_endpoint(lec);
    if (lec || !local.address().is_v4() || (local.address().to_v4().to_uint() >> 24) != 127) {
      // Only 127.0.0.0/8 is lab: anything else dialed through the wildcard socket is reset.
      sock.set_option(asio::socket_base::linger(true, 0), lec);
      continue;
    }
    const std::uint32_t a = local.address().to_v4().to_uint();
    srv.record.opened(a);
    co_spawn(acceptor.get_executor(),
             session(std::make_shared<Conn>(std::move(sock), srv, a, srv.personas.find(a))),
             asio::detached);
  }
}

awaitable<void> flush_loop(ConductRecord& record, std::chrono::milliseconds every) {
  asio::steady_timer t(co_await asio::this_coro::executor);
  for (;;) {
    t.expires_after(every);
    auto [ec] = co_await t.async_wait(asio::as_tuple(use_awaitable));
    if (ec) co_return;
    record.flush();
  }
}

std::unique_ptr<asio::ssl::context> make_tls_context(const std::string& chain) {
  auto ctx = std::make_unique<asio::ssl::context>(asio::ssl::context::tls_server);
  ctx->set_options(asio::ssl::context::default_workarounds | asio::ssl::context::no_sslv2 |
                   asio::ssl::context::no_sslv3);
  SSL_CTX* raw = ctx->native_handle();
  SSL_CTX_set_security_level(raw, 0);  // scanners must be able to see old TLS too
  SSL_CTX_set_min_proto_version(raw, TLS1_VERSION);
  SSL_CTX_set_session_cache_mode(raw, SSL_SESS_CACHE_OFF);
  SSL_CTX_set_options(raw, SSL_OP_NO_TICKET);
  SSL_CTX_set_mode(raw, SSL_MODE_RELEASE_BUFFERS);
  ctx->use_certificate_chain_file(chain);
  ctx->use_private_key_file(chain, asio::ssl::context::pem);
  return ctx;
}

void raise_fd_limit() {
  rlimit lim{};
  if (getrlimit(RLIMIT_NOFILE, &lim) == 0 && lim.rlim_cur < lim.rlim_max) {
    lim.rlim_cur = lim.rlim_max;
    setrlimit(RLIMIT_NOFILE, &lim);
  }
}

}  // namespace
}  // namespace mxscan::lab

int main(int argc, char** argv) {
  using namespace mxscan::lab;
  CLI::App app{"mxscan-persona: the lab's SMTP personas on 127.0.0.0/8 (see docs/lab.md)"};
  std::string config, listen = "0.0.0.0", stats, log;
  unsigned port = 0, idle_s = 30, tarpit_s = 300, stats_ms = 1000;
  bool check = false;
  app.add_option("--config", config, "persona file (TOML, written by scripts/lab)")->required();
  app.add_option("--port", port, "TCP port to listen on")->check(CLI::Range(1, 65535));
  app.add_option("--listen", listen, "listening address (0.0.0.0: every 127.x address)");
  app.add_option("--stats", stats, "stats file (connections and peak concurrency)");
  app.add_option("--log", log, "command log (one line per command received)");
  app.add_option("--idle-timeout", idle_s, "seconds without traffic before a session is closed");
  app.add_option("--tarpit-max", tarpit_s, "seconds a tarpit holds a connection at most");
  app.add_option("--stats-interval-ms", stats_ms, "how often the stats file is rewritten");
  app.add_flag("--check", check, "load the configuration and the certificates, then exit");
  CLI11_PARSE(app, argc, argv);

  try {
    const PersonaMap personas = PersonaMap::load(config);
    std::vector<std::unique_ptr<asio::ssl::context>> contexts;
    std::vector<std::string> chains;
    std::vector<asio::ssl::context*> by_persona;
    for (const auto& p : personas.personas()) {
      asio::ssl::context* ctx = nullptr;
      if (!p.chain.empty()) {
        auto it = std::find(chains.begin(), chains.end(), p.chain);
        if (it == chains.end()) {
          try {
            contexts.push_back(make_tls_context(p.chain));
          } catch (const std::exception& e) {
            throw std::runtime_error("persona " + p.name + ": chain " + p.chain + ": " + e.what());
          }
          chains.push_back(p.chain);
          ctx = contexts.back().get();
        } else {
          ctx = contexts[static_cast<std::size_t>(it - chains.begin())].get();
        }
      }
      by_persona.push_back(ctx);
    }
    if (check) {
      std::cout << personas.personas().size() << " personas, " << personas.address_count()
                << " addresses, " << contexts.size() << " TLS contexts\n";
      return 0;
    }
    if (port == 0) throw std::runtime_error("--port is required");
    auto laddr = asio::ip::make_address_v4(listen);
    if (laddr.to_uint() != 0 && (laddr.to_uint() >> 24) != 127)
      throw std::runtime_error("--listen must be 0.0.0.0 or in 127.0.0.0/8");
    raise_fd_limit();

    ConductRecord record(stats, log);  // outlives the io_context: sessions count on close
    Server srv{personas, 0, by_persona, record,
               Settings{std::chrono::seconds(idle_s), std::chrono::seconds(tarpit_s)}};
    asio::io_context io(1);
    tcp::acceptor acceptor(io);
    tcp::endpoint ep(laddr, static_cast<unsigned short>(port));
    acceptor.open(ep.protocol());
    acceptor.set_option(asio::socket_base::reuse_address(true));
    // Loopback only, enforced by the kernel where allowed (needs CAP_NET_RAW); otherwise
    // the accept loop still resets any connection to a non-127.0.0.0/8 address.
    static constexpr char kLoopback[] = "lo";
    if (setsockopt(acceptor.native_handle(), SOL_SOCKET, SO_BINDTODEVICE, kLoopback,
                   sizeof kLoopback) != 0) {
      std::cerr << "mxscan-persona: SO_BINDTODEVICE lo refused (" << std::strerror(errno)
                << "); non-loopback connections are reset instead\n";
    }
    acceptor.bind(ep);
    acceptor.listen(asio::socket_base::max_listen_connections);
    asio::signal_set signals(io, SIGINT, SIGTERM);
    signals.async_wait([&](const boost::system::error_code&, int) {
      record.flush();
      io.stop();
    });
    co_spawn(io, accept_loop(srv, acceptor), asio::detached);
    co_spawn(io, flush_loop(record, std::chrono::milliseconds(stats_ms)), asio::detached);
    record.flush();
    std::cerr << "mxscan-persona: " << personas.personas().size() << " personas, "
              << personas.address_count() << " addresses, listening on " << listen << ':' << port
              << '\n';
    io.run();
    record.flush();
  } catch (const std::exception& e) {
    std::cerr << "mxscan-persona: " << e.what() << '\n';
    return 1;
  }
  return 0;
}
