#include "mxscan/scanner/dns/dns_options.hpp"

#include <catch2/catch.hpp>

TEST_CASE("resolver addresses: ADDR[:PORT] and [V6]:PORT", "[dns_options]") {
  std::string error;
  auto a = mxscan::parse_resolver_address("127.0.0.1", &error);
  REQUIRE(a);
  CHECK(a->host == "127.0.0.1");
  CHECK(a->port == 53);
  auto b = mxscan::parse_resolver_address("127.0.0.1:5353", &error);
  REQUIRE(b);
  CHECK(b->port == 5353);
  auto c = mxscan::parse_resolver_address("[::1]:5300", &error);
  REQUIRE(c);
  CHECK(c->host == "::1");
  CHECK(c->port == 5300);
  auto d = mxscan::parse_resolver_address("2001:db8::1", &error);
  REQUIRE(d);
  CHECK(d->port == 53);
  CHECK_FALSE(mxscan::parse_resolver_address("dns.example:53", &error));
  CHECK(error == "resolver 'dns.example:53': not a numeric IPv4 address");
  CHECK_FALSE(mxscan::parse_resolver_address("127.0.0.1:0", &error));
  CHECK_FALSE(mxscan::parse_resolver_address("127.0.0.1:65536", &error));
  CHECK_FALSE(mxscan::parse_resolver_address("127.0.0.1:", &error));
  CHECK_FALSE(mxscan::parse_resolver_address("[::1", &error));
  CHECK_FALSE(mxscan::parse_resolver_address("[127.0.0.1]:53", &error));
}

TEST_CASE("DNS options are checked", "[dns_options]") {
  mxscan::DnsOptions o;
  CHECK(mxscan::check_dns_options(o).empty());
  o.resolvers = {"127.0.0.1:53", "nonsense"};
  CHECK_FALSE(mxscan::check_dns_options(o).empty());
  o.resolvers.clear();
  o.channels = 0;
  CHECK(mxscan::check_dns_options(o) == "DNS channels must be in 1-256");
  o.channels = 1;
  o.qps = -1;
  CHECK_FALSE(mxscan::check_dns_options(o).empty());
  o.qps = 0;
  o.max_in_flight = 0;
  CHECK_FALSE(mxscan::check_dns_options(o).empty());
}
