#include "mxscan/scanner/smtp/smtp_session.hpp"

// smtp_session() against a scripted peer (tests/support/scripted_smtp_peer.hpp):
// each test plays one script and checks both the observation and every byte the
// session sent. Both ends run on one io_context in the test's thread, so each
// test is deterministic: io_context::run ends when both are done.

#include <atomic>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <catch2/catch.hpp>
#include <chrono>
#include <cstdint>
#include <exception>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "mxscan/scanner/tls/tls_client.hpp"
#include "scripted_smtp_peer.hpp"

using mxscan::HostObs;
using mxscan::SessionConfig;
using mxscan::SessionOutcome;
using mxscan::SmtpPhase;
using mxscan::SmtpStatus;
using mxscan::test::hang_up;
using mxscan::test::hear;
using mxscan::test::hear_bytes;
using mxscan::test::Peer;
using mxscan::test::reset;
using mxscan::test::say;
using mxscan::test::start_tls;
using mxscan::test::Step;
using mxscan::test::stop_scan;
using namespace std::chrono_literals;

namespace {

namespace asio = boost::asio;
using asio::ip::tcp;
constexpr const char* kServerName = "mx.session-test.example";
constexpr const char* kEhlo = "EHLO scanner.test.lab.example\r\n";
constexpr const char* kQuit = "QUIT\r\n";

const mxscan::TlsClientContext& client_context() {
  static const mxscan::TlsClientContext context{mxscan::TlsClientSettings{}};
  return context;
}

// Timeouts that no test reaches unless its peer goes silent.
SessionConfig config(std::uint16_t port) {
  SessionConfig c;
  c.ehlo_name = "scanner.test.lab.example";
  c.port = port;
  c.timeouts.connect = 10s;
  c.timeouts.greeting = 10s;
  c.timeouts.reply = 10s;
  c.timeouts.tls_handshake = 10s;
  c.timeouts.session = 30s;
  c.tls = &client_context();
  return c;
}

// Runs the session (and the peer, if any) to the end.
SessionOutcome run(asio::io_context& io, const SessionConfig& c, Peer* peer) {
  std::optional<SessionOutcome> outcome;
  std::exception_ptr failure;
  if (peer) {
    asio::co_spawn(io, mxscan::test::serve(peer), [&](std::exception_ptr e) {
      if (e) failure = std::move(e);
    });
  }
  asio::co_spawn(io, mxscan::smtp_session(&c, *mxscan::IpAddress::parse("127.0.0.1"), kServerName),
                 [&](std::exception_ptr e, SessionOutcome o) {
                   if (e) failure = std::move(e);
                   outcome = std::move(o);
                 });
  io.run_for(60s);  // a last guard: every script ends by itself within its timeouts
  REQUIRE(io.stopped());
  if (failure) std::rethrow_exception(failure);
  REQUIRE(outcome);
  return std::move(*outcome);
}

struct Played {
  HostObs obs;
  bool stopped = false;
  std::string received;  // what the peer got
};

Played play_script(std::vector<Step> script, SessionConfig c = config(0),
                   std::atomic<bool>* stop = nullptr) {
  asio::io_context io;
  Peer peer(io, kServerName);
  peer.script = std::move(script);
  peer.stop = stop;
  c.port = peer.port();
  c.stop = stop;
  SessionOutcome out = run(io, c, &peer);
  CHECK(peer.connected);
  CHECK(out.obs.address == "127.0.0.1");
  CHECK(out.obs.port == peer.port());
  return {std::move(out.obs), out.stopped, std::move(peer.received)};
}

std::string cat(std::initializer_list<std::string_view> parts) {
  std::string out;
  for (auto p : parts) out += p;
  return out;
}

const std::string kGreeting = "220 mx.session-test.example ESMTP\r\n";
const std::string kEhloReply = "250-mx.session-test.example\r\n250-SIZE 1000\r\n250 8BITMIME\r\n";
const std::string kEhloTlsReply = "250-mx.session-test.example\r\n250-STARTTLS\r\n250 8BITMIME\r\n";

}  // namespace

TEST_CASE("session: plain dialogue with multi-line replies, then QUIT", "[smtp][session]") {
  int connects = 0;
  SessionConfig c = config(0);
  c.on_connect = [&connects] { ++connects; };
  const Played p = play_script({say("220-mx.session-test.example ESMTP\r\n220 welcome\r\n"), hear(),
                                say(kEhloReply), hear(), say("221 bye\r\n")},
                               c);
  INFO(p.obs.error);
  CHECK(p.obs.status == SmtpStatus::success);
  CHECK(p.obs.phase == SmtpPhase::done);
  CHECK_FALSE(p.stopped);
  CHECK(p.obs.banner == "220-mx.session-test.example ESMTP\n220 welcome");
  CHECK(p.obs.ehlo == "250-mx.session-test.example\n250-SIZE 1000\n250 8BITMIME");
  CHECK_FALSE(p.obs.starttls_offered);
  CHECK_FALSE(p.obs.tls);
  CHECK(p.obs.error.empty());
  CHECK(p.obs.duration_ms > 0);
  CHECK(connects == 1);
  CHECK(p.received == cat({kEhlo, kQuit}));
}

TEST_CASE("session: STARTTLS, the handshake with a real certificate, EHLO and QUIT over TLS",
          "[smtp][session]") {
  const Played p =
      play_script({say(kGreeting), hear(), say(kEhloTlsReply), hear(), say("220 go ahead\r\n"),
                   start_tls(), hear(), say("250-mx.session-test.example\r\n250 SIZE 2000\r\n"),
                   hear(), say("221 bye\r\n")});
  INFO(p.obs.error);
  CHECK(p.obs.status == SmtpStatus::success);
  CHECK(p.obs.phase == SmtpPhase::done);
  CHECK(p.obs.starttls_offered);
  CHECK(p.obs.starttls_accepted);
  CHECK(p.obs.plaintext_after_starttls == 0);
  CHECK(p.obs.ehlo_tls == "250-mx.session-test.example\n250 SIZE 2000");
  REQUIRE(p.obs.tls);
  CHECK(p.obs.tls->leaf.subject_cn == "mx.session-test.example");
  CHECK(p.obs.tls->chain_der.size() == 1);
  CHECK_FALSE(p.obs.tls->trusted);  // self-signed, not in the system store
  CHECK_FALSE(p.obs.tls->verify_error.empty());
  CHECK(p.obs.duration_ms > 0);
  // The second EHLO and the QUIT went inside TLS: the peer read them decrypted.
  CHECK(p.received == cat({kEhlo, "STARTTLS\r\n", kEhlo, kQuit}));
}

TEST_CASE("session: plaintext after the 220 to STARTTLS is counted and never fed to TLS",
          "[smtp][session]") {
  const Played p = play_script(
      {say(kGreeting), hear(), say(kEhloTlsReply), hear(), say("220 go ahead\r\n250 injected\r\n"),
       start_tls(), hear(), say("250 mx.session-test.example\r\n"), hear(), say("221 bye\r\n")});
  INFO(p.obs.error);
  CHECK(p.obs.status == SmtpStatus::success);
  CHECK(p.obs.plaintext_after_starttls == std::string("250 injected\r\n").size());
  CHECK(p.obs.ehlo_tls == "250 mx.session-test.example");
}

TEST_CASE("session: a greeting that refuses the session is answered with QUIT", "[smtp][session]") {
  const auto [reply, status] =
      GENERATE(std::pair{std::string("554 no service here\r\n"), SmtpStatus::greeting_5xx},
               std::pair{std::string("421-busy\r\n421 try later\r\n"), SmtpStatus::greeting_4xx});
  const Played p = play_script({say(reply), hear(), say("221 bye\r\n")});
  CHECK(p.obs.status == status);
  CHECK(p.obs.phase == SmtpPhase::greeting);
  CHECK(p.obs.error == "greeting: " + reply.substr(0, 3));
  CHECK(p.obs.banner.substr(0, 3) == reply.substr(0, 3));
  CHECK(p.obs.duration_ms > 0);
  CHECK(p.received == kQuit);
}

TEST_CASE("session: EHLO refused with 5xx falls back to HELO", "[smtp][session]") {
  const Played p =
      play_script({say(kGreeting), hear(), say("502 command not implemented\r\n"), hear(),
                   say("250 mx.session-test.example\r\n"), hear(), say("221 bye\r\n")});
  INFO(p.obs.error);
  CHECK(p.obs.status == SmtpStatus::success);
  CHECK(p.obs.ehlo == "502 command not implemented\n250 mx.session-test.example");
  CHECK(p.received == cat({kEhlo, "HELO scanner.test.lab.example\r\n", kQuit}));
}

TEST_CASE("session: EHLO and HELO refused, or a 421 to EHLO: ehlo-failed, then QUIT",
          "[smtp][session]") {
  SECTION("both refused") {
    const Played p = play_script({say(kGreeting), hear(), say("550 go away\r\n"), hear(),
                                  say("550 still no\r\n"), hear(), say("221 bye\r\n")});
    CHECK(p.obs.status == SmtpStatus::ehlo_failed);
    CHECK(p.obs.phase == SmtpPhase::ehlo);
    CHECK(p.obs.error == "ehlo: 550");
    CHECK(p.obs.ehlo == "550 go away\n550 still no");
    CHECK(p.received == cat({kEhlo, "HELO scanner.test.lab.example\r\n", kQuit}));
  }
  SECTION("421: the service is closing") {
    const Played p =
        play_script({say(kGreeting), hear(), say("421 shutting down\r\n"), hear(), say("221\r\n")});
    CHECK(p.obs.status == SmtpStatus::ehlo_failed);
    CHECK(p.obs.error == "ehlo: 421");
    CHECK(p.received == cat({kEhlo, kQuit}));  // no HELO after a 4xx
  }
  SECTION("refused after TLS") {
    const Played p =
        play_script({say(kGreeting), hear(), say(kEhloTlsReply), hear(), say("220 go ahead\r\n"),
                     start_tls(), hear(), say("554 not over TLS\r\n"), hear(), say("221 bye\r\n")});
    CHECK(p.obs.status == SmtpStatus::ehlo_failed);
    CHECK(p.obs.phase == SmtpPhase::ehlo_tls);
    CHECK(p.obs.error == "ehlo after tls: 554");
    CHECK(p.obs.ehlo_tls == "554 not over TLS");
    CHECK(p.obs.tls);
    CHECK(p.received == cat({kEhlo, "STARTTLS\r\n", kEhlo, kQuit}));
  }
}

TEST_CASE("session: STARTTLS refused, then QUIT", "[smtp][session]") {
  const Played p = play_script({say(kGreeting), hear(), say(kEhloTlsReply), hear(),
                                say("454 TLS not available\r\n"), hear(), say("221 bye\r\n")});
  CHECK(p.obs.status == SmtpStatus::starttls_refused);
  CHECK(p.obs.phase == SmtpPhase::starttls);
  CHECK(p.obs.error == "starttls: 454 TLS not available");
  CHECK(p.obs.starttls_offered);
  CHECK_FALSE(p.obs.starttls_accepted);
  CHECK(p.received == cat({kEhlo, "STARTTLS\r\n", kQuit}));
}

TEST_CASE("session: silence ends in a timeout, and nothing more is said", "[smtp][session]") {
  SessionConfig c = config(0);
  c.timeouts.greeting = 300ms;
  c.timeouts.reply = 300ms;
  SECTION("no greeting") {
    const Played p = play_script({}, c);
    CHECK(p.obs.status == SmtpStatus::greeting_timeout);
    CHECK(p.obs.phase == SmtpPhase::greeting);
    CHECK(p.obs.error == "greeting: timed out");
    CHECK(p.obs.duration_ms >= 300);
    CHECK(p.received.empty());
  }
  SECTION("a greeting without its line end") {
    const Played p = play_script({say("220 mx.session-test.example")}, c);
    CHECK(p.obs.status == SmtpStatus::greeting_timeout);
    CHECK(p.obs.banner.empty());
    CHECK(p.received.empty());
  }
  SECTION("no reply to EHLO") {
    const Played p = play_script({say(kGreeting)}, c);
    CHECK(p.obs.status == SmtpStatus::io_timeout);
    CHECK(p.obs.phase == SmtpPhase::ehlo);
    CHECK(p.obs.error == "ehlo: timed out");
    CHECK(p.obs.duration_ms >= 300);
    CHECK(p.received == kEhlo);  // no QUIT into a connection in an unknown state
  }
  SECTION("the session deadline comes first") {
    c.timeouts.greeting = 10s;
    c.timeouts.session = 300ms;
    const Played p = play_script({}, c);
    CHECK(p.obs.status == SmtpStatus::greeting_timeout);
    CHECK(p.obs.error == "greeting: session deadline reached");
    CHECK(p.obs.duration_ms >= 300);
  }
}

TEST_CASE("session: the server hangs up, resets or is not SMTP", "[smtp][session]") {
  SECTION("FIN after the greeting") {
    const Played p = play_script({say(kGreeting), hang_up()});
    CHECK(p.obs.status == SmtpStatus::closed);
    CHECK(p.obs.phase == SmtpPhase::ehlo);
    CHECK(p.obs.error == "ehlo: connection closed by server");
    CHECK(p.obs.banner == "220 mx.session-test.example ESMTP");
    CHECK(p.received == kEhlo);
  }
  SECTION("RST instead of a greeting") {
    const Played p = play_script({reset()});
    CHECK(p.obs.status == SmtpStatus::reset);
    CHECK(p.obs.phase == SmtpPhase::greeting);  // also when connect() saw the reset
    CHECK(p.obs.error.rfind("greeting: ", 0) == 0);
    CHECK(p.received.empty());
  }
  SECTION("another protocol's banner") {
    const Played p = play_script({say("SSH-2.0-OpenSSH_9.2\r\n")});
    CHECK(p.obs.status == SmtpStatus::not_smtp);
    CHECK(p.obs.error == "greeting: malformed reply line (line 1)");
    CHECK(p.received.empty());
  }
  SECTION("an EHLO reply with mixed codes") {
    const Played p = play_script({say(kGreeting), hear(), say("250-mx\r\n251 odd\r\n")});
    CHECK(p.obs.status == SmtpStatus::protocol_error);
    CHECK(p.obs.error == "ehlo: mixed reply codes (line 2)");
    CHECK(p.received == kEhlo);
  }
  SECTION("text instead of a TLS handshake") {
    const Played p =
        play_script({say(kGreeting), hear(), say(kEhloTlsReply), hear(), say("220 go ahead\r\n"),
                     hear_bytes(), say("HTTP/1.1 400 Bad Request\r\n\r\n")});
    CHECK(p.obs.status == SmtpStatus::tls_failed);
    CHECK(p.obs.phase == SmtpPhase::tls_handshake);
    CHECK(p.obs.error.rfind("tls handshake: ", 0) == 0);
    CHECK_FALSE(p.obs.tls);
    const std::string before_tls = cat({kEhlo, "STARTTLS\r\n"});
    REQUIRE(p.received.size() > before_tls.size());
    CHECK(p.received.substr(0, before_tls.size()) == before_tls);
    CHECK(p.received[before_tls.size()] == '\x16');  // a ClientHello record, then no QUIT
  }
}

TEST_CASE("session: connect refused", "[smtp][session]") {
  asio::io_context io;
  std::uint16_t port = 0;
  {
    tcp::acceptor closed(io, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
    port = closed.local_endpoint().port();
  }
  const SessionOutcome out = run(io, config(port), nullptr);
  CHECK(out.obs.status == SmtpStatus::refused);
  CHECK(out.obs.phase == SmtpPhase::connect);
  CHECK(out.obs.error == "connect: Connection refused");
  CHECK(out.obs.duration_ms > 0);
  CHECK_FALSE(out.stopped);
}

TEST_CASE("session: a stop says QUIT at the next step and leaves the observation partial",
          "[smtp][session]") {
  std::atomic<bool> stop{false};
  SECTION("before connecting: nothing is begun") {
    stop = true;
    asio::io_context io;
    tcp::acceptor listener(io, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
    SessionConfig c = config(listener.local_endpoint().port());
    c.stop = &stop;
    int connects = 0;
    c.on_connect = [&connects] { ++connects; };
    const SessionOutcome out = run(io, c, nullptr);
    CHECK(out.stopped);
    CHECK(out.obs.phase == SmtpPhase::connect);
    CHECK(out.obs.duration_ms == 0);
    CHECK(connects == 0);
    listener.non_blocking(true);
    boost::system::error_code ec;
    listener.accept(ec);
    CHECK(ec == asio::error::would_block);  // no connection is waiting
  }
  SECTION("after the greeting") {
    const Played p =
        play_script({stop_scan(), say(kGreeting), hear(), say("221 bye\r\n")}, config(0), &stop);
    CHECK(p.stopped);
    CHECK(p.obs.banner == "220 mx.session-test.example ESMTP");
    CHECK(p.received == kQuit);
  }
  SECTION("after EHLO, instead of STARTTLS") {
    const Played p = play_script(
        {say(kGreeting), hear(), stop_scan(), say(kEhloTlsReply), hear(), say("221 bye\r\n")},
        config(0), &stop);
    CHECK(p.stopped);
    CHECK(p.obs.starttls_offered);
    CHECK(p.received == cat({kEhlo, kQuit}));
  }
  SECTION("after the handshake, inside TLS") {
    const Played p = play_script({say(kGreeting), hear(), say(kEhloTlsReply), hear(), stop_scan(),
                                  say("220 go ahead\r\n"), start_tls(), hear(), say("221 bye\r\n")},
                                 config(0), &stop);
    CHECK(p.stopped);
    CHECK(p.obs.tls);
    CHECK(p.received == cat({kEhlo, "STARTTLS\r\n", kQuit}));
  }
  SECTION("after an EHLO without STARTTLS the measurement is whole: it ends as usual") {
    const Played p = play_script(
        {say(kGreeting), hear(), stop_scan(), say(kEhloReply), hear(), say("221 bye\r\n")},
        config(0), &stop);
    CHECK_FALSE(p.stopped);
    CHECK(p.obs.status == SmtpStatus::success);
    CHECK(p.obs.duration_ms > 0);
    CHECK(p.received == cat({kEhlo, kQuit}));
  }
}
