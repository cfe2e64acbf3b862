// The catalog's `kind` and `spf` keys of a company (docs/providers-config.md):
// the data the inference beside the paper's reads.
#include "mxscan/inference/catalog.hpp"

#include <catch2/catch.hpp>

#include <string>

#include "scenario.hpp"

using mxscan::Catalog;
using mxscan::CompanyKind;

namespace {

std::string company(const std::string& extra) {
  return "[[company]]\nname = \"G\"\nids = [\"g.example\"]\nasns = []\n" + extra;
}

}  // namespace

TEST_CASE("catalog kind: each kind is read, absent means other") {
  for (auto [text, kind] :
       {std::pair{"kind = \"mailbox\"\n", CompanyKind::mailbox},
        std::pair{"kind = \"filtering\"\n", CompanyKind::filtering},
        std::pair{"kind = \"hosting\"\n", CompanyKind::hosting},
        std::pair{"kind = \"other\"\n", CompanyKind::other}, std::pair{"", CompanyKind::other}}) {
    const auto c = Catalog::parse(company(text));
    REQUIRE(c.companies().size() == 1);
    CHECK(c.companies()[0].kind == kind);
  }
  CHECK(mxscan::to_string(CompanyKind::filtering) == "filtering");
}

TEST_CASE("catalog kind: an unknown kind is refused with its place and the allowed words") {
  CHECK_THROWS_WITH(Catalog::parse(company("kind = \"gateway\"\n"), "cat.toml"),
                    Catch::Contains("cat.toml:5:") &&
                        Catch::Contains("'kind' must be \"mailbox\", \"filtering\", \"hosting\" "
                                        "or \"other\", not \"gateway\""));
  CHECK_THROWS_WITH(Catalog::parse(company("kind = 3\n")), Catch::Contains("must be a string"));
  CHECK_THROWS_WITH(Catalog::parse(company("kind = \"\"\n")), Catch::Contains("must not be empty"));
}

TEST_CASE("catalog spf: exact names first, then globs in file order") {
  const auto c = Catalog::parse(
      company("spf = [\"_spf.g.example\", \"*.pp.example\"]\n") +
      "[[company]]\nname = \"H\"\nids = [\"h.example\"]\nasns = []\nspf = \"mx1.pp.example\"\n");
  CHECK(c.companies()[0].spf.size() == 2);
  CHECK(c.spf_company("_spf.g.example") == 0U);
  CHECK(c.spf_company("a.b.pp.example") == 0U);
  CHECK(c.spf_company("mx1.pp.example") == 1U);  // exact beats an earlier glob
  CHECK_FALSE(c.spf_company("pp.example"));
  CHECK_FALSE(c.spf_company("spf.g.example"));
  CHECK_FALSE(c.spf_company(""));
}

TEST_CASE("catalog spf: malformed names are refused") {
  CHECK_THROWS_WITH(Catalog::parse(company("spf = [\"_SPF.g.example\"]\n")),
                    Catch::Contains("must be lower case"));
  CHECK_THROWS_WITH(Catalog::parse(company("spf = []\n")), Catch::Contains("must not be empty"));
  CHECK_THROWS_WITH(Catalog::parse(company("spf = 1\n")),
                    Catch::Contains("'spf' must be a string or an array of strings"));
  CHECK_THROWS_WITH(
      Catalog::parse(company("spf = \"s.example\"\n") +
                     "[[company]]\nname = \"H\"\nids = [\"h.example\"]\nasns = []\nspf = "
                     "\"s.example\"\n"),
      Catch::Contains("SPF name 's.example' belongs to two companies"));
}

TEST_CASE("catalog spf: the shipped catalog maps documented include names") {
  const auto c = Catalog::load(mxscan::test::source_path("configs/providers.toml"));
  for (const auto& co : c.companies()) {
    INFO(co.name);
    CHECK_FALSE(co.sources.empty());
  }
  const auto google = c.spf_company("_spf.google.com");
  REQUIRE(google);
  CHECK(c.companies()[*google].name == "Google");
  CHECK(c.companies()[*google].kind == CompanyKind::mailbox);
  const auto pp = c.spf_company("a1.b.spf.has.pphosted.com");
  REQUIRE(pp);
  CHECK(c.companies()[*pp].kind == CompanyKind::filtering);
}
