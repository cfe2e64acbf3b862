#include "mxscan/inference/fqdn_extractor.hpp"

#include <toml++/toml.h>
#include <catch2/catch.hpp>

#include "mxscan/common/names.hpp"
#include "mxscan/inference/catalog.hpp"
#include "mxscan/inference/reply_identity.hpp"
#include "scenario.hpp"

using namespace mxscan;

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

TEST_CASE("Candidates come in the method's order") {
  auto c = reply_candidates("220 first.example.com ESMTP last.example.com.");
  REQUIRE(c.size() == 2);
  CHECK(c[0] == "first.example.com");
  CHECK(c[1] == "last.example.com");
  CHECK(reply_candidates("").empty());
}

TEST_CASE("Validity of candidates") {
  CHECK(is_valid_fqdn("ip_4-5.example.com"));
  CHECK_FALSE(is_valid_fqdn("localhost"));
  CHECK_FALSE(is_valid_fqdn("-a.example.com"));
  CHECK_FALSE(is_valid_fqdn("a-.example.com"));
  CHECK_FALSE(is_valid_fqdn("a..example.com"));
  CHECK_FALSE(is_valid_fqdn("mail.example.c0m"));
  CHECK_FALSE(is_valid_fqdn("192.0.2.1"));
  CHECK_FALSE(is_valid_fqdn("mail.example.x"));
  CHECK_FALSE(is_valid_fqdn(std::string(64, 'a') + ".example.com"));
  CHECK(is_valid_fqdn(std::string(63, 'a') + ".example.com"));
}

TEST_CASE("banner/EHLO extraction table (tests/inference/data/banner_extraction.toml)") {
  static const mxscan::PublicSuffixList psl;
  auto catalog = Catalog::load(mxscan::test::source_path("configs/providers.toml"));
  auto root =
      toml::parse_file(mxscan::test::source_path("tests/inference/data/banner_extraction.toml"));
  const auto* cases = root["case"].as_array();
  REQUIRE(cases != nullptr);
  REQUIRE(cases->size() >= 30);
  for (const auto& node : *cases) {
    const auto& t = *node.as_table();
    auto reply = t["reply"].value<std::string>().value();
    INFO(t["why"].value<std::string>().value_or("") << "\nreply: " << reply);
    auto got = identify_reply(reply, catalog, psl);
    auto kind = t["kind"].value<std::string>().value();
    const char* names[] = {"none", "fqdn", "ignored", "override"};
    CHECK(names[static_cast<int>(got.kind)] == kind);
    CHECK(got.fqdn == t["fqdn"].value<std::string>().value_or(""));
    CHECK(got.id == t["id"].value<std::string>().value_or(""));
  }
}
