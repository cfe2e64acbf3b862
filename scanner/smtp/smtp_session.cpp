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

asio::awaitable<ReplyOutcome> read_reply(Wire& w, const ReplyLimits& limits, Clock::time_point deadline) {
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

// Records why an exchange failed: the status follows from the I/O outcome, or
// from the parse error (garbage before any valid greeting means not SMTP).
void record_failure(HostObs& obs, const Wire& w, const ReplyOutcome& r, std::string_view step, bool greeting) {
  const bool session_over = Clock::now() >= w.session_deadline;
  switch (r.io) {
    case Io::timeout:
      obs.status = greeting ? SmtpStatus::greeting_timeout : SmtpStatus::io_timeout;
      obs.error = std::string(step) + (session_over ? ": session deadline reached" : ": timed out");
      return;
    case Io::eof:
      obs.status = SmtpStatus::closed;
      obs.error = std::string(step) + ": connection closed by server";
      return;
    case Io::reset:
      obs.status = SmtpStatus::reset;
      obs.error = std::string(step) + ": " + w.last_error.message();
      return;
    case Io::error:
      obs.status = SmtpStatus::closed;
      obs.error = std::string(step) + ": " + w.last_error.message();
      return;
    case Io::ok: break;
  }
  const bool garbage = greeting && r.parse == ReplyParse::malformed && r.error_line == 1;
  obs.status = garbage ? SmtpStatus::not_smtp : SmtpStatus::protocol_error;
  obs.error = std::string(step) + ": " + std::string(to_string(r.parse)) + " (line " +
              std::to_string(r.error_line) + ")";
}

// QUIT, and its reply if it comes soon; the connection is closed afterwards anyway.
// Once the scan is stopping, not past the session's deadline: a stopped scan ends
// within the session timeout.
asio::awaitable<void> quit(Wire& w, const ReplyLimits& limits, bool stopping = false) {
  const auto deadline = std::min(Clock::now() + kQuitTimeout,
                                 stopping ? w.session_deadline : w.session_deadline + kQuitTimeout);
  if (co_await send(w, "QUIT", deadline) != Io::ok) co_return;
  co_await read_reply(w, limits, deadline);
}

}  // namespace

asio::awaitable<SessionOutcome> smtp_session(const SessionConfig* config, IpAddress address,
                                             std::string exchange) {
  const SessionConfig& cfg = *config;
  const auto stopping = [&cfg] { return cfg.stop != nullptr && cfg.stop->load(); };
  const SmtpTimeouts& t = cfg.timeouts;
  const auto started = Clock::now();
  HostObs obs;
  obs.address = address.to_string();
  obs.port = cfg.port;
  Wire w(co_await asio::this_coro::executor);
  w.session_deadline = started + t.session;
  auto finish = [&](HostObs& o) {
    o.duration_ms = std::chrono::duration<double, std::milli>(Clock::now() - started).count();
  };

  // Connect, bounded by the connect timeout; never begun once the scan stops.
  obs.phase = SmtpPhase::connect;
  if (stopping()) co_return SessionOutcome{std::move(obs), true};
  tcp::endpoint endpoint(address.v6 ? asio::ip::address(asio::ip::address_v6(address.bytes))
                                    : asio::ip::address(asio::ip::address_v4(
                                          asio::ip::address_v4::bytes_type{address.bytes[0], address.bytes[1],
                                                                           address.bytes[2], address.bytes[3]})),
                         cfg.port);
  // Opened non-blocking before connecting: one FIONBIO serves Asio's reactor and
  // the reads that wait for readability and then read_some alike.
  error_code connect_ec;
  if (cfg.on_connect) cfg.on_connect();
  w.socket.open(endpoint.protocol(), connect_ec);
  if (!connect_ec) w.socket.non_blocking(true, connect_ec);
  w.arm(w.deadline(t.connect));
  if (!connect_ec) {
    auto [ec] = co_await w.socket.async_connect(endpoint, w.token());
    connect_ec = ec;
  }
  const bool connect_timed_out = w.disarm();
  if (!connect_timed_out && connect_ec == asio::error::connection_reset) {
    // The handshake completed (a refused SYN is ECONNREFUSED) and the server reset the
    // connection before we looked: the same event as a reset while waiting for the
    // greeting, which one it is seen as depends only on thread scheduling. Record it
    // the one way, so that repeated scans (and resumed ones) agree.
    obs.phase = SmtpPhase::greeting;
    obs.status = SmtpStatus::reset;
    obs.error = "greeting: " + connect_ec.message();
    finish(obs);
    co_return SessionOutcome{std::move(obs)};
  }
  if (connect_timed_out || connect_ec) {
    const error_code ec = connect_ec;
    const bool connected = !connect_timed_out;
    obs.status = !connected                                     ? SmtpStatus::connect_timeout
                 : ec == asio::error::timed_out                 ? SmtpStatus::connect_timeout
                                                                : SmtpStatus::refused;
    obs.error = "connect: " + (connected ? ec.message() : std::string("timed out"));
    finish(obs);
    co_return SessionOutcome{std::move(obs)};
  }
  error_code ignored;
  w.socket.set_option(tcp::no_delay(true), ignored);

  // Greeting: the complete (possibly multi-line) reply before anything is sent.
  obs.phase = SmtpPhase::greeting;
  ReplyOutcome greeting = co_await read_reply(w, cfg.reply_limits, w.deadline(t.greeting));
  if (!greeting.ok()) {
    record_failure(obs, w, greeting, "greeting", true);
    finish(obs);
    co_return SessionOutcome{std::move(obs)};
  }
  obs.banner = greeting.reply.joined();
  if (greeting.reply.code / 100 != 2) {
    obs.status = greeting.reply.code / 100 == 4   ? SmtpStatus::greeting_4xx
                 : greeting.reply.code / 100 == 5 ? SmtpStatus::greeting_5xx
                                                  : SmtpStatus::protocol_error;
    obs.error = "greeting: " + std::to_string(greeting.reply.code);
    co_await quit(w, cfg.reply_limits);  // RFC 5321 3.1: a client should QUIT after a 554 greeting
    finish(obs);
    co_return SessionOutcome{std::move(obs)};
  }

  // A stop between steps: QUIT now; the measurement is redone on resume.
  if (stopping()) {
    co_await quit(w, cfg.reply_limits, true);
    co_return SessionOutcome{std::move(obs), true};
  }

  // EHLO with the scanner's name; HELO only when EHLO is refused with 5xx.
  obs.phase = SmtpPhase::ehlo;
  ReplyOutcome ehlo;
  Io sent = co_await send(w, "EHLO " + cfg.ehlo_name, w.deadline(t.reply));
  if (sent == Io::ok) ehlo = co_await read_reply(w, cfg.reply_limits, w.deadline(t.reply));
  else ehlo.io = sent;
  if (ehlo.ok() && ehlo.reply.code / 100 == 5) {
    obs.ehlo = ehlo.reply.joined();
    sent = co_await send(w, "HELO " + cfg.ehlo_name, w.deadline(t.reply));
    if (sent == Io::ok) ehlo = co_await read_reply(w, cfg.reply_limits, w.deadline(t.reply));
    else ehlo.io = sent;
    if (ehlo.ok()) obs.ehlo += "\n" + ehlo.reply.joined();
  } else if (ehlo.ok()) {
    obs.ehlo = ehlo.reply.joined();
  }
  if (!ehlo.ok()) {
    record_failure(obs, w, ehlo, "ehlo", false);
    finish(obs);
    co_return SessionOutcome{std::move(obs)};
  }
  if (ehlo.reply.code / 100 != 2) {
    obs.status = SmtpStatus::ehlo_failed;
    obs.error = "ehlo: " + std::to_string(ehlo.reply.code);
    co_await quit(w, cfg.reply_limits);
    finish(obs);
    co_return SessionOutcome{std::move(obs)};
  }
  obs.starttls_offered = ehlo.reply.has_extension("STARTTLS");

  if (obs.starttls_offered && stopping()) {
    co_await quit(w, cfg.reply_limits, true);
    co_return SessionOutcome{std::move(obs), true};
  }

  if (obs.starttls_offered) {
    // STARTTLS, advertised: ask for it.
    obs.phase = SmtpPhase::starttls;
    ReplyOutcome starttls;
    sent = co_await send(w, "STARTTLS", w.deadline(t.reply));
    if (sent == Io::ok) starttls = co_await read_reply(w, cfg.reply_limits, w.deadline(t.reply));
    else starttls.io = sent;
    if (!starttls.ok()) {
      record_failure(obs, w, starttls, "starttls", false);
      finish(obs);
      co_return SessionOutcome{std::move(obs)};
    }
    if (starttls.reply.code / 100 != 2) {
      obs.status = SmtpStatus::starttls_refused;
      obs.error = "starttls: " + starttls.reply.joined();
      co_await quit(w, cfg.reply_limits);
      finish(obs);
      co_return SessionOutcome{std::move(obs)};
    }
    obs.starttls_accepted = true;
    // Plaintext after the 220 (already read, or waiting in the kernel) is injection
    // material: count it and drop it, never hand it to TLS.
    std::size_t injected = w.inbuf.size();
    w.inbuf.clear();
    for (error_code ec; w.socket.available(ec) > 0 && !ec;) {
      const std::size_t n = w.socket.read_some(asio::buffer(scratch()), ec);
      injected += ec ? 0 : n;
    }
    obs.plaintext_after_starttls = static_cast<std::uint32_t>(std::min<std::size_t>(injected, 0xffffffffu));

    // TLS handshake over the same connection; the TLS objects exist from here on.
    obs.phase = SmtpPhase::tls_handshake;
    w.tls = std::make_unique<TlsLink>(cfg.tls->get());
    SSL* ssl = w.tls->ssl();
    VerifyLog verify_log;
    attach_verify_log(ssl, &verify_log);
    if (cfg.sni && !exchange.empty()) set_sni(ssl, exchange);
    // The Finished flight waits for the EHLO below: one segment instead of two.
    const Io handshake = co_await run_tls(
        w, [](SSL* s) { return SSL_do_handshake(s); }, w.deadline(t.tls_handshake), true);
    if (handshake != Io::ok) {
      obs.status = SmtpStatus::tls_failed;
      obs.error = "tls handshake: " +
                  (handshake == Io::timeout ? std::string("timed out") : w.last_error.message());
      finish(obs);
      co_return SessionOutcome{std::move(obs)};
    }
    bool truncated = false;
    obs.tls = collect_tls_obs(ssl, verify_log, cfg.max_chain_certs, truncated);
    obs.tls->chain_truncated = truncated;

    if (stopping()) {
      co_await quit(w, cfg.reply_limits, true);
      co_return SessionOutcome{std::move(obs), true};
    }

    // EHLO again, now protected: the server's extensions may differ.
    obs.phase = SmtpPhase::ehlo_tls;
    ReplyOutcome ehlo_tls;
    sent = co_await send(w, "EHLO " + cfg.ehlo_name, w.deadline(t.reply));
    if (sent == Io::ok) ehlo_tls = co_await read_reply(w, cfg.reply_limits, w.deadline(t.reply));
    else ehlo_tls.io = sent;
    if (!ehlo_tls.ok()) {
      record_failure(obs, w, ehlo_tls, "ehlo after tls", false);
      finish(obs);
      co_return SessionOutcome{std::move(obs)};
    }
    obs.ehlo_tls = ehlo_tls.reply.joined();
    if (ehlo_tls.reply.code / 100 != 2) {
      obs.status = SmtpStatus::ehlo_failed;
      obs.error = "ehlo after tls: " + std::to_string(ehlo_tls.reply.code);
      co_await quit(w, cfg.reply_limits);
      finish(obs);
      co_return SessionOutcome{std::move(obs)};
    }
  }

  // QUIT, always, then the session is a success.
  obs.phase = SmtpPhase::quit;
  co_await quit(w, cfg.reply_limits);
  obs.phase = SmtpPhase::done;
  obs.status = SmtpStatus::success;
  finish(obs);
  co_return SessionOutcome{std::move(obs)};
}

}  // namespace mxscan
