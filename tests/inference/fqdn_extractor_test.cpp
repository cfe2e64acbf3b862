#include "mxscan/inference/fqdn_extractor.hpp"

#include <catch2/catch.hpp>

using mxscan::inference::extract_fqdn;
using mxscan::inference::is_valid_fqdn;

TEST_CASE("FQDN after a reply code with a space") {
  CHECK(extract_fqdn("220 mx.google.com ESMTP x1si123") == "mx.google.com");
  CHECK(extract_fqdn("220 MX.Example.COM, ready") == "mx.example.com");
}

TEST_CASE("FQDN after a reply code with a dash") {
  CHECK(extract_fqdn("250-mail.example.org Hello [192.0.2.1]\n250-SIZE 1000") ==
        "mail.example.org");
}

TEST_CASE("Last word when the code form gives nothing valid") {
  CHECK(extract_fqdn("220 ESMTP ready at se26.mailspamprotection.com.") ==
        "se26.mailspamprotection.com");
  CHECK_FALSE(extract_fqdn("220 ESMTP ready").has_value());
}

TEST_CASE("Only the first non-empty line counts") {
  CHECK(extract_fqdn("\n  ...\n220 a.example.net\n220 b.example.net") == "a.example.net");
}

TEST_CASE("Validity of candidates") {
  CHECK(is_valid_fqdn("ip_4-5.example.com"));
  CHECK_FALSE(is_valid_fqdn("localhost"));
  CHECK_FALSE(is_valid_fqdn("-a.example.com"));
  CHECK_FALSE(is_valid_fqdn("a..example.com"));
  CHECK_FALSE(is_valid_fqdn("mail.example.c0m"));
  CHECK_FALSE(is_valid_fqdn("192.0.2.1"));
  CHECK_FALSE(is_valid_fqdn("mail.example.x"));
}
