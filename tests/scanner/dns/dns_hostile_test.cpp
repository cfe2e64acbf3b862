// Hostile DNS (docs/reliability.md): the DNS stage against tests/support/hostile.py and
// the SERVFAIL responder, run by tests/scanner/dns/run.sh (hidden otherwise). Each
// case checks the status, that every domain gets exactly one observation, and
// that what is kept stays bounded (records capped, chains cut, heap returned).
#include "mxscan/scanner/dns/dns_stage.hpp"

#include <catch2/catch.hpp>

#include <malloc.h>

#include <chrono>
#include <cstdlib>
#include <fstream>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "dns_stage_run.hpp"
#include "mxscan/scanner/conduct/blocklist.hpp"

namespace {

using mxscan::DnsStatus;

const std::string kX253 = std::string(63, 'a') + "." + std::string(63, 'b') + "." +
                          std::string(63, 'c') + "." + std::string(54, 'd') + ".h.test";
const std::string kX254 = std::string(63, 'a') + "." + std::string(63, 'b') + "." +
                          std::string(63, 'c') + "." + std::string(55, 'd') + ".h.test";
const std::string kLabel63 = std::string(63, 'e') + ".h.test";
const std::string kLabel64 = std::string(64, 'f') + ".h.test";

using mxscan::test::env;
using mxscan::test::get;
using Run = mxscan::test::DnsRun;

mxscan::DnsOptions hostile_options() {
  return mxscan::test::options_for(env("MXSCAN_TEST_HOSTILE"));
}

// Runs the stage and checks that each name got exactly one observation.
Run run(const std::vector<std::string>& names, const mxscan::DnsOptions& o) {
  Run r = mxscan::test::run_stage(names, o);
  std::set<std::string> distinct(names.begin(), names.end());
  CHECK(r.emitted == names.size());
  CHECK(r.obs.size() == distinct.size());
  CHECK(r.stats.domains == names.size());
  return r;
}

// Lines of the hostile server's log asking `qname` (any type, any transport).
std::size_t times_asked(const std::string& qname, const std::string& proto = "") {
  std::ifstream in(env("MXSCAN_TEST_HOSTILE_LOG"));
  std::size_t n = 0;
  std::string p, type, name;
  while (in >> p >> type >> name) {
    if (name == qname && (proto.empty() || p == proto)) ++n;
  }
  return n;
}

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

}  // namespace

TEST_CASE("hostile DNS: replies with the wrong ID or from the wrong port are ignored",
          "[.][nsd][hostile]") {
  auto o = hostile_options();
  std::vector<std::string> names = {"wrongid.h.test", "wrongport.h.test", "wrongid-only.h.test",
                                    "wrongport-only.h.test"};
  Run r = run(names, o);
  for (const char* n : {"wrongid.h.test", "wrongport.h.test"}) {
    INFO(n);
    const auto& obs = get(r, n);
    CHECK(obs.mx_status == DnsStatus::ok);
    REQUIRE(obs.mx.size() == 1);
    CHECK(obs.mx[0].exchange == "mx.h.test");  // never the decoy's evil.h.test
    CHECK(obs.mx[0].addresses == std::vector<std::string>{"127.0.3.1"});
  }
  for (const char* n : {"wrongid-only.h.test", "wrongport-only.h.test"}) {
    INFO(n);
    CHECK(get(r, n).mx_status == DnsStatus::timeout);
    CHECK(get(r, n).mx.empty());
  }
  CHECK(times_asked("evil.h.test") == 0);
  // Two tries of 300 + 600 ms, with the 50 ms timer's granularity and a loaded machine.
  CHECK(r.seconds < 3.0);
}

TEST_CASE("hostile DNS: truncation loops end, bounded", "[.][nsd][hostile]") {
  auto o = hostile_options();
  std::vector<std::string> names = {"tcloop.h.test", "tcclose.h.test", "tcsilent.h.test"};
  Run r = run(names, o);
  const auto& loop = get(r, "tcloop.h.test");
  CHECK(loop.mx_status == DnsStatus::error);
  CHECK(contains(loop.error, "truncated"));
  auto closed = get(r, "tcclose.h.test").mx_status;
  CHECK((closed == DnsStatus::error || closed == DnsStatus::timeout));
  CHECK(get(r, "tcsilent.h.test").mx_status == DnsStatus::timeout);
  for (const char* n : {"tcloop.h.test", "tcclose.h.test", "tcsilent.h.test"}) {
    INFO(n);
    CHECK(get(r, n).mx.empty());
    // Each of the 2 tries goes over UDP then at most once over TCP.
    CHECK(times_asked(n, "tcp") >= 1);
    CHECK(times_asked(n) <= 4 * static_cast<std::size_t>(o.retries + 1));
  }
  CHECK(r.seconds < 3.0);
}

TEST_CASE("hostile DNS: 500 MX records are capped at 32, lowest preferences kept",
          "[.][nsd][hostile]") {
  Run r = run({"mx500.h.test"}, hostile_options());
  const auto& obs = get(r, "mx500.h.test");
  CHECK(obs.mx_status == DnsStatus::ok);
  CHECK(obs.mx_capped);
  REQUIRE(obs.mx.size() == 32);
  // Record i has preference 1000 - i: the 32 lowest are x499 down to x468.
  CHECK(obs.mx[0].exchange == "x499.h.test");
  CHECK(obs.mx[0].preference == 501);
  CHECK(obs.mx[31].exchange == "x468.h.test");
  CHECK(obs.mx[31].preference == 532);
  CHECK(obs.mx[0].addresses == std::vector<std::string>{"127.0.4.250"});
  for (const auto& m : obs.mx) CHECK(m.addr_status == DnsStatus::ok);
  CHECK(r.stats.exchanges == 32);  // the 468 dropped exchanges are never asked
  CHECK(times_asked("x000.h.test") == 0);
}

TEST_CASE("hostile DNS: CNAME loops and endless chains are cut", "[.][nsd][hostile]") {
  Run r = run({"cnameself.h.test", "cnameloop.h.test", "chain0.h.test"}, hostile_options());
  for (const char* n : {"cnameself.h.test", "cnameloop.h.test", "chain0.h.test"}) {
    INFO(n);
    CHECK(get(r, n).mx_status == DnsStatus::cname_loop);
    CHECK(get(r, n).mx.empty());
  }
  CHECK(get(r, "cnameself.h.test").error == "CNAME loop");
  CHECK(get(r, "cnameloop.h.test").error == "CNAME loop");
  CHECK(get(r, "chain0.h.test").error == "CNAME chain too long");
  // One question per hop, and no more hops than the chain limit allows.
  std::size_t hops = 0;
  for (std::size_t i = 0; i < 20; ++i) hops += times_asked("chain" + std::to_string(i) + ".h.test");
  CHECK(hops >= mxscan::dns::kMaxCnameChain);
  CHECK(hops <= mxscan::dns::kMaxCnameChain + 1);
}

TEST_CASE("hostile DNS: exchanges that are address literals or localhost", "[.][nsd][hostile]") {
  Run r =
      run({"lit127.h.test", "lit6.h.test", "localhost.h.test", "sfx.h.test"}, hostile_options());
  const auto& lit = get(r, "lit127.h.test").mx.at(0);
  CHECK(lit.exchange == "127.0.0.1");
  CHECK(lit.addr_status == DnsStatus::address_literal);
  CHECK(lit.addresses.empty());  // a literal is recorded, never used as an address
  CHECK(times_asked("127.0.0.1") == 0);
  const auto& lit6 = get(r, "lit6.h.test").mx.at(0);
  CHECK(lit6.addr_status == DnsStatus::invalid_name);  // "::1" as a label is no host name
  CHECK(lit6.addresses.empty());
  // localhost. is asked like any exchange (c-ares queries the resolver, never
  // /etc/hosts) and recorded as answered; the SMTP stage's default blocklist
  // is what keeps the scanner from contacting that address.
  const auto& local = get(r, "localhost.h.test").mx.at(0);
  CHECK(local.exchange == "localhost");
  CHECK(local.addr_status == DnsStatus::ok);
  REQUIRE(local.addresses == std::vector<std::string>{"127.0.0.1"});
  mxscan::Blocklist blocklist;
  blocklist.add_file(MXSCAN_SOURCE_DIR "/configs/blocklist.conf");
  auto addr = mxscan::IpAddress::parse(local.addresses[0]);
  REQUIRE(addr);
  CHECK(blocklist.is_blocked(*addr));
  // An exchange whose A lookup gets SERVFAIL: the domain is ok, the exchange not.
  const auto& sfx = get(r, "sfx.h.test");
  CHECK(sfx.mx_status == DnsStatus::ok);
  CHECK(sfx.mx.at(0).addr_status == DnsStatus::servfail);
  CHECK(sfx.mx.at(0).addresses.empty());
}

TEST_CASE("hostile DNS: names at and over the 253/63 limits", "[.][nsd][hostile]") {
  REQUIRE(kX253.size() == 253);
  REQUIRE(kX254.size() == 254);
  std::vector<std::string> names = {
      kX253,         kX254,         kLabel63,         kLabel64,
      "x253.h.test", "x254.h.test", "label63.h.test", "label64.h.test"};
  Run r = run(names, hostile_options());
  // Input side: at the limit it is asked (the server says NXDOMAIN), over it
  // is rejected before any query.
  CHECK(get(r, kX253).mx_status == DnsStatus::nxdomain);
  CHECK(get(r, kLabel63).mx_status == DnsStatus::nxdomain);
  CHECK(get(r, kX254).mx_status == DnsStatus::invalid_name);
  CHECK(get(r, kX254).error == "name longer than 253 octets");
  CHECK(get(r, kLabel64).mx_status == DnsStatus::invalid_name);
  CHECK(get(r, kLabel64).error == "label longer than 63 octets");
  CHECK(times_asked(kX254) == 0);
  CHECK(times_asked(kLabel64) == 0);
  CHECK(r.stats.invalid == 2);
  // Answer side: an exchange at the limits is used; one over them makes the
  // answer malformed (the whole answer is refused, not a cut-down name).
  const auto& at = get(r, "x253.h.test");
  CHECK(at.mx_status == DnsStatus::ok);
  REQUIRE(at.mx.size() == 1);
  CHECK(at.mx[0].exchange == kX253);
  CHECK(at.mx[0].addresses == std::vector<std::string>{"127.0.3.2"});
  const auto& l63 = get(r, "label63.h.test");
  REQUIRE(l63.mx.size() == 1);
  CHECK(l63.mx[0].addresses == std::vector<std::string>{"127.0.3.3"});
  const auto& over = get(r, "x254.h.test");
  CHECK(over.mx_status == DnsStatus::error);
  CHECK(contains(over.error, "name longer than 255 octets"));
  const auto& l64 = get(r, "label64.h.test");
  CHECK(l64.mx_status == DnsStatus::error);
  CHECK(contains(l64.error, "unsupported label type"));
}

TEST_CASE("hostile DNS: answers just under and just over the timeout", "[.][nsd][hostile]") {
  auto o = hostile_options();
  o.timeout = std::chrono::milliseconds(1000);
  o.retries = 0;
  // One domain at a time: slow1300's answer arrives (at 1.3 s, after its
  // timeout at 1.0 s) while slow600 is being asked, and must not be taken for
  // anything.
  o.max_in_flight = 1;
  o.channels = 1;
  Run r = run({"slow1300.h.test", "slow600.h.test"}, o);
  CHECK(get(r, "slow1300.h.test").mx_status == DnsStatus::timeout);
  const auto& under = get(r, "slow600.h.test");
  CHECK(under.mx_status == DnsStatus::ok);
  REQUIRE(under.mx.size() == 1);
  CHECK(under.mx[0].exchange == "mx.h.test");
  CHECK(r.seconds >= 1.55);
  CHECK(r.seconds < 4.0);
}

TEST_CASE("hostile DNS: a SERVFAIL storm loses nothing and ends in bounded time",
          "[.][nsd][hostile]") {
  mxscan::DnsOptions o = mxscan::test::options_for(env("MXSCAN_TEST_SERVFAIL"));
  o.timeout = std::chrono::milliseconds(500);
  o.max_in_flight = 200;
  SECTION("one thread") { o.threads = 1; }
  SECTION("two threads") { o.threads = 2; }
  std::vector<std::string> names;
  for (int i = 0; i < 3000; ++i) names.push_back("storm" + std::to_string(i) + ".test");
  const std::size_t heap_before = mallinfo2().uordblks;
  {
    Run r = run(names, o);
    std::size_t servfail = 0;
    for (const auto& [d, obs] : r.obs) servfail += obs.mx_status == DnsStatus::servfail ? 1 : 0;
    CHECK(servfail == names.size());
    CHECK(r.stats.mx_status[static_cast<int>(DnsStatus::servfail)] == names.size());
    // SERVFAIL is an answer: asked once each, never retried (NOCHECKRESP).
    CHECK(r.stats.resolver.queries == names.size());
    CHECK(r.seconds < 30.0);
  }
  // What the run held (observations, the exchange cache, channels) is freed.
  const std::size_t heap_after = mallinfo2().uordblks;
  INFO("heap before " << heap_before << " after " << heap_after);
  CHECK(heap_after < heap_before + 1024 * 1024);
}
