#include "mxscan/common/names.hpp"

#include <catch2/catch.hpp>

using namespace mxscan;

TEST_CASE("normalise_name lower-cases and drops one trailing dot") {
  CHECK(normalise_name("MX.Example.COM.") == "mx.example.com");
  CHECK(normalise_name("a.b") == "a.b");
  CHECK(normalise_name("") == "");
}

TEST_CASE("address literals are recognised") {
  CHECK(is_ip_literal("192.0.2.1"));
  CHECK(is_ip_literal("2001:db8::1"));
  CHECK(is_ip_literal("[::ffff:10.0.0.1]"));
  CHECK_FALSE(is_ip_literal("192.0.2"));
  CHECK_FALSE(is_ip_literal("mail.example.com"));
}

TEST_CASE("IDN names become A-labels") {
  CHECK(to_a_label("bücher.example") == "xn--bcher-kva.example");
  CHECK(to_a_label("Example.COM") == "example.com");
  CHECK_FALSE(to_a_label("\xff\xfe.example").has_value());
}

TEST_CASE("registered domains under the public suffix list") {
  PublicSuffixList psl;
  CHECK(psl.registered_domain("mx.google.com") == "google.com");
  CHECK(psl.registered_domain("MX.Example.CO.UK.") == "example.co.uk");
  CHECK(psl.registered_domain("co.uk").empty());
  CHECK(psl.registered_domain("foo.herokuapp.com") == "foo.herokuapp.com");  // private section
  CHECK(psl.registered_domain("herokuapp.com").empty());
  CHECK(psl.registered_domain("*.google.com") == "google.com");
  CHECK(psl.registered_domain("a.b.foo.ck") == "b.foo.ck");                 // wildcard *.ck
  CHECK(psl.registered_domain("a.b.city.kawasaki.jp") == "city.kawasaki.jp");  // !exception
  CHECK(psl.registered_domain("mail.local").empty());     // unknown TLD
  CHECK(psl.registered_domain("localhost").empty());      // single label
  CHECK(psl.registered_domain("192.0.2.1").empty());      // address literal
  CHECK(psl.is_public_suffix("co.uk"));
  CHECK_FALSE(psl.is_public_suffix("example.com"));
  CHECK(psl.sha256().size() == 64);
}

TEST_CASE("a missing list is a clear error") {
  CHECK_THROWS_WITH(PublicSuffixList("/nonexistent.dat"),
                    Catch::Contains("/nonexistent.dat"));
}
