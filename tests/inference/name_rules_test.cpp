#include "mxscan/inference/name_rules.hpp"

#include <toml++/toml.h>
#include <catch2/catch.hpp>

#include "mxscan/common/names.hpp"
#include "scenario.hpp"

using namespace mxscan;

namespace {
NameCondition cond(NameTest t, std::vector<std::string> values, bool all = false) {
  NameCondition c;
  c.test = t;
  c.values = std::move(values);
  c.all = all;
  return c;
}
NameRule rule(NameClass result, std::vector<NameCondition> conditions) {
  NameRule r;
  r.result = result;
  r.conditions = std::move(conditions);
  return r;
}
}  // namespace

TEST_CASE("every row of the VPS table (tests/inference/data/vps_patterns.toml)") {
  static const mxscan::PublicSuffixList psl;
  auto catalog = Catalog::load(mxscan::test::source_path("configs/providers.toml"));
  auto root = toml::parse_file(mxscan::test::source_path("tests/inference/data/vps_patterns.toml"));
  const auto* rows = root["row"].as_array();
  REQUIRE(rows != nullptr);
  REQUIRE(rows->size() >= 80);
  for (const auto& node : *rows) {
    const auto& t = *node.as_table();
    auto name = t["name"].value<std::string>().value();
    auto source = t["source"].value<std::string>().value_or("both");
    auto expected =
        t["class"].value<std::string>().value() == "vps" ? NameClass::vps : NameClass::dedicated;
    std::string covered = name.starts_with("*.") ? name.substr(2) : name;
    auto rd = psl.registered_domain(covered);
    INFO(name << " (rd " << rd << ", " << source
              << "): " << t["note"].value<std::string>().value_or(""));
    REQUIRE_FALSE(rd.empty());
    if (source != "certificate") CHECK(catalog.classify(name, rd, NameSource::banner) == expected);
    if (source != "banner") CHECK(catalog.classify(name, rd, NameSource::certificate) == expected);
  }
}

TEST_CASE("name tests match on label boundaries") {
  const std::string rd = "host.net";
  CHECK(
      rule_matches(rule(NameClass::vps, {cond(NameTest::name, {"a.host.net"})}), "a.host.net", rd));
  CHECK_FALSE(rule_matches(rule(NameClass::vps, {cond(NameTest::name, {"a.host.net"})}),
                           "xa.host.net", rd));
  auto suffix = rule(NameClass::vps, {cond(NameTest::suffix, {"mail.host.net"})});
  CHECK(rule_matches(suffix, "mail.host.net", rd));
  CHECK(rule_matches(suffix, "x.mail.host.net", rd));
  CHECK_FALSE(rule_matches(suffix, "xmail.host.net", rd));
  auto starts = rule(NameClass::vps, {cond(NameTest::starts_with_labels, {"smtp.eu"})});
  CHECK(rule_matches(starts, "smtp.eu.host.net", rd));
  CHECK_FALSE(rule_matches(starts, "smtp.europe.host.net", rd));
  auto label = rule(NameClass::vps, {cond(NameTest::label, {"rs"})});
  CHECK(rule_matches(label, "a.rs.host.net", rd));
  CHECK_FALSE(rule_matches(label, "a.rsx.host.net", rd));
  // The RD's own labels never match: "host" is part of the RD here.
  CHECK_FALSE(rule_matches(rule(NameClass::vps, {cond(NameTest::label_prefix, {"host"})}),
                           "a.host.net", rd));
  CHECK_FALSE(rule_matches(rule(NameClass::vps, {cond(NameTest::label_contains, {"vps"})}),
                           "a.vps-host.net", "vps-host.net"));
  auto all = rule(NameClass::vps, {cond(NameTest::first_label_contains, {"pp", "wb"}, true)});
  CHECK(rule_matches(all, "ppwb1.host.net", rd));
  CHECK_FALSE(rule_matches(all, "pp1.host.net", rd));
  auto any = rule(NameClass::vps, {cond(NameTest::first_label_contains, {"pp", "wb"})});
  CHECK(rule_matches(any, "pp1.host.net", rd));
  // The first label is the leftmost label below the RD: the RD alone has none.
  CHECK_FALSE(rule_matches(rule(NameClass::vps, {cond(NameTest::first_label_prefix, {"h"})}),
                           "host.net", rd));
}

TEST_CASE("numeric and boolean name tests") {
  NameCondition dashes;
  dashes.test = NameTest::first_label_dashes;
  dashes.number = 3;
  CHECK(rule_matches(rule(NameClass::vps, {dashes}), "s1-2-3-4.host.net", "host.net"));
  CHECK_FALSE(rule_matches(rule(NameClass::vps, {dashes}), "s1-2-3.host.net", "host.net"));
  NameCondition ipv4;
  ipv4.test = NameTest::first_label_dashed_ipv4;
  CHECK(rule_matches(rule(NameClass::vps, {ipv4}), "10-0-0-255.host.net", "host.net"));
  CHECK_FALSE(rule_matches(rule(NameClass::vps, {ipv4}), "10-0-0-256.host.net", "host.net"));
  CHECK_FALSE(rule_matches(rule(NameClass::vps, {ipv4}), "10-0-0-1a.host.net", "host.net"));
  CHECK_FALSE(rule_matches(rule(NameClass::vps, {ipv4}), "10-0--1.host.net", "host.net"));
  ipv4.flag = false;
  CHECK(rule_matches(rule(NameClass::vps, {ipv4}), "web.host.net", "host.net"));
  NameCondition wildcard;
  wildcard.test = NameTest::wildcard;
  CHECK(rule_matches(rule(NameClass::vps, {wildcard}), "*.host.net", "host.net"));
  CHECK_FALSE(rule_matches(rule(NameClass::vps, {wildcard}), "a.host.net", "host.net"));
}

TEST_CASE("first matching rule wins, otherwise applies") {
  NameRuleSet set;
  set.rules.push_back(rule(NameClass::dedicated, {cond(NameTest::first_label_prefix, {"mx"})}));
  set.rules.push_back(rule(NameClass::vps, {cond(NameTest::first_label_prefix, {"m"})}));
  set.otherwise = NameClass::dedicated;
  CHECK(classify_name(set, "mx1.host.net", "host.net") == NameClass::dedicated);
  CHECK(classify_name(set, "m1.host.net", "host.net") == NameClass::vps);
  CHECK(classify_name(set, "a1.host.net", "host.net") == NameClass::dedicated);
  set.otherwise = NameClass::vps;
  CHECK(classify_name(set, "a1.host.net", "host.net") == NameClass::vps);
}
