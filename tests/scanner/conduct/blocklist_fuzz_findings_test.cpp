// Findings of fuzz_blocklist (tests/fuzz/blocklist/regressions/).
#include "mxscan/scanner/conduct/blocklist.hpp"

#include <catch2/catch.hpp>

#include <stdexcept>
#include <string>

#include "corpus_replay.hpp"

using namespace std::string_literals;

TEST_CASE("an address with a NUL byte inside is not an address", "[blocklist][fuzz]") {
  // The fuzzer's line was "::1\0/128   # loopback": inet_pton stopped at the NUL,
  // so IpAddress::parse read "::1" and ignored the rest of the text.
  CHECK_FALSE(mxscan::IpAddress::parse("::1\0/128   # loopback"s).has_value());
  CHECK_FALSE(mxscan::IpAddress::parse("10.0.0.1\0.example.com"s).has_value());
  CHECK_FALSE(mxscan::Cidr::parse("10.0.0.0\0junk/8"s).has_value());
  CHECK(mxscan::IpAddress::parse("::1").has_value());
  CHECK(mxscan::Cidr::parse("10.0.0.0/8").has_value());

  const std::string text = mxscan::fuzz::regression_input("blocklist", "nul-inside-address");
  REQUIRE(text.find("::1\0/128"s) != std::string::npos);
  mxscan::Blocklist blocklist;
  // Its first line ("192.0.2.0/24 documentation...") already makes it an error naming
  // file and line; a NUL line alone is one too.
  CHECK_THROWS_AS(blocklist.add_text(text, "nul.conf"), std::runtime_error);
  CHECK_THROWS_WITH(blocklist.add_text("127.0.0.0/8\n::1\0/128\n"s, "nul.conf"),
                    Catch::Contains("nul.conf:2:"));
}
