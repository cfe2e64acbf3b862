#include "mxscan/scanner/smtp/smtp_session.hpp"

#include <openssl/ssl.h>

#include <array>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <memory>
#include <optional>
#include <span>
#include <string_view>
#include <variant>

#include "mxscan/scanner/smtp/smtp_reply.hpp"
#include "mxscan/scanner/tls/tls_client.hpp"
#include "mxscan/scanner/tls/tls_drive.hpp"
#include "mxscan/scanner/tls/tls_link.hpp"

namespace mxscan {
namespace {

namespace asio = boost::asio;
using asio::ip::tcp;
using boost::system::error_code;
using Clock = std::chrono::steady_clock;
constexpr auto kTuple = asio::as_tuple(asio::use_awaitable);
// QUIT is a courtesy; never wait long for its reply.
constexpr auto kQuitTimeout = std::chrono::seconds(5);

enum class Io { ok, timeout, eof, reset, error };

Io classify(const error_code& ec) {
  if (!ec) return Io::ok;
  if (ec == asio::error::eof || ec == asio::ssl::error::stream_truncated) return Io::eof;
  if (ec == asio::error::connection_reset || ec == asio::error::broken_pipe) return Io::reset;
  return Io::error;
}

// The deadline of the operation in progress. The timer's handler may run after
// the operation (or the whole session) is over, so it holds this state by
// shared pointer and acts only if its generation is still current.
struct DeadlineState {
  asio::cancellation_signal signal;
  std::uint64_t generation = 0;
  bool fired = false;
};

// What a session owns on the wire: the socket, and from STARTTLS on the TLS state.
struct Wire {
  explicit Wire(const asio::any_io_executor& ex) : socket(ex), timer(ex) {}
  tcp::socket socket;
  std::unique_ptr<TlsLink> tls;
  asio::steady_timer timer;
  std::string inbuf;  // bytes received and not yet parsed
  Clock::time_point session_deadline{};
  error_code last_error;

  std::shared_ptr<DeadlineState> dl = std::make_shared<DeadlineState>();

  // Before each operation: cancel it (terminal) if `deadline` passes first. One
  // timer and one signal per session: cheaper than a parallel group per operation.
  void arm(Clock::time_point deadline) {
    dl->fired = false;
    const std::uint64_t generation = ++dl->generation;
    timer.expires_at(deadline);
    timer.async_wait([state = dl, generation](const error_code& ec) {
      if (!ec && state->generation == generation) {
        state->fired = true;
        state->signal.emit(asio::cancellation_type::terminal);
      }
    });
  }
  // After the operation: true when it was cut short by its deadline.
  bool disarm() {
    ++dl->generation;
    timer.cancel();
    return dl->fired;
  }
  auto token() { return asio::bind_cancellation_slot(dl->signal.slot(), kTuple); }

  Clock::time_point deadline(Clock::duration phase) const {
    return std::min(Clock::now() + phase, session_deadline);
  }
};

// Plain reads wait for readability first and then read into a per-thread buffer:
// an idle session (a tarpit, a slow greeting) holds no read buffer at all.
std::array<char, 16384>& scratch() {
  thread_local std::array<char, 16384> buffer;
  return buffer;
}

// The session's transport for drive_tls (tls_drive.hpp): its socket, under the
// deadline of the operation in progress. A deadline that passes is reported as
// timed_out and remembered, so it is told apart from a server's own error.
struct DeadlineTransport {
  Wire& w;
  Clock::time_point deadline;
  bool timed_out = false;

  // At once when the socket takes it all (as it nearly always does), else
  // waiting for room.
  asio::awaitable<error_code> send(std::string_view out) {
    error_code ec;
    std::size_t sent = w.socket.send(asio::buffer(out), 0, ec);  // the socket is non-blocking
    if (ec == asio::error::would_block || ec == asio::error::try_again) {
      sent = 0;
      ec = {};
    }
    if (!ec && sent < out.size()) {
      w.arm(deadline);
      auto [wec, n] =
          co_await asio::async_write(w.socket, asio::buffer(out.substr(sent)), w.token());
      if (w.disarm()) co_return expired();
      ec = wec;
    }
    co_return ec;
  }

  asio::awaitable<error_code> receive(std::span<char> space, std::size_t& n) {
    w.arm(deadline);
    auto [ec, got] =
        co_await w.socket.async_read_some(asio::buffer(space.data(), space.size()), w.token());
    if (w.disarm()) co_return expired();
    n = got;
    co_return ec;
  }

  error_code expired() {
    timed_out = true;
    return asio::error::timed_out;
  }
};

// Runs one OpenSSL call (handshake, write or read) until it is done; see
// drive_tls for `hold_output` and what happens when the call fails.
template <typename Call>
asio::awaitable<Io> run_tls(Wire& w, Call call, Clock::time_point deadline,
                            bool hold_output = false) {
  DeadlineTransport transport{w, deadline, false};
  const TlsDriveResult r = co_await drive_tls(*w.tls, call, transport, hold_output);
  if (transport.timed_out && r.error == asio::error::timed_out) co_return Io::timeout;
  w.last_error = r.error;
  co_return classify(r.error);
}

asio::awaitable<Io> read_more(Wire& w, Clock::time_point deadline) {
  if (w.tls) {
    co_return co_await run_tls(
        w,
        [&w](SSL* ssl) {
          auto& buffer = scratch();  // copied out before anything else can run
          const int r = SSL_read(ssl, buffer.data(), static_cast<int>(buffer.size()));
          if (r > 0) w.inbuf.append(buffer.data(), static_cast<std::size_t>(r));
          return r;
        },
        deadline);
  }
  for (;;) {
    w.arm(deadline);
    auto [ec] = co_await w.socket.async_wait(tcp::socket::wait_read, w.token());
    if (w.disarm()) co_return Io::timeout;
    if (!ec) {
      const std::size_t n = w.socket.read_some(asio::buffer(scratch()), ec);
      if (ec == asio::error::would_block || ec == asio::error::try_again) continue;
      if (!ec) w.inbuf.append(scratch().data(), n);
    }
    w.last_error = ec;
    co_return classify(ec);
  }
}

struct ReplyOutcome {
  Io io = Io::ok;
  ReplyParse parse = ReplyParse::complete;
  std::size_t error_line = 0;
  SmtpReply reply;
  bool ok() const { return io == Io::ok && parse == ReplyParse::complete; }
};

asio::awaitable<ReplyOutcome> read_reply(Wire& w, const ReplyLimits& limits,
                                         Clock::time_point deadline) {
  ReplyOutcome out;
  for (;;) {
    ReplyParseResult parsed = parse_reply(w.inbuf, limits);
    if (parsed.status == ReplyParse::complete) {
      w.inbuf.erase(0, parsed.consumed);
      out.reply = std::move(parsed.reply);
      co_return out;
    }
    if (parsed.status != ReplyParse::need_more) {
      out.parse = parsed.status;
      out.error_line = parsed.error_line;
      co_return out;
    }
    out.io = co_await read_more(w, deadline);
    if (out.io != Io::ok) co_return out;
  }
}

asio::awaitable<Io> send(Wire& w, std::string line, Clock::time_point deadline) {
  line += "\r\n";
  if (w.tls) {
    co_return co_await run_tls(
        w, [&line](SSL* ssl) { return SSL_write(ssl, line.data(), static_cast<int>(line.size())); },
        deadline);
  }
  w.arm(deadline);
  auto [ec, n] = co_await asio::async_write(w.socket, asio::buffer(line), w.token());
  w.last_error = ec;
  if (w.disarm()) co_return Io::timeout;
  co_return classify(w.last_error);
}

// Why a session ended early. A failure is a measurement like a success: only a
// stop leaves the observation partial.
enum class Ending { measured, stopped };

// One session: what it was told, what it owns on the wire, and what it has seen.
// The steps below are its methods; `dialogue` puts them in RFC 5321 order.
struct Session {
  Session(const SessionConfig& config, IpAddress to, const asio::any_io_executor& ex)
      : cfg(config), address(to), w(ex) {
    w.session_deadline = started + cfg.timeouts.session;
    obs.address = address.to_string();
    obs.port = cfg.port;
  }

  const SessionConfig& cfg;
  const IpAddress address;
  const Clock::time_point started = Clock::now();
  Wire w;
  HostObs obs;

  bool stopping() const { return cfg.stop != nullptr && cfg.stop->load(); }

  // The one place a failure is recorded; the duration is stamped on the way out.
  Ending fail(SmtpStatus status, std::string error) {
    obs.status = status;
    obs.error = std::move(error);
    return Ending::measured;
  }

  // A reply that did not come whole: the status follows from the I/O outcome, or
  // from the parse error (garbage before any valid greeting means not SMTP).
  Ending broken(const ReplyOutcome& r, std::string_view step) {
    const std::string prefix = std::string(step) + ": ";
    switch (r.io) {
      case Io::timeout: {
        const bool greeting = obs.phase == SmtpPhase::greeting;
        const bool session_over = Clock::now() >= w.session_deadline;
        return fail(greeting ? SmtpStatus::greeting_timeout : SmtpStatus::io_timeout,
                    prefix + (session_over ? "session deadline reached" : "timed out"));
      }
      case Io::eof:
        return fail(SmtpStatus::closed, prefix + "connection closed by server");
      case Io::reset:
        return fail(SmtpStatus::reset, prefix + w.last_error.message());
      case Io::error:
        return fail(SmtpStatus::closed, prefix + w.last_error.message());
      case Io::ok:
        break;
    }
    const bool garbage =
        obs.phase == SmtpPhase::greeting && r.parse == ReplyParse::malformed && r.error_line == 1;
    return fail(
        garbage ? SmtpStatus::not_smtp : SmtpStatus::protocol_error,
        prefix + std::string(to_string(r.parse)) + " (line " + std::to_string(r.error_line) + ")");
  }

  // A complete reply that said no: recorded, then QUIT (the connection is sound).
  asio::awaitable<Ending> refused(SmtpStatus status, std::string error) {
    fail(status, std::move(error));
    co_await quit();
    co_return Ending::measured;
  }

  // The next reply, under `timeout` (never past the session's deadline).
  asio::awaitable<ReplyOutcome> reply(Clock::duration timeout) {
    return read_reply(w, cfg.reply_limits, w.deadline(timeout));
  }

  // One command line and its reply, each under the reply timeout.
  asio::awaitable<ReplyOutcome> command(std::string line) {
    ReplyOutcome out;
    out.io = co_await send(w, std::move(line), w.deadline(cfg.timeouts.reply));
    if (out.io != Io::ok) co_return out;
    co_return co_await reply(cfg.timeouts.reply);
  }

  // QUIT, and its reply if it comes soon; the connection is closed afterwards anyway.
  // Once the scan is stopping, not past the session's deadline: a stopped scan ends
  // within the session timeout.
  asio::awaitable<void> quit(bool scan_stopping = false) {
    const auto deadline =
        std::min(Clock::now() + kQuitTimeout,
                 scan_stopping ? w.session_deadline : w.session_deadline + kQuitTimeout);
    if (co_await send(w, "QUIT", deadline) != Io::ok) co_return;
    co_await read_reply(w, cfg.reply_limits, deadline);
  }

  // A stop between steps: QUIT now; the measurement is redone on resume.
  asio::awaitable<bool> quit_if_stopping() {
    if (!stopping()) co_return false;
    co_await quit(true);
    co_return true;
  }

  // TCP connect under the connect timeout; false once a failure is recorded.
  asio::awaitable<bool> connect() {
    tcp::endpoint endpoint(
        address.v6 ? asio::ip::address(asio::ip::address_v6(address.bytes))
                   : asio::ip::address(asio::ip::address_v4(asio::ip::address_v4::bytes_type{
                         address.bytes[0], address.bytes[1], address.bytes[2], address.bytes[3]})),
        cfg.port);
    // Opened non-blocking before connecting: one FIONBIO serves Asio's reactor and
    // the reads that wait for readability and then read_some alike.
    error_code ec;
    if (cfg.on_connect) cfg.on_connect();
    w.socket.open(endpoint.protocol(), ec);
    if (!ec) w.socket.non_blocking(true, ec);
    w.arm(w.deadline(cfg.timeouts.connect));
    if (!ec) {
      auto [connect_ec] = co_await w.socket.async_connect(endpoint, w.token());
      ec = connect_ec;
    }
    const bool timed_out = w.disarm();
    if (!timed_out && ec == asio::error::connection_reset) {
      // The handshake completed (a refused SYN is ECONNREFUSED) and the server reset the
      // connection before we looked: the same event as a reset while waiting for the
      // greeting, which one it is seen as depends only on thread scheduling. Record it
      // the one way, so that repeated scans (and resumed ones) agree.
      obs.phase = SmtpPhase::greeting;
      fail(SmtpStatus::reset, "greeting: " + ec.message());
      co_return false;
    }
    if (timed_out || ec) {
      fail(timed_out || ec == asio::error::timed_out ? SmtpStatus::connect_timeout
                                                     : SmtpStatus::refused,
           "connect: " + (timed_out ? std::string("timed out") : ec.message()));
      co_return false;
    }
    w.socket.set_option(tcp::no_delay(true), ec);
    co_return true;
  }

  // Plaintext after the 220 to STARTTLS (already read, or waiting in the kernel) is
  // injection material: counted and dropped, never handed to TLS.
  std::uint32_t drop_plaintext() {
    std::size_t injected = w.inbuf.size();
    w.inbuf.clear();
    for (error_code ec; w.socket.available(ec) > 0 && !ec;) {
      const std::size_t n = w.socket.read_some(asio::buffer(scratch()), ec);
      injected += ec ? 0 : n;
    }
    return static_cast<std::uint32_t>(std::min<std::size_t>(injected, 0xffffffffu));
  }

  // The TLS handshake over the connection, and what it showed; the TLS objects exist
  // from here on. False once a failure is recorded.
  asio::awaitable<bool> tls_handshake(const std::string& exchange) {
    w.tls = std::make_unique<TlsLink>(cfg.tls->get());
    SSL* ssl = w.tls->ssl();
    VerifyLog verify_log;
    attach_verify_log(ssl, &verify_log);
    if (cfg.sni && !exchange.empty()) set_sni(ssl, exchange);
    // The Finished flight waits for the EHLO that follows: one segment instead of two.
    const Io handshake = co_await run_tls(
        w, [](SSL* s) { return SSL_do_handshake(s); }, w.deadline(cfg.timeouts.tls_handshake),
        true);
    if (handshake != Io::ok) {
      fail(SmtpStatus::tls_failed,
           "tls handshake: " +
               (handshake == Io::timeout ? std::string("timed out") : w.last_error.message()));
      co_return false;
    }
    bool truncated = false;
    obs.tls = collect_tls_obs(ssl, verify_log, cfg.max_chain_certs, truncated);
    obs.tls->chain_truncated = truncated;
    co_return true;
  }
};

// The status of a greeting that refused the session.
SmtpStatus greeting_refusal(int code) {
  return code / 100 == 4   ? SmtpStatus::greeting_4xx
         : code / 100 == 5 ? SmtpStatus::greeting_5xx
                           : SmtpStatus::protocol_error;
}

// The dialogue, step by step. Each step either goes on or ends the session with
// its outcome recorded in s.obs; QUIT is said whenever the connection is still sound.
asio::awaitable<Ending> dialogue(Session& s, const std::string& exchange) {
  HostObs& obs = s.obs;
  const std::string& name = s.cfg.ehlo_name;

  // Connect, bounded by the connect timeout; never begun once the scan stops.
  obs.phase = SmtpPhase::connect;
  if (s.stopping()) co_return Ending::stopped;
  if (!co_await s.connect()) co_return Ending::measured;

  // Greeting: the complete (possibly multi-line) reply before anything is sent.
  obs.phase = SmtpPhase::greeting;
  const ReplyOutcome greeting = co_await s.reply(s.cfg.timeouts.greeting);
  if (!greeting.ok()) co_return s.broken(greeting, "greeting");
  obs.banner = greeting.reply.joined();
  const int greeted = greeting.reply.code;
  // RFC 5321 3.1: a client should QUIT after a 554 greeting.
  if (greeted / 100 != 2) {
    co_return co_await s.refused(greeting_refusal(greeted), "greeting: " + std::to_string(greeted));
  }
  if (co_await s.quit_if_stopping()) co_return Ending::stopped;

  // EHLO with the scanner's name; HELO only when EHLO is refused with 5xx.
  obs.phase = SmtpPhase::ehlo;
  ReplyOutcome ehlo = co_await s.command("EHLO " + name);
  if (ehlo.ok()) obs.ehlo = ehlo.reply.joined();
  if (ehlo.ok() && ehlo.reply.code / 100 == 5) {
    ehlo = co_await s.command("HELO " + name);
    if (ehlo.ok()) obs.ehlo += "\n" + ehlo.reply.joined();
  }
  if (!ehlo.ok()) co_return s.broken(ehlo, "ehlo");
  if (ehlo.reply.code / 100 != 2) {
    co_return co_await s.refused(SmtpStatus::ehlo_failed,
                                 "ehlo: " + std::to_string(ehlo.reply.code));
  }
  obs.starttls_offered = ehlo.reply.has_extension("STARTTLS");

  if (obs.starttls_offered) {
    if (co_await s.quit_if_stopping()) co_return Ending::stopped;

    // STARTTLS, advertised: ask for it.
    obs.phase = SmtpPhase::starttls;
    const ReplyOutcome starttls = co_await s.command("STARTTLS");
    if (!starttls.ok()) co_return s.broken(starttls, "starttls");
    if (starttls.reply.code / 100 != 2) {
      co_return co_await s.refused(SmtpStatus::starttls_refused,
                                   "starttls: " + starttls.reply.joined());
    }
    obs.starttls_accepted = true;
    obs.plaintext_after_starttls = s.drop_plaintext();

    // TLS handshake over the same connection.
    obs.phase = SmtpPhase::tls_handshake;
    if (!co_await s.tls_handshake(exchange)) co_return Ending::measured;
    if (co_await s.quit_if_stopping()) co_return Ending::stopped;

    // EHLO again, now protected: the server's extensions may differ.
    obs.phase = SmtpPhase::ehlo_tls;
    const ReplyOutcome ehlo_tls = co_await s.command("EHLO " + name);
    if (!ehlo_tls.ok()) co_return s.broken(ehlo_tls, "ehlo after tls");
    obs.ehlo_tls = ehlo_tls.reply.joined();
    if (ehlo_tls.reply.code / 100 != 2) {
      co_return co_await s.refused(SmtpStatus::ehlo_failed,
                                   "ehlo after tls: " + std::to_string(ehlo_tls.reply.code));
    }
  }

  // QUIT, always, then the session is a success.
  obs.phase = SmtpPhase::quit;
  co_await s.quit();
  obs.phase = SmtpPhase::done;
  obs.status = SmtpStatus::success;
  co_return Ending::measured;
}

}  // namespace

asio::awaitable<SessionOutcome> smtp_session(const SessionConfig* config, IpAddress address,
                                             std::string exchange) {
  Session s(*config, address, co_await asio::this_coro::executor);
  const Ending ending = co_await dialogue(s, exchange);
  // A stopped session's observation is partial and never recorded: it is not timed.
  if (ending == Ending::stopped) co_return SessionOutcome{std::move(s.obs), true};
  s.obs.duration_ms = std::chrono::duration<double, std::milli>(Clock::now() - s.started).count();
  co_return SessionOutcome{std::move(s.obs)};
}

}  // namespace mxscan
