// Server-backed tests of the DNS stage; run by tests/scanner/dns/run.sh, which starts
// NSD and the misbehaving responders and sets MXSCAN_TEST_* (hidden otherwise).
#include "mxscan/scanner/dns/dns_stage.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <fstream>
#include <map>
#include <string>
#include <vector>

#include "dns_stage_run.hpp"

namespace {

using mxscan::DnsStatus;

using mxscan::test::env;
using mxscan::test::get;
using mxscan::test::options_for;
using Run = mxscan::test::DnsRun;

Run run(const std::vector<std::string>& names, const mxscan::DnsOptions& o) {
  return mxscan::test::run_stage(names, o);
}

}  // namespace

TEST_CASE("DNS stage: every outcome against NSD", "[.][nsd]") {
  auto o = options_for(env("MXSCAN_TEST_NSD"));
  o.ipv6 = true;
  std::vector<std::string> names = {"ok.test",
                                    "OK.test.",
                                    "b\xC3\xBC"
                                    "cher.test",
                                    "nodata.test",
                                    "missing.test",
                                    "nullmx.test",
                                    "noaddr.test",
                                    "nxmx.test",
                                    "literal.test",
                                    "badname.test",
                                    "cname-mx.test",
                                    "cname-dom.test",
                                    "v6only.test",
                                    "loop-mx.test",
                                    "ext-mx.test",
                                    "chain-mx.test",
                                    "many.test",
                                    "refused.example",
                                    "mixed-null.test",
                                    "bad..name",
                                    "https://ok.test/"};
  Run r = run(names, o);
  CHECK(r.emitted == names.size() - 1);  // "OK.test." is a duplicate of "ok.test"

  const auto& ok = get(r, "ok.test");
  CHECK(ok.mx_status == DnsStatus::ok);
  REQUIRE(ok.mx.size() == 2);
  CHECK(ok.mx[0].exchange == "mx1.mail.test");
  CHECK(ok.mx[0].preference == 10);
  CHECK(ok.mx[0].addr_status == DnsStatus::ok);
  CHECK(ok.mx[0].addresses == std::vector<std::string>{"127.0.1.1"});
  CHECK(ok.mx[1].addresses == std::vector<std::string>{"127.0.1.2", "2001:db8::2"});
  CHECK(ok.line == 1);

  CHECK(get(r, "xn--bcher-kva.test").mx_status == DnsStatus::ok);
  CHECK(get(r, "nodata.test").mx_status == DnsStatus::nodata);
  CHECK(get(r, "missing.test").mx_status == DnsStatus::nxdomain);
  CHECK(get(r, "refused.example").mx_status == DnsStatus::refused);
  const auto& nullmx = get(r, "nullmx.test");
  CHECK(nullmx.mx_status == DnsStatus::null_mx);
  CHECK(nullmx.mx.empty());

  const auto& noaddr = get(r, "noaddr.test");
  CHECK(noaddr.mx_status == DnsStatus::ok);
  REQUIRE(noaddr.mx.size() == 1);
  CHECK(noaddr.mx[0].addr_status == DnsStatus::nodata);
  CHECK(noaddr.mx[0].addresses.empty());
  CHECK(get(r, "nxmx.test").mx[0].addr_status == DnsStatus::nxdomain);
  CHECK(get(r, "literal.test").mx[0].addr_status == DnsStatus::address_literal);
  CHECK(get(r, "literal.test").mx[0].exchange == "192.0.2.1");
  CHECK(get(r, "badname.test").mx[0].addr_status == DnsStatus::invalid_name);

  const auto& cmx = get(r, "cname-mx.test").mx.at(0);
  CHECK(cmx.addr_status == DnsStatus::ok);
  CHECK(cmx.cnames == std::vector<std::string>{"mx1.mail.test"});
  CHECK(cmx.addresses == std::vector<std::string>{"127.0.1.1"});
  const auto& cdom = get(r, "cname-dom.test");
  CHECK(cdom.mx_status == DnsStatus::ok);
  CHECK(cdom.mx.size() == 2);
  CHECK(cdom.cnames == std::vector<std::string>{"ok.test"});
  CHECK(get(r, "ok.test").cnames.empty());
  CHECK(get(r, "v6only.test").mx.at(0).addresses == std::vector<std::string>{"2001:db8::6"});
  CHECK(get(r, "loop-mx.test").mx.at(0).addr_status == DnsStatus::cname_loop);
  CHECK(get(r, "chain-mx.test").mx.at(0).addr_status == DnsStatus::cname_loop);
  // A CNAME out of the zone: asked again, and NSD refuses the foreign name.
  const auto& ext = get(r, "ext-mx.test").mx.at(0);
  CHECK(ext.cnames == std::vector<std::string>{"mx.outside.example"});
  CHECK(ext.addr_status == DnsStatus::refused);
  const auto& mixed = get(r, "mixed-null.test");
  CHECK(mixed.mx_status == DnsStatus::ok);
  REQUIRE(mixed.mx.size() == 2);
  CHECK(mixed.mx[0].addr_status == DnsStatus::invalid_name);
  CHECK(mixed.mx[1].addr_status == DnsStatus::ok);

  // 40 records of ~75 octets do not fit the 1232-octet UDP answer: seeing more
  // than 32 of them means c-ares retried over TCP.
  const auto& many = get(r, "many.test");
  CHECK(many.mx_status == DnsStatus::ok);
  CHECK(many.mx_capped);
  REQUIRE(many.mx.size() == 32);
  CHECK(many.mx[0].preference == 1);
  CHECK(many.mx[31].preference == 32);
  CHECK(many.mx[31].addresses == std::vector<std::string>{"127.0.2.32"});

  const auto& bad = get(r, "bad..name");
  CHECK(bad.mx_status == DnsStatus::invalid_name);
  CHECK(bad.error == "empty label");
  CHECK(get(r, "https://ok.test/").mx_status == DnsStatus::invalid_name);
  CHECK(r.stats.invalid == 2);
  CHECK(r.stats.mx_status[static_cast<int>(DnsStatus::ok)] == 14);
}

TEST_CASE("DNS stage: an exchange shared by many domains is resolved once", "[.][nsd]") {
  auto o = options_for(env("MXSCAN_TEST_NSD"));
  SECTION("one thread") { o.threads = 1; }
  SECTION("two threads sharing the exchange cache") { o.threads = 2; }
  std::vector<std::string> names;
  for (int i = 1; i <= 20; ++i) {
    std::string n = "shared";
    n += std::to_string(i);
    n += ".test";
    names.push_back(n);
  }
  Run r = run(names, o);
  REQUIRE(r.obs.size() == 20);
  for (const auto& [d, obs] : r.obs) {
    CHECK(obs.mx_status == DnsStatus::ok);
    REQUIRE(obs.mx.size() == 1);
    CHECK(obs.mx[0].addresses == std::vector<std::string>{"127.0.1.1"});
  }
  CHECK(r.stats.exchanges == 1);
  CHECK(r.stats.exchange_cache_hits == 19);
  CHECK(r.stats.resolver.queries == 21);  // 20 MX + 1 A
}

TEST_CASE("DNS stage: SERVFAIL, timeouts with retries, malformed answers", "[.][nsd]") {
  std::vector<std::string> names = {"a.test", "b.test", "c.test"};
  SECTION("SERVFAIL") {
    Run r = run(names, options_for(env("MXSCAN_TEST_SERVFAIL")));
    for (const auto& n : names) CHECK(get(r, n).mx_status == DnsStatus::servfail);
    CHECK(r.stats.resolver.queries == 3);
  }
  SECTION("silent server: timeout after retries, with backoff") {
    auto o = options_for(env("MXSCAN_TEST_SILENT"));
    o.timeout = std::chrono::milliseconds(200);
    o.retries = 2;
    auto t0 = std::chrono::steady_clock::now();
    Run r = run(names, o);
    double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    for (const auto& n : names) CHECK(get(r, n).mx_status == DnsStatus::timeout);
    // Three tries waiting 200, 400 and 800 ms (c-ares doubles per try), within
    // the 50 ms granularity of the timeout timer.
    CHECK(secs >= 1.35);
    CHECK(secs < 2.5);
    CHECK(r.stats.resolver.timeouts == 3);
  }
  SECTION("malformed answers are errors with a reason") {
    Run r = run(names, options_for(env("MXSCAN_TEST_GARBAGE")));
    for (const auto& n : names) {
      const auto& obs = get(r, n);
      CHECK(obs.mx_status == DnsStatus::error);
      CHECK(obs.error.find("malformed answer") != std::string::npos);
    }
  }
  SECTION("closed port") {
    auto o = options_for("127.0.0.6:9");  // nothing listens there
    Run r = run(names, o);
    for (const auto& n : names) {
      auto s = get(r, n).mx_status;
      CHECK((s == DnsStatus::error || s == DnsStatus::timeout));
    }
  }
}

TEST_CASE("DNS stage: queries/s cap observed at the server", "[.][nsd]") {
  const double cap = 400;
  auto o = options_for(env("MXSCAN_TEST_COUNTER"));
  o.qps = cap;
  o.max_in_flight = 200;
  std::vector<std::string> names;
  for (int i = 0; i < 1000; ++i) {
    std::string n = "rate";
    n += std::to_string(i);
    n += ".test";
    names.push_back(n);
  }
  std::string log = env("MXSCAN_TEST_COUNTER_LOG");
  std::size_t before = 0;
  {
    std::ifstream in(log);
    std::string line;
    while (std::getline(in, line)) ++before;
  }
  Run r = run(names, o);
  for (const auto& [d, obs] : r.obs) CHECK(obs.mx_status == DnsStatus::nxdomain);
  std::vector<double> t;
  {
    std::ifstream in(log);
    std::string line;
    std::size_t i = 0;
    while (std::getline(in, line)) {
      if (i++ >= before) t.push_back(std::stod(line));
    }
  }
  REQUIRE(t.size() == 1000);
  std::sort(t.begin(), t.end());
  // Largest number of arrivals within any one-second window.
  std::size_t worst = 0;
  for (std::size_t i = 0, j = 0; i < t.size(); ++i) {
    while (t[i] - t[j] >= 1.0) ++j;
    worst = std::max(worst, i - j + 1);
  }
  double overall = static_cast<double>(t.size() - 1) / (t.back() - t.front());
  INFO("worst 1 s window " << worst << ", overall " << overall << " q/s");
  CHECK(static_cast<double>(worst) <= cap * 1.05 + 1);
  CHECK(overall <= cap * 1.02);
  CHECK(overall >= cap * 0.8);
}
