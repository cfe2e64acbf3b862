// The resolver probe and DNS health against real servers (tests/scanner/dns/run.sh:
// NSD serving "test." on MXSCAN_TEST_NSD, a silent and a SERVFAIL responder),
// and the outage window's arithmetic, which needs no server.
#include "mxscan/scanner/dns/resolver_probe.hpp"

#include <catch2/catch.hpp>

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <thread>

#include "dns_stage_run.hpp"
#include "mxscan/scanner/dns/dns_health.hpp"

namespace {

using mxscan::DnsHealth;
using mxscan::DnsOutcome;
using mxscan::DnsStatus;
using mxscan::test::env;
using mxscan::test::options_for;
using Clock = std::chrono::steady_clock;

// A UDP port on 127.0.0.1 nobody listens on (bound, then closed).
std::string closed_port() {
  int fd = ::socket(AF_INET, SOCK_DGRAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  REQUIRE(::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0);
  socklen_t len = sizeof a;
  REQUIRE(::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len) == 0);
  ::close(fd);
  return "127.0.0.1:" + std::to_string(ntohs(a.sin_port));
}

// Waits for `done` (a condition, not a fixed sleep); false after `limit`.
template <typename Done>
bool eventually(Done done, std::chrono::seconds limit = std::chrono::seconds(20)) {
  const auto until = Clock::now() + limit;
  while (Clock::now() < until) {
    if (done()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return done();
}

DnsHealth::Settings settings_for(const std::string& resolver, std::size_t window,
                                 std::chrono::milliseconds wait) {
  DnsHealth::Settings s;
  s.window = window;
  s.wait = wait;
  s.probe_options = options_for(resolver);
  s.probe_options.timeout = std::chrono::milliseconds(100);
  s.probe_options.retries = 0;
  s.probe_interval = std::chrono::milliseconds(20);
  return s;
}

}  // namespace

TEST_CASE("resolver probe: names and what counts as an answer") {
  CHECK(mxscan::probe_name_problem(".").empty());
  CHECK(mxscan::probe_name_problem("Example.ORG.").empty());
  CHECK_FALSE(mxscan::probe_name_problem("not a name").empty());
  mxscan::ResolverProbeResult r;
  for (auto s : {DnsStatus::ok, DnsStatus::nodata, DnsStatus::nxdomain}) {
    r.status = s;
    CHECK(r.answered());
  }
  for (auto s : {DnsStatus::servfail, DnsStatus::refused, DnsStatus::timeout, DnsStatus::error}) {
    r.status = s;
    CHECK_FALSE(r.answered());
  }
}

TEST_CASE("resolver probe: a closed port is refused at once, with exit-2 material") {
  const std::string dead = closed_port();
  auto o = options_for(dead);
  const auto start = Clock::now();
  auto report = mxscan::probe_resolvers(o, ".");
  CHECK(Clock::now() - start < std::chrono::seconds(5));
  REQUIRE(report.results.size() == 1);
  CHECK(report.results[0].status == DnsStatus::error);
  CHECK(report.silent_list() == dead + ": resolver refused the connection (port closed)");
  CHECK(report.what_was_asked() == "SOA of \".\" (timeout 300 ms, doubled on each of 2 tries)");
  try {
    (void)mxscan::require_answering_resolver(o, ".", "");
    FAIL("no exception");
  } catch (const mxscan::ResolverProbeError& e) {
    const std::string what = e.what();
    CHECK(what.find("no DNS resolver answers") != std::string::npos);
    CHECK(what.find(dead) != std::string::npos);
    CHECK(what.find("no results folder was created") != std::string::npos);
  }
}

TEST_CASE("DNS health: the window trips only when full and 90 % failures") {
  // The probe would go to a closed port: nothing here may trip.
  DnsHealth health(settings_for(closed_port(), 10, std::chrono::milliseconds(100)),
                   [](const std::string&) {});
  for (int i = 0; i < 9; ++i) health.record(DnsOutcome::timeout);
  CHECK(health.state() == DnsHealth::State::running);  // not full yet
  health.record(DnsOutcome::answer);                   // full, 9 of 10: trips
  CHECK(health.state() == DnsHealth::State::paused);
  CHECK(health.pauses() == 1);
  health.stop();

  DnsHealth calm(settings_for(closed_port(), 10, std::chrono::milliseconds(100)),
                 [](const std::string&) {});
  for (int i = 0; i < 100; ++i) {
    calm.record(i % 5 == 0 ? DnsOutcome::answer : DnsOutcome::refused);  // 80 %
  }
  CHECK(calm.state() == DnsHealth::State::running);
  CHECK(calm.window_text() ==
        "8 of the last 10 DNS queries failed (0 timed out, 8 refused, 0 could not reach the "
        "resolver)");
  CHECK_THROWS(DnsHealth(settings_for(closed_port(), 9, std::chrono::milliseconds(1)),
                         [](const std::string&) {}));
}

TEST_CASE("DNS health: silent resolvers end in failed after the wait", "[.][nsd]") {
  std::vector<std::string> log;
  std::mutex log_mutex;
  std::atomic<int> woken{0};
  DnsHealth health(settings_for(env("MXSCAN_TEST_SILENT"), 10, std::chrono::milliseconds(300)),
                   [&](const std::string& line) {
                     std::lock_guard lock(log_mutex);
                     log.push_back(line);
                   });
  health.add_waker([&] { ++woken; });
  const auto start = Clock::now();
  for (int i = 0; i < 10; ++i) health.record(DnsOutcome::timeout);
  REQUIRE(eventually([&] { return health.state() == DnsHealth::State::failed; }));
  CHECK(Clock::now() - start >= std::chrono::milliseconds(300));
  CHECK(woken == 1);
  health.record(DnsOutcome::answer);  // too late: failed stays failed
  CHECK(health.state() == DnsHealth::State::failed);
  health.stop();
  REQUIRE(log.size() == 2);
  CHECK(log[0].find("DNS outage: 10 of the last 10 DNS queries failed (10 timed out") == 0);
  CHECK(log[1].find("still do not answer") != std::string::npos);
}

TEST_CASE("resolver probe and DNS health against NSD and the responders", "[.][nsd]") {
  const std::string nsd = env("MXSCAN_TEST_NSD");
  const std::string silent = env("MXSCAN_TEST_SILENT");
  const std::string servfail = env("MXSCAN_TEST_SERVFAIL");

  SECTION("NSD answers the SOA of its zone, REFUSED for the root") {
    auto r = mxscan::probe_resolvers(options_for(nsd), "test.");
    REQUIRE(r.results.size() == 1);
    CHECK(r.results[0].answered());
    auto root = mxscan::probe_resolvers(options_for(nsd), ".");
    CHECK(root.results[0].status == DnsStatus::refused);
    CHECK(root.answering() == 0);
  }
  SECTION("every resolver is asked, in parallel; SERVFAIL is not an answer") {
    auto o = options_for(nsd);
    o.resolvers = {silent, nsd, servfail};
    const auto start = Clock::now();
    auto r = mxscan::probe_resolvers(o, "test.");
    // Silent: 300 + 600 ms; in sequence the three would take longer than that alone.
    CHECK(Clock::now() - start < std::chrono::milliseconds(900 + 800));
    REQUIRE(r.results.size() == 3);
    CHECK(r.results[0].status == DnsStatus::timeout);
    CHECK(r.results[1].answered());
    CHECK(r.results[2].status == DnsStatus::servfail);
    CHECK(r.answering() == 1);
    const std::string warning = mxscan::require_answering_resolver(o, "test.", "");
    CHECK(warning.find("2 of 3 DNS resolvers do not answer (" + silent +
                       ": no answer (timed out on every try); " + servfail +
                       ": answered SERVFAIL)") == 0);
    CHECK(mxscan::require_answering_resolver(options_for(nsd), "test.", "").empty());
  }
  SECTION("an outage ends when the resolver answers the probe again") {
    auto s = settings_for(nsd, 10, std::chrono::seconds(30));
    s.probe_name = "test.";
    std::atomic<int> woken{0};
    DnsHealth health(s, [](const std::string&) {});
    health.add_waker([&] { ++woken; });
    for (int i = 0; i < 10; ++i) health.record(DnsOutcome::unreachable);
    REQUIRE(eventually([&] { return woken.load() == 1; }));
    CHECK(health.state() == DnsHealth::State::running);
    CHECK(health.pauses() == 1);
    // The window starts afresh: one failure does not trip it again.
    health.record(DnsOutcome::timeout);
    CHECK(health.state() == DnsHealth::State::running);
  }
}
