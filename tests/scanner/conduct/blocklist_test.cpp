#include "mxscan/scanner/conduct/blocklist.hpp"

#include <catch2/catch.hpp>
#include <fstream>

using mxscan::Blocklist;
using mxscan::Cidr;
using mxscan::IpAddress;

namespace {

bool blocked(const Blocklist& b, const char* text) {
  const auto a = IpAddress::parse(text);
  REQUIRE(a);
  return b.is_blocked(*a);
}

Blocklist default_blocklist() {
  Blocklist b;
  b.add_file(MXSCAN_SOURCE_DIR "/configs/blocklist.conf");
  return b;
}

}  // namespace

TEST_CASE("addresses: parsing, canonical text, mapped IPv4") {
  CHECK(IpAddress::parse("192.0.2.1")->to_string() == "192.0.2.1");
  CHECK(IpAddress::parse("2001:DB8::1")->to_string() == "2001:db8::1");
  const auto mapped = IpAddress::parse("::ffff:127.0.0.1");
  REQUIRE(mapped);
  CHECK_FALSE(mapped->v6);
  CHECK(mapped->to_string() == "127.0.0.1");
  CHECK(IpAddress::parse("::ffff:7f00:1")->to_string() == "127.0.0.1");
  CHECK_FALSE(IpAddress::parse("mx.example.com"));
  CHECK_FALSE(IpAddress::parse("1.2.3"));
  CHECK_FALSE(IpAddress::parse("[::1]"));
  CHECK_FALSE(IpAddress::parse(""));
}

TEST_CASE("CIDR parsing rejects host bits and bad lengths") {
  CHECK(Cidr::parse("10.0.0.0/8"));
  CHECK(Cidr::parse("10.1.2.3")->length == 32);
  CHECK_FALSE(Cidr::parse("10.0.0.1/8"));
  CHECK_FALSE(Cidr::parse("10.0.0.0/33"));
  CHECK_FALSE(Cidr::parse("10.0.0.0/"));
  CHECK_FALSE(Cidr::parse("10.0.0.0/8x"));
  CHECK(Cidr::parse("fe80::/10"));
  CHECK_FALSE(Cidr::parse("fe80::1/10"));
  CHECK(Cidr::parse("::/0"));
}

TEST_CASE("default blocklist covers the IANA special-purpose ranges") {
  const Blocklist b = default_blocklist();
  for (const char* a :
       {"0.0.0.0",          "0.1.2.3",         "10.9.9.9",     "100.64.0.1",  "100.127.255.255",
        "127.0.0.1",        "127.255.0.9",     "169.254.1.1",  "172.16.0.1",  "172.31.255.255",
        "192.0.0.8",        "192.0.2.55",      "192.88.99.1",  "192.168.1.1", "198.18.0.1",
        "198.19.255.255",   "198.51.100.7",    "203.0.113.9",  "224.0.0.1",   "239.255.255.255",
        "240.0.0.1",        "255.255.255.255", "::",           "::1",         "fc00::1",
        "fd12:3456::1",     "fe80::1",         "2001:db8::25", "ff02::1",     "::ffff:10.0.0.1",
        "::ffff:127.0.0.1", "::ffff:0.0.0.0",  "::7f00:1"}) {
    INFO(a);
    CHECK(blocked(b, a));
  }
  for (const char* a : {"8.8.8.8", "100.63.255.255", "100.128.0.0", "172.15.255.255", "172.32.0.0",
                        "192.0.3.1", "198.17.255.255", "198.20.0.0", "223.255.255.255", "1.1.1.1",
                        "2a00:1450:4001::1b", "2607:f8b0::1", "::ffff:8.8.8.8"}) {
    INFO(a);
    CHECK_FALSE(blocked(b, a));
  }
  CHECK(b.sources().size() == 1);
  CHECK(b.sources()[0].sha256.size() == 64);
  CHECK(b.sources()[0].entries == b.blocked_ranges());
}

TEST_CASE("allow (--allow) lifts part of a blocked range only") {
  Blocklist b = default_blocklist();
  b.allow("127.0.0.0/8");
  CHECK_FALSE(blocked(b, "127.0.0.2"));
  CHECK_FALSE(blocked(b, "::ffff:127.0.0.2"));
  CHECK(blocked(b, "10.0.0.1"));
  CHECK(blocked(b, "::1"));
  Blocklist narrow = default_blocklist();
  narrow.allow("127.0.1.0/24");
  CHECK_FALSE(blocked(narrow, "127.0.1.9"));
  CHECK(blocked(narrow, "127.0.2.9"));
  CHECK_THROWS_WITH(narrow.allow("127.0.1.1/24"), Catch::Contains("--allow"));
}

TEST_CASE("ZMap format: comments, blank lines, inline comments; errors name file and line") {
  Blocklist b;
  b.add_text("# a comment\n\n  198.51.100.0/24   # documentation\n203.0.113.7\n2001:db8::/32\n",
             "test");
  CHECK(blocked(b, "198.51.100.200"));
  CHECK(blocked(b, "203.0.113.7"));
  CHECK_FALSE(blocked(b, "203.0.113.8"));
  CHECK(blocked(b, "2001:db8::1"));
  CHECK(b.blocked_ranges() == 3);
  Blocklist bad;
  CHECK_THROWS_WITH(bad.add_text("10.0.0.0/8\nnot-an-address\n", "user.conf"),
                    Catch::Contains("user.conf:2") && Catch::Contains("not-an-address"));
  CHECK_THROWS_WITH(bad.add_file("/nonexistent/blocklist"),
                    Catch::Contains("/nonexistent/blocklist"));
}

TEST_CASE("user blocklist files add to the default") {
  const std::string path = MXSCAN_BINARY_DIR "/test_user_blocklist.conf";
  {
    std::ofstream f(path);
    f << "# opted out\n8.8.4.0/24\n";
  }
  Blocklist b = default_blocklist();
  b.add_file(path);
  CHECK(blocked(b, "8.8.4.4"));
  CHECK_FALSE(blocked(b, "8.8.8.8"));
  CHECK(b.sources().size() == 2);
}
