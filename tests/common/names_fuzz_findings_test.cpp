// Findings of fuzz_names (tests/fuzz/names/regressions/): a NUL byte inside a
// name made libpsl and libidn2, which read C strings, answer for a prefix, and
// libpsl gave names with empty labels a registered domain such as "..com".
#include "mxscan/common/names.hpp"

#include <catch2/catch.hpp>

#include <string>

#include "corpus_replay.hpp"
#include "mxscan/common/domain_list.hpp"

using namespace std::string_literals;

TEST_CASE("a name with a NUL byte has no registered domain", "[names][fuzz]") {
  mxscan::PublicSuffixList psl;
  std::string found = mxscan::fuzz::regression_input(
      "names", "nul-in-name-psl-prefix");  // "ip_4-5.exa\0...\0mple.com"
  REQUIRE(found.find('\0') != std::string::npos);
  CHECK(psl.registered_domain(found).empty());
  // The null-prefix certificate name: it must not be taken for example.com.
  std::string san = mxscan::fuzz::regression_input("names", "null-prefix-san");
  REQUIRE(san == "mx.bank.example.com\0.evil.net"s);
  CHECK(psl.registered_domain(san).empty());
  CHECK_FALSE(psl.is_public_suffix("com\0.evil.net"s));
  CHECK(psl.registered_domain("mx.bank.example.com") == "example.com");
}

TEST_CASE("a NUL byte after a U-label does not shorten the name", "[names][fuzz]") {
  std::string name = mxscan::fuzz::regression_input("names", "nul-after-u-label");
  REQUIRE(name ==
          "b\xC3\xBC"
          "cher.de\0.evil.net"s);
  CHECK_FALSE(mxscan::to_a_label(name).has_value());
  CHECK_FALSE(mxscan::classify_domain(name, 1).valid());
  CHECK_FALSE(mxscan::is_ip_literal("192.0.2.1\0.example.com"s));
  CHECK(mxscan::is_ip_literal("192.0.2.1"));
  // ASCII keeps its NUL, which the host name check then names.
  auto ascii = mxscan::classify_domain("a\0b.example.com"s, 1);
  CHECK(ascii.problem == "character not allowed in a host name");
}

TEST_CASE("a name with an empty label has no registered domain", "[names][fuzz]") {
  mxscan::PublicSuffixList psl;
  std::string found = mxscan::fuzz::regression_input("names", "empty-labels-registered-domain");
  REQUIRE(found == "a.a.a.a.a...com");
  CHECK(psl.registered_domain(found).empty());  // libpsl said "..com"
  CHECK(psl.registered_domain("a..com").empty());
  CHECK(psl.registered_domain(".example.com").empty());
  CHECK(psl.registered_domain("example.com..").empty());
  CHECK(psl.registered_domain("x.a.b.com") == "b.com");
  CHECK(psl.registered_domain("mail.example.co.uk.") == "example.co.uk");
}
