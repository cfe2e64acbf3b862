#include "mxscan/scanner/conduct/gate_policy.hpp"

#include <algorithm>
#include <catch2/catch.hpp>
#include <map>

using mxscan::GateClock;
using mxscan::GateLimits;
using mxscan::GatePolicy;
using mxscan::GateTarget;
using mxscan::IpAddress;
using namespace std::chrono_literals;

namespace {

GateTarget target(const std::string& text) {
  auto a = IpAddress::parse(text);
  REQUIRE(a);
  return GateTarget{*a, text, {}};
}

}  // namespace

TEST_CASE("global in-flight cap: nothing more until a release") {
  const auto t0 = GateClock::now();
  GatePolicy g(GateLimits{0, 3, 0, 0}, t0);
  for (int i = 1; i <= 5; ++i) g.enqueue(target("198.51." + std::to_string(i) + ".1"));
  for (int i = 0; i < 3; ++i) CHECK(g.next(t0).verdict == GatePolicy::Verdict::admit);
  CHECK(g.next(t0).verdict == GatePolicy::Verdict::idle);
  CHECK(g.in_flight() == 3);
  g.release(*IpAddress::parse("198.51.1.1"), t0);
  CHECK(g.next(t0).verdict == GatePolicy::Verdict::admit);
  CHECK(g.next(t0).verdict == GatePolicy::Verdict::idle);
  CHECK(g.peak_in_flight() == 3);
}

TEST_CASE("per-/24 in-flight cap does not block other prefixes") {
  const auto t0 = GateClock::now();
  GatePolicy g(GateLimits{0, 0, 0, 2}, t0);
  for (int i = 1; i <= 10; ++i) g.enqueue(target("203.0.113." + std::to_string(i)));
  g.enqueue(target("198.51.100.1"));
  std::map<std::string, int> admitted;
  for (int i = 0; i < 20; ++i) {
    auto d = g.next(t0);
    if (d.verdict != GatePolicy::Verdict::admit) break;
    ++admitted[d.target.text.substr(0, d.target.text.rfind('.'))];
  }
  CHECK(admitted["203.0.113"] == 2);
  CHECK(admitted["198.51.100"] == 1);
  CHECK(g.peak_prefix_in_flight() == 2);
  g.release(*IpAddress::parse("203.0.113.1"), t0);
  auto d = g.next(t0);
  REQUIRE(d.verdict == GatePolicy::Verdict::admit);
  CHECK(d.target.text.rfind("203.0.113.", 0) == 0);
  CHECK(g.peak_prefix_in_flight() == 2);
}

TEST_CASE("IPv6 prefixes are /48") {
  const auto t0 = GateClock::now();
  GatePolicy g(GateLimits{0, 0, 0, 1}, t0);
  g.enqueue(target("2001:db8:1:1::1"));
  g.enqueue(target("2001:db8:1:2::1"));  // same /48
  g.enqueue(target("2001:db8:2::1"));    // another /48
  CHECK(g.next(t0).verdict == GatePolicy::Verdict::admit);
  CHECK(g.next(t0).verdict == GatePolicy::Verdict::admit);
  CHECK(g.next(t0).verdict == GatePolicy::Verdict::idle);
}

TEST_CASE("per-prefix rate: one new session per 1/rate seconds") {
  const auto t0 = GateClock::now();
  GatePolicy g(GateLimits{0, 0, 2.0, 0}, t0);  // 2 new sessions/s per /24
  for (int i = 1; i <= 5; ++i) g.enqueue(target("192.0.2." + std::to_string(i)));
  auto now = t0;
  int admitted = 0;
  std::vector<GateClock::time_point> starts;
  while (admitted < 5) {
    auto d = g.next(now);
    if (d.verdict == GatePolicy::Verdict::admit) {
      starts.push_back(now);
      ++admitted;
    } else {
      REQUIRE(d.verdict == GatePolicy::Verdict::wait_until);
      REQUIRE(d.until > now);
      now = d.until;
    }
  }
  REQUIRE(starts.size() == 5);
  for (std::size_t i = 1; i < starts.size(); ++i) CHECK(starts[i] - starts[i - 1] >= 499ms);
  CHECK(starts.back() - t0 <= 2001ms);
}

TEST_CASE("global rate: sessions/s over a second stays within rate plus burst") {
  const auto t0 = GateClock::now();
  GatePolicy g(GateLimits{100.0, 0, 0, 0}, t0);
  for (int i = 0; i < 1000; ++i)
    g.enqueue(target("100.100." + std::to_string(i / 250) + "." + std::to_string(i % 250)));
  auto now = t0;
  int admitted = 0;
  while (now - t0 < 1s) {
    auto d = g.next(now);
    if (d.verdict == GatePolicy::Verdict::admit)
      ++admitted;
    else
      now = d.until;
  }
  CHECK(admitted >= 100);
  CHECK(admitted <= 111);  // 100/s plus a burst of 10
}

TEST_CASE("an idle prefix is forgotten once its bucket refilled") {
  const auto t0 = GateClock::now();
  GatePolicy g(GateLimits{0, 0, 1.0, 1}, t0);
  g.enqueue(target("192.0.2.1"));
  REQUIRE(g.next(t0).verdict == GatePolicy::Verdict::admit);
  g.release(*IpAddress::parse("192.0.2.1"), t0);
  CHECK(g.tracked_prefixes() == 1);
  // A new address of the same /24 right away still waits for the rate.
  g.enqueue(target("192.0.2.2"));
  auto d = g.next(t0 + 100ms);
  CHECK(d.verdict == GatePolicy::Verdict::wait_until);
  REQUIRE(g.next(d.until).verdict == GatePolicy::Verdict::admit);
  g.release(*IpAddress::parse("192.0.2.2"), d.until);
  g.next(d.until + 2s);
  CHECK(g.tracked_prefixes() == 0);
}

TEST_CASE("lane_of keeps a prefix in one lane and spreads prefixes evenly", "[gate]") {
  for (std::size_t lanes : {2u, 3u, 4u, 8u}) {
    std::map<std::size_t, int> per_lane;
    // 4,096 consecutive /24s (the lab's and real address plans are this regular).
    for (int i = 0; i < 4096; ++i) {
      const auto a =
          IpAddress::parse("10." + std::to_string(i / 256) + "." + std::to_string(i % 256) + ".1");
      const auto b = IpAddress::parse("10." + std::to_string(i / 256) + "." +
                                      std::to_string(i % 256) + ".200");
      REQUIRE(a);
      REQUIRE(b);
      const std::size_t s = mxscan::lane_of(*a, lanes);
      REQUIRE(s < lanes);
      CHECK(mxscan::lane_of(*b, lanes) == s);
      ++per_lane[s];
    }
    const double even = 4096.0 / static_cast<double>(lanes);
    for (std::size_t s = 0; s < lanes; ++s) {
      CHECK(per_lane[s] > even * 0.8);
      CHECK(per_lane[s] < even * 1.2);
    }
  }
  const auto v6a = IpAddress::parse("2001:db8:1:ffff::1");
  const auto v6b = IpAddress::parse("2001:db8:1:2::99");
  REQUIRE(v6a);
  REQUIRE(v6b);
  CHECK(mxscan::lane_of(*v6a, 4) == mxscan::lane_of(*v6b, 4));  // one /48
  CHECK(mxscan::lane_of(*v6a, 1) == 0);
}

TEST_CASE("a global rate below one per second: 0.5/s admits one session every 2 s") {
  const auto t0 = GateClock::now();
  GatePolicy g(GateLimits{0.5, 0, 0, 0}, t0);
  for (int i = 1; i <= 10; ++i) g.enqueue(target("198.51." + std::to_string(i) + ".1"));
  // The bucket starts with one token (a burst of 0.05 s is less than one session).
  CHECK(g.next(t0).verdict == GatePolicy::Verdict::admit);
  auto d = g.next(t0);
  REQUIRE(d.verdict == GatePolicy::Verdict::wait_until);
  CHECK(d.until - t0 >= 2s);
  CHECK(d.until - t0 < 2s + 1ms);
  CHECK(g.next(t0 + 1999ms).verdict == GatePolicy::Verdict::wait_until);
  CHECK(g.next(d.until).verdict == GatePolicy::Verdict::admit);
  // Over a minute of synthetic time: 30 sessions, never two within 2 s.
  GatePolicy m(GateLimits{0.5, 0, 0, 0}, t0);
  for (int i = 1; i <= 100; ++i) m.enqueue(target("203.0." + std::to_string(i) + ".1"));
  int admitted = 0;
  for (auto t = t0; t < t0 + 60s; t += 100ms) {
    while (m.next(t).verdict == GatePolicy::Verdict::admit) ++admitted;
  }
  CHECK(admitted == 30);
}

TEST_CASE("a fractional rate such as 2.5/s is honoured, not rounded") {
  const auto t0 = GateClock::now();
  GatePolicy g(GateLimits{2.5, 0, 0, 0}, t0);
  for (int i = 1; i <= 100; ++i) g.enqueue(target("198.51." + std::to_string(i) + ".1"));
  int admitted = 0;
  for (auto t = t0; t < t0 + 10s; t += 10ms) {
    while (g.next(t).verdict == GatePolicy::Verdict::admit) ++admitted;
  }
  CHECK(admitted == 25);
}

TEST_CASE("drop_queued forgets every queued address; sessions in flight still release") {
  const auto t0 = GateClock::now();
  GatePolicy g(GateLimits{1, 0, 1, 1}, t0);
  for (int i = 1; i <= 4; ++i) g.enqueue(target("198.51.100." + std::to_string(i)));
  g.enqueue(target("203.0.113.1"));
  REQUIRE(g.next(t0).verdict == GatePolicy::Verdict::admit);
  CHECK(g.in_flight() == 1);
  CHECK(g.drop_queued() == 4);
  CHECK(g.queued() == 0);
  // Nothing is admitted afterwards, however much time passes and whatever is released.
  CHECK(g.next(t0 + 10s).verdict == GatePolicy::Verdict::idle);
  g.release(*IpAddress::parse("198.51.100.1"), t0 + 10s);
  CHECK(g.in_flight() == 0);
  CHECK(g.next(t0 + 20s).verdict == GatePolicy::Verdict::idle);
  // The policy still works for what is queued later.
  g.enqueue(target("192.0.2.1"));
  CHECK(g.next(t0 + 30s).verdict == GatePolicy::Verdict::admit);
}

TEST_CASE("lanes sharing one global bucket take turns instead of starting together") {
  // --rate 1 over two lanes: one session a second overall, never two at once,
  // however long the queues stayed empty before the addresses came.
  const auto t0 = GateClock::now();
  auto global = std::make_shared<mxscan::SharedTokenBucket>(1.0, 0.1, t0);
  GatePolicy a(GateLimits{1.0, 0, 0, 0}, t0, global);
  GatePolicy b(GateLimits{1.0, 0, 0, 0}, t0, global);
  for (int i = 1; i <= 20; ++i) {
    a.enqueue(target("198.51." + std::to_string(i) + ".1"));
    b.enqueue(target("203.0." + std::to_string(i) + ".1"));
  }
  std::vector<std::pair<double, char>> admitted;
  for (auto t = t0 + 30s; t < t0 + 40s; t += 10ms) {
    // The two threads race for each token: let each go first in turn.
    const bool a_first = (t - t0) / 1s % 2 == 0;
    for (auto [g, name] : {std::pair{a_first ? &a : &b, a_first ? 'a' : 'b'},
                           std::pair{a_first ? &b : &a, a_first ? 'b' : 'a'}}) {
      while (g->next(t).verdict == GatePolicy::Verdict::admit)
        admitted.emplace_back(std::chrono::duration<double>(t - t0).count(), name);
    }
  }
  REQUIRE(admitted.size() == 10);
  for (std::size_t i = 1; i < admitted.size(); ++i) {
    CHECK(admitted[i].first - admitted[i - 1].first == Approx(1.0).margin(0.011));
  }
  // Both lanes were served.
  CHECK(std::count_if(admitted.begin(), admitted.end(), [](auto x) { return x.second == 'a'; }) >
        0);
  CHECK(std::count_if(admitted.begin(), admitted.end(), [](auto x) { return x.second == 'b'; }) >
        0);
}

TEST_CASE("a retry takes a token of the global rate like a new session") {
  const auto t0 = GateClock::now();
  GatePolicy g(GateLimits{1.0, 0, 0, 0}, t0);
  g.enqueue(target("198.51.100.1"));
  g.enqueue(target("198.51.101.1"));
  REQUIRE(g.next(t0).verdict == GatePolicy::Verdict::admit);
  // The retry of the first session at t0 + 0.5 s waits for the next token (t0 + 1 s) ...
  const auto wait = g.take_rate_token(t0 + 500ms);
  REQUIRE(wait);
  CHECK(*wait >= t0 + 1s);
  CHECK(*wait < t0 + 1s + 1ms);
  CHECK_FALSE(g.take_rate_token(*wait));
  // ... and the queued address after it, one second later.
  CHECK(g.next(*wait).verdict == GatePolicy::Verdict::wait_until);
  CHECK(g.next(*wait + 1s).verdict == GatePolicy::Verdict::admit);
}
