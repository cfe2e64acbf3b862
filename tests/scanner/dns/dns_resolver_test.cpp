// The Resolver's outcomes against a scripted DNS server in the test's own
// io_context (tests/support/scripted_dns.hpp): answers sorted, deduplicated and
// capped, null MX, NXDOMAIN, NODATA, SERVFAIL, REFUSED, silence (timeout after
// the configured tries), a malformed answer, CNAME chains followed and loops
// cut, a truncated UDP answer asked again over TCP, and the A/AAAA merge.
#include "mxscan/scanner/dns/dns_resolver.hpp"

#include <boost/asio/co_spawn.hpp>
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
using mxscan::dns::RrType;
using mxscan::test::ScriptedDns;
using Record = ScriptedDns::Record;
using Reply = ScriptedDns::Reply;
using namespace std::chrono_literals;

namespace {

namespace asio = boost::asio;
using Clock = std::chrono::steady_clock;

// The fake server and a resolver pointed at it, sharing one io_context.
struct Fixture {
  asio::io_context io;
  ScriptedDns server{io};
  mxscan::DnsOptions options = [this] {
    mxscan::DnsOptions o;
    o.resolvers = {server.address()};
    o.timeout = 2000ms;  // reached only by the silent cases, which set their own
    o.retries = 0;
    o.qps = 0;
    return o;
  }();

  // Runs `lookup` on a fresh resolver until it completes (20 s at most).
  template <typename T>
  T run(asio::awaitable<T> (mxscan::Resolver::*lookup)(std::string), const std::string& name) {
    mxscan::Resolver resolver(io, options);
    std::optional<T> out;
    std::exception_ptr failure;
    asio::co_spawn(io, (resolver.*lookup)(name), [&](std::exception_ptr e, T value) {
      failure = std::move(e);
      out = std::move(value);
    });
    const auto deadline = Clock::now() + 20s;
    while (!out && !failure && Clock::now() < deadline) io.run_one_for(100ms);
    if (failure) std::rethrow_exception(failure);
    REQUIRE(out);
    return std::move(*out);
  }
  mxscan::MxAnswer mx(const std::string& name) { return run(&mxscan::Resolver::mx, name); }
  mxscan::AddrAnswer addresses(const std::string& host) {
    return run(&mxscan::Resolver::addresses, host);
  }
};

Reply records(std::vector<Record> answers) {
  Reply r;
  r.answers = std::move(answers);
  return r;
}
Reply rcode(std::uint8_t code) {
  Reply r;
  r.rcode = code;
  return r;
}
Record mx(const std::string& owner, std::uint16_t preference, const std::string& exchange) {
  return {owner, RrType::mx, exchange, preference};
}
Record cname(const std::string& owner, const std::string& target) {
  return {owner, RrType::cname, target, 0};
}
Record a(const std::string& owner, const std::string& address) {
  return {owner, RrType::a, address, 0};
}

std::vector<std::string> exchanges(const mxscan::MxAnswer& m) {
  std::vector<std::string> out;
  for (const auto& r : m.records) out.push_back(std::to_string(r.preference) + " " + r.exchange);
  return out;
}

}  // namespace

TEST_CASE("dns resolver: an MX answer is sorted, deduplicated and capped", "[dns][resolver]") {
  Fixture f;
  f.server.on("sorted.test", RrType::mx,
              records({mx("sorted.test", 20, "b.mx.test"), mx("sorted.test", 10, "z.mx.test"),
                       mx("sorted.test", 20, "a.mx.test"), mx("sorted.test", 10, "z.mx.test")}));
  SECTION("all kept") {
    const auto m = f.mx("sorted.test");
    CHECK(m.status == DnsStatus::ok);
    CHECK(exchanges(m) == std::vector<std::string>{"10 z.mx.test", "20 a.mx.test", "20 b.mx.test"});
    CHECK_FALSE(m.capped);
    CHECK(m.cnames.empty());
    CHECK(m.error.empty());
  }
  SECTION("capped after deduplication") {
    f.options.max_mx = 2;
    const auto m = f.mx("sorted.test");
    CHECK(exchanges(m) == std::vector<std::string>{"10 z.mx.test", "20 a.mx.test"});
    CHECK(m.capped);
  }
  CHECK(f.server.times_asked("sorted.test", "udp") == 1);
}

TEST_CASE("dns resolver: null MX, NXDOMAIN, NODATA, SERVFAIL and REFUSED", "[dns][resolver]") {
  Fixture f;
  f.server.on("null.test", RrType::mx, records({mx("null.test", 0, "")}));
  f.server.on("gone.test", RrType::mx, rcode(3));
  f.server.on("nodata.test", RrType::mx, rcode(0));
  f.server.on("broken.test", RrType::mx, rcode(2));
  f.server.on("refused.test", RrType::mx, rcode(5));
  CHECK(f.mx("null.test").status == DnsStatus::null_mx);
  CHECK(f.mx("null.test").records.empty());
  CHECK(f.mx("gone.test").status == DnsStatus::nxdomain);
  CHECK(f.mx("nodata.test").status == DnsStatus::nodata);
  CHECK(f.mx("broken.test").status == DnsStatus::servfail);
  CHECK(f.mx("refused.test").status == DnsStatus::refused);
  // SERVFAIL and REFUSED reach the resolver as answers: asked once each, never retried.
  CHECK(f.server.times_asked("broken.test", "udp") == 1);
  CHECK(f.server.times_asked("refused.test", "udp") == 1);
}

TEST_CASE("dns resolver: silence is a timeout after every try", "[dns][resolver]") {
  Fixture f;
  Reply silent;
  silent.silent = true;
  f.server.on("silent.test", RrType::mx, silent);
  f.options.timeout = 200ms;
  f.options.retries = 1;
  const auto started = Clock::now();
  const auto m = f.mx("silent.test");
  CHECK(m.status == DnsStatus::timeout);
  CHECK(m.error == "no answer after all tries");
  CHECK(f.server.times_asked("silent.test", "udp") == 2);
  CHECK(Clock::now() - started >= 200ms);
}

TEST_CASE("dns resolver: a malformed answer is an error with its reason", "[dns][resolver]") {
  Fixture f;
  Reply bad = records({mx("bad.test", 10, "mx.bad.test")});
  bad.malformed = true;
  f.server.on("bad.test", RrType::mx, bad);
  const auto m = f.mx("bad.test");
  CHECK(m.status == DnsStatus::error);
  CHECK(m.error.rfind("malformed answer: ", 0) == 0);
  CHECK(m.records.empty());
}

TEST_CASE("dns resolver: a truncated UDP answer is asked again over TCP", "[dns][resolver]") {
  Fixture f;
  Reply big = records({mx("big.test", 10, "mx1.big.test"), mx("big.test", 20, "mx2.big.test")});
  big.truncate_udp = true;
  f.server.on("big.test", RrType::mx, big);
  const auto m = f.mx("big.test");
  CHECK(m.status == DnsStatus::ok);
  CHECK(exchanges(m) == std::vector<std::string>{"10 mx1.big.test", "20 mx2.big.test"});
  CHECK(f.server.times_asked("big.test", "udp") == 1);
  CHECK(f.server.times_asked("big.test", "tcp") == 1);
}

TEST_CASE("dns resolver: CNAME chains are followed, loops cut", "[dns][resolver]") {
  Fixture f;
  SECTION("whole chain in one answer") {
    f.server.on("alias.test", RrType::mx,
                records({cname("alias.test", "real.test"), mx("real.test", 5, "mx.real.test")}));
    const auto m = f.mx("alias.test");
    CHECK(m.status == DnsStatus::ok);
    CHECK(m.cnames == std::vector<std::string>{"real.test"});
    CHECK(exchanges(m) == std::vector<std::string>{"5 mx.real.test"});
  }
  SECTION("a dangling CNAME is asked again") {
    f.server.on("alias.test", RrType::mx, records({cname("alias.test", "real.test")}));
    f.server.on("real.test", RrType::mx, records({mx("real.test", 5, "mx.real.test")}));
    const auto m = f.mx("alias.test");
    CHECK(m.status == DnsStatus::ok);
    CHECK(m.cnames == std::vector<std::string>{"real.test"});
    CHECK(exchanges(m) == std::vector<std::string>{"5 mx.real.test"});
    CHECK(f.server.times_asked("real.test", "udp") == 1);
  }
  SECTION("a loop across answers") {
    f.server.on("ping.test", RrType::mx, records({cname("ping.test", "pong.test")}));
    f.server.on("pong.test", RrType::mx, records({cname("pong.test", "ping.test")}));
    const auto m = f.mx("ping.test");
    CHECK(m.status == DnsStatus::cname_loop);
    CHECK(m.error == "CNAME loop");
    CHECK(f.server.times_asked("ping.test", "udp") == 1);
  }
}

TEST_CASE("dns resolver: addresses of an exchange", "[dns][resolver]") {
  Fixture f;
  f.server.on(
      "mx.test", RrType::a,
      records({a("mx.test", "192.0.2.9"), a("mx.test", "192.0.2.10"), a("mx.test", "192.0.2.1")}));
  SECTION("A only unless ipv6 is on") {
    const auto r = f.addresses("mx.test");
    CHECK(r.status == DnsStatus::ok);
    CHECK(r.addresses == std::vector<std::string>{"192.0.2.1", "192.0.2.10", "192.0.2.9"});
    CHECK(f.server.times_asked("mx.test", "udp") == 1);  // no AAAA question
  }
  SECTION("with ipv6, an AAAA failure does not hide the A records") {
    f.options.ipv6 = true;
    f.server.on("mx.test", RrType::aaaa, rcode(2));
    const auto r = f.addresses("mx.test");
    CHECK(r.status == DnsStatus::ok);
    CHECK(r.addresses.size() == 3);
    CHECK(f.server.times_asked("mx.test", "udp") == 2);
  }
  SECTION("with ipv6 and no A records, the AAAA failure is the outcome") {
    f.options.ipv6 = true;
    f.server.on("v6.test", RrType::a, rcode(0));
    f.server.on("v6.test", RrType::aaaa, rcode(2));
    const auto r = f.addresses("v6.test");
    CHECK(r.status == DnsStatus::servfail);
    CHECK(r.error.rfind("AAAA: ", 0) == 0);
  }
  SECTION("no such host") {
    f.server.on("nohost.test", RrType::a, rcode(3));
    const auto r = f.addresses("nohost.test");
    CHECK(r.status == DnsStatus::nxdomain);
    CHECK(r.addresses.empty());
  }
}
