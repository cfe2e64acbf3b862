// The DNS stage with signals on, against the scripted server: signals beside the MX
// records, TLSA asked for the primary exchanges only (once per exchange across
// domains), an invalid name with signals present and nothing queried, and signals
// off asking nothing beyond MX and addresses.
#include "mxscan/scanner/dns/dns_stage.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <catch2/catch.hpp>

#include <chrono>
#include <exception>
#include <optional>
#include <string>
#include <utility>

#include "scripted_dns.hpp"

using mxscan::DnsStatus;
using mxscan::DomainObs;
using mxscan::DomainRecord;
using mxscan::dns::RrType;
using mxscan::test::ScriptedDns;
using Reply = ScriptedDns::Reply;
using namespace std::chrono_literals;

namespace {

namespace asio = boost::asio;

struct Fixture {
  asio::io_context io;
  ScriptedDns server{io};
  explicit Fixture(bool signals) {
    options.resolvers = {server.address()};
    options.timeout = 500ms;
    options.retries = 0;
    options.qps = 0;
    options.signals = signals;
    Reply mx;
    mx.answers = {{"a.test", RrType::mx, "mx1.hoster.test", 10},
                  {"a.test", RrType::mx, "mx2.hoster.test", 20}};
    server.on("a.test", RrType::mx, mx);
    Reply mx_b;
    mx_b.answers = {{"b.test", RrType::mx, "mx1.hoster.test", 5}};
    server.on("b.test", RrType::mx, mx_b);
    for (const char* host : {"mx1.hoster.test", "mx2.hoster.test"}) {
      Reply a;
      a.answers = {{host, RrType::a, "192.0.2.1", 0}};
      server.on(host, RrType::a, a);
    }
    Reply spf;
    spf.answers = {{"a.test", RrType::txt, "v=spf1 -all", 0}};
    server.on("a.test", RrType::txt, spf);
    Reply nx;
    nx.rcode = 3;
    for (const char* name : {"_mta-sts.a.test", "_smtp._tls.a.test", "_dmarc.a.test", "b.test",
                             "_mta-sts.b.test", "_smtp._tls.b.test", "_dmarc.b.test"}) {
      server.on(name, RrType::txt, nx);
    }
    server.on("_25._tcp.mx1.hoster.test", RrType::tlsa, nx);
  }
  mxscan::DnsOptions options;

  DomainObs resolve(mxscan::DnsStage& stage, DomainRecord rec) {
    std::optional<DomainObs> out;
    std::exception_ptr failure;
    asio::co_spawn(io, stage.resolve(std::move(rec)), [&](std::exception_ptr e, DomainObs d) {
      failure = std::move(e);
      out = std::move(d);
    });
    const auto deadline = std::chrono::steady_clock::now() + 20s;
    while (!out && !failure && std::chrono::steady_clock::now() < deadline) io.run_one_for(100ms);
    if (failure) std::rethrow_exception(failure);
    REQUIRE(out);
    return std::move(*out);
  }
};

}  // namespace

TEST_CASE("DNS stage with signals: TXT signals, TLSA on primary exchanges once per exchange") {
  Fixture f(true);
  mxscan::Resolver resolver(f.io, f.options);
  mxscan::DnsStage stage(resolver);
  const DomainObs a = f.resolve(stage, {"a.test", 1, ""});
  REQUIRE(a.signals);
  CHECK(a.signals->spf.result == "ok");
  CHECK(a.signals->spf.record == "v=spf1 -all");
  CHECK(a.signals->dmarc.status == DnsStatus::nxdomain);
  CHECK(a.signals->mta_sts.status == DnsStatus::nxdomain);
  REQUIRE(a.mx.size() == 2);
  REQUIRE(a.mx[0].tlsa);
  CHECK(a.mx[0].tlsa->status == DnsStatus::nxdomain);
  CHECK_FALSE(a.mx[1].tlsa);  // not a primary exchange
  const DomainObs b = f.resolve(stage, {"b.test", 2, ""});
  REQUIRE(b.signals);
  CHECK(b.signals->spf.status == DnsStatus::nxdomain);
  CHECK(b.signals->spf.result == "none");
  REQUIRE(b.mx[0].tlsa);
  CHECK(f.server.times_asked("_25._tcp.mx1.hoster.test", "udp") == 1);
  CHECK(f.server.times_asked("_25._tcp.mx2.hoster.test", "udp") == 0);

  const DomainObs bad = f.resolve(stage, {"bad..test", 3, "empty label"});
  CHECK(bad.mx_status == DnsStatus::invalid_name);
  REQUIRE(bad.signals);
  CHECK(bad.signals->spf.status == DnsStatus::not_queried);
  CHECK(bad.signals->spf.result.empty());
}

TEST_CASE("DNS stage with signals off asks only MX and addresses") {
  Fixture f(false);
  mxscan::Resolver resolver(f.io, f.options);
  mxscan::DnsStage stage(resolver);
  const DomainObs a = f.resolve(stage, {"a.test", 1, ""});
  CHECK_FALSE(a.signals);
  CHECK_FALSE(a.mx[0].tlsa);
  for (const auto& q : f.server.asked()) {
    CHECK((q.type == RrType::mx || q.type == RrType::a));
  }
}
