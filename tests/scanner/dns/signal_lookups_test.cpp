// The signals' lookups against a scripted DNS server: the SPF walk (includes,
// redirect, RFC 7208's limits, loops, several records, syntax errors, DNS
// failures), the cache shared across domains (an include fetched once, also
// when domains ask for it at the same time), the tag=value TXT records, and a
// TXT answer too long for UDP asked again over TCP.
#include "mxscan/scanner/dns/signal_lookups.hpp"

#include <fmt/format.h>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <catch2/catch.hpp>

#include <chrono>
#include <exception>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "scripted_dns.hpp"

using mxscan::DnsStatus;
using mxscan::DomainSignals;
using mxscan::dns::RrType;
using mxscan::test::ScriptedDns;
using Reply = ScriptedDns::Reply;
using namespace std::chrono_literals;
using Names = std::vector<std::string>;

namespace {

namespace asio = boost::asio;
using Clock = std::chrono::steady_clock;

struct Fixture {
  asio::io_context io;
  ScriptedDns server{io};
  mxscan::DnsOptions options = [this] {
    mxscan::DnsOptions o;
    o.resolvers = {server.address()};
    o.timeout = 300ms;
    o.retries = 0;
    o.qps = 0;
    return o;
  }();
  mxscan::SignalCache cache;

  void txt(const std::string& name, std::vector<std::string> texts) {
    Reply r;
    for (auto& t : texts) r.answers.push_back({name, RrType::txt, std::move(t), 0});
    server.on(name, RrType::txt, std::move(r));
  }
  void rcode(const std::string& name, RrType type, std::uint8_t code) {
    Reply r;
    r.rcode = code;
    server.on(name, type, r);
  }

  template <typename T>
  T run(asio::awaitable<T> work) {
    std::optional<T> out;
    std::exception_ptr failure;
    asio::co_spawn(io, std::move(work), [&](std::exception_ptr e, T value) {
      failure = std::move(e);
      out = std::move(value);
    });
    const auto deadline = Clock::now() + 20s;
    while (!out && !failure && Clock::now() < deadline) io.run_one_for(100ms);
    if (failure) std::rethrow_exception(failure);
    REQUIRE(out);
    return std::move(*out);
  }

  DomainSignals signals(const std::string& domain) {
    mxscan::Resolver resolver(io, options);
    return run(mxscan::collect_signals(resolver, cache, domain));
  }
  mxscan::SpfObs spf(const std::string& domain) { return signals(domain).spf; }
};

asio::awaitable<std::pair<DomainSignals, DomainSignals>> two_at_once(mxscan::Resolver& r,
                                                                     mxscan::SignalCache& c) {
  using namespace boost::asio::experimental::awaitable_operators;
  auto [a, b] =
      co_await (mxscan::collect_signals(r, c, "a.test") && mxscan::collect_signals(r, c, "b.test"));
  co_return std::make_pair(std::move(a), std::move(b));
}

}  // namespace

TEST_CASE("SPF: includes and redirect are followed, names reached in order, lookups counted") {
  Fixture f;
  f.txt("gw.test", {"v=spf1 ip4:192.0.2.1 include:spf.protection.outlook.test "
                    "include:_spf.mailer.test a mx ~all",
                    "google-site-verification=x"});
  f.txt("spf.protection.outlook.test", {"v=spf1 include:spfa.protection.outlook.test -all"});
  f.txt("spfa.protection.outlook.test", {"v=spf1 ip4:203.0.113.0/24 -all"});
  f.txt("_spf.mailer.test", {"v=spf1 redirect=_spf2.mailer.test"});
  f.txt("_spf2.mailer.test", {"v=spf1 ip6:2001:db8::/32 ?all"});
  const auto spf = f.spf("gw.test");
  CHECK(spf.status == DnsStatus::ok);
  CHECK(spf.result == "ok");
  CHECK(spf.error.empty());
  CHECK(spf.record ==
        "v=spf1 ip4:192.0.2.1 include:spf.protection.outlook.test include:_spf.mailer.test a mx "
        "~all");
  CHECK(spf.reached == Names{"spf.protection.outlook.test", "spfa.protection.outlook.test",
                             "_spf.mailer.test", "_spf2.mailer.test"});
  CHECK(spf.lookups == 6);  // 3 includes, a, mx, the redirect
  // a and mx are counted, not asked.
  for (const auto& q : f.server.asked()) CHECK(q.type == RrType::txt);
}

TEST_CASE("SPF: none, several records, syntax, loop, limits and DNS failures") {
  Fixture f;
  f.txt("plain.test", {"hello"});
  f.rcode("gone.test", RrType::txt, 3);
  f.txt("two.test", {"v=spf1 -all", "v=spf1 a -all"});
  f.txt("bad.test", {"v=spf1 include:ok.test foo=bar ip5:1.2.3.4 -all"});
  f.txt("ok.test", {"v=spf1 -all"});
  f.txt("loop.test", {"v=spf1 include:loop-a.test -all"});
  f.txt("loop-a.test", {"v=spf1 include:loop-b.test -all"});
  f.txt("loop-b.test", {"v=spf1 include:loop-a.test -all"});
  f.txt("chain.test", {"v=spf1 include:c1.test -all"});
  for (int i = 1; i <= 11; ++i)
    f.txt(fmt::format("c{}.test", i), {fmt::format("v=spf1 include:c{}.test -all", i + 1)});
  f.txt("voids.test", {"v=spf1 exists:n1.test exists:n2.test exists:n3.test -all"});
  for (const char* n : {"n1.test", "n2.test", "n3.test"}) f.rcode(n, RrType::a, 3);
  f.txt("dangling.test", {"v=spf1 include:nothing.test -all"});
  f.rcode("nothing.test", RrType::txt, 3);
  f.txt("sick.test", {"v=spf1 include:servfail.test -all"});
  f.rcode("servfail.test", RrType::txt, 2);
  f.server.on("silent.test", RrType::txt, Reply{0, {}, true, false, false});
  f.txt("inner-two.test", {"v=spf1 include:two.test -all"});

  CHECK(f.spf("plain.test").result == "none");
  const auto gone = f.spf("gone.test");
  CHECK(gone.status == DnsStatus::nxdomain);
  CHECK(gone.result == "none");
  const auto two = f.spf("two.test");
  CHECK(two.result == "permerror");
  CHECK(two.error == "two SPF records");
  CHECK(two.record.empty());
  const auto bad = f.spf("bad.test");
  CHECK(bad.result == "permerror");
  CHECK(bad.error == "syntax: ip5:1.2.3.4");
  CHECK(bad.reached.empty());
  const auto loop = f.spf("loop.test");
  CHECK(loop.result == "permerror");
  CHECK(loop.error == "include loop at loop-a.test");
  CHECK(loop.reached == Names{"loop-a.test", "loop-b.test"});
  const auto chain = f.spf("chain.test");
  CHECK(chain.result == "permerror");
  CHECK(chain.error == "more than 10 DNS-querying terms");
  CHECK(chain.lookups == 11);
  CHECK(chain.reached.size() == 10);
  const auto voids = f.spf("voids.test");
  CHECK(voids.result == "permerror");
  CHECK(voids.error == "more than 2 void lookups");
  CHECK(voids.lookups == 3);
  const auto dangling = f.spf("dangling.test");
  CHECK(dangling.result == "permerror");
  CHECK(dangling.error == "nothing.test: no SPF record");
  const auto sick = f.spf("sick.test");
  CHECK(sick.result == "temperror");
  CHECK(sick.error == "servfail.test: servfail");
  const auto silent = f.spf("silent.test");
  CHECK(silent.status == DnsStatus::timeout);
  CHECK(silent.result == "temperror");
  CHECK(silent.error == "silent.test: timeout");
  const auto inner = f.spf("inner-two.test");
  CHECK(inner.result == "permerror");
  CHECK(inner.error == "two.test: two SPF records");
}

TEST_CASE("SPF includes are fetched once per run, also by domains asking at the same time") {
  Fixture f;
  f.txt("a.test", {"v=spf1 include:_spf.big.test -all"});
  f.txt("b.test", {"v=spf1 include:_spf.big.test -all"});
  f.txt("c.test", {"v=spf1 include:_spf.big.test -all"});
  f.txt("_spf.big.test", {"v=spf1 include:_netblocks.big.test -all"});
  f.txt("_netblocks.big.test", {"v=spf1 ip4:198.51.100.0/24 -all"});
  {
    mxscan::Resolver resolver(f.io, f.options);
    const auto [a, b] = f.run(two_at_once(resolver, f.cache));
    CHECK(a.spf.result == "ok");
    CHECK(b.spf.reached == Names{"_spf.big.test", "_netblocks.big.test"});
  }
  CHECK(f.spf("c.test").reached == Names{"_spf.big.test", "_netblocks.big.test"});
  CHECK(f.server.times_asked("_spf.big.test", "udp") == 1);
  CHECK(f.server.times_asked("_netblocks.big.test", "udp") == 1);
  const auto counts = f.cache.counts();
  CHECK(counts.spf_fetches == 2);
  CHECK(counts.spf_hits == 4);
}

TEST_CASE("MTA-STS, TLS-RPT and DMARC records with their outcome statuses") {
  Fixture f;
  f.txt("d.test", {"v=spf1 -all"});
  f.txt("_mta-sts.d.test", {"v=STSv1; id=2026120701"});
  f.txt("_smtp._tls.d.test", {"v=TLSRPTv1; rua=mailto:tlsrpt@d.test"});
  f.txt("_dmarc.d.test", {"v=DMARC1; p=reject; rua=mailto:x@ag.dmarcian.com"});
  const auto s = f.signals("d.test");
  CHECK(s.mta_sts.status == DnsStatus::ok);
  CHECK(s.mta_sts.id == "2026120701");
  CHECK(s.tls_rpt.rua == Names{"mailto:tlsrpt@d.test"});
  CHECK(s.dmarc.policy == "reject");
  CHECK(s.dmarc.rua == Names{"mailto:x@ag.dmarcian.com"});
  CHECK_FALSE(s.mta_sts.policy.has_value());

  f.rcode("_mta-sts.e.test", RrType::txt, 3);
  f.server.on("_smtp._tls.e.test", RrType::txt, Reply{});  // NOERROR, no records
  f.rcode("_dmarc.e.test", RrType::txt, 2);
  f.rcode("e.test", RrType::txt, 5);
  const auto e = f.signals("e.test");
  CHECK(e.mta_sts.status == DnsStatus::nxdomain);
  CHECK(e.tls_rpt.status == DnsStatus::nodata);
  CHECK(e.dmarc.status == DnsStatus::servfail);
  CHECK(e.dmarc.record.empty());
  CHECK(e.spf.status == DnsStatus::refused);
  CHECK(e.spf.result == "temperror");
}

TEST_CASE("an SPF record too long for UDP is read over TCP") {
  Fixture f;
  std::string record = "v=spf1";
  for (int i = 0; i < 40; ++i) record += fmt::format(" ip4:198.51.100.{}/32", i);
  record += " include:_spf.long.test -all";
  REQUIRE(record.size() > 512);
  Reply r;
  r.truncate_udp = true;
  r.answers.push_back({"long.test", RrType::txt, record, 0});
  f.server.on("long.test", RrType::txt, r);
  f.txt("_spf.long.test", {"v=spf1 -all"});
  const auto spf = f.spf("long.test");
  CHECK(spf.status == DnsStatus::ok);
  CHECK(spf.record == record);
  CHECK(spf.reached == Names{"_spf.long.test"});
  CHECK(f.server.times_asked("long.test", "tcp") == 1);
}
