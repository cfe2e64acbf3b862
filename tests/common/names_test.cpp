#include "mxscan/common/names.hpp"

#include <catch2/catch.hpp>
#include <fstream>
#include <string>
#include <vector>

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

namespace {

// The registered domain as a memoising caller derives it with parent_rule().
std::string rd_by_parent_rule(const PublicSuffixList& psl, std::string_view name) {
  switch (psl.parent_rule(name)) {
    case PublicSuffixList::ParentRule::no_rd: return {};
    case PublicSuffixList::ParentRule::parents_rd: {
      std::string parent = rd_by_parent_rule(psl, name.substr(name.find('.') + 1));
      if (!parent.empty()) return parent;
      break;
    }
    case PublicSuffixList::ParentRule::ask: break;
  }
  return psl.registered_domain(name);
}

}  // namespace

TEST_CASE("parent_rule gives registered_domain's answer for names under every rule of the list") {
  PublicSuffixList psl;
  CHECK(psl.parent_rule("mail.example.com") == PublicSuffixList::ParentRule::parents_rd);
  CHECK(psl.parent_rule("city.kawasaki.jp") == PublicSuffixList::ParentRule::parents_rd);  // !exception
  CHECK(psl.parent_rule("foo.kawasaki.jp") == PublicSuffixList::ParentRule::no_rd);       // *.kawasaki.jp
  CHECK(psl.parent_rule("s3.amazonaws.com") == PublicSuffixList::ParentRule::no_rd);
  CHECK(psl.parent_rule("example.com") == PublicSuffixList::ParentRule::ask);  // two labels
  CHECK(psl.parent_rule(std::string_view("mx\0.example.com", 16)) == PublicSuffixList::ParentRule::ask);
  for (const char* odd : {"Mail.example.com", "mail.example.com.", "a..example.com", ".a.example.com", "10.0.0.1",
                          "b\303\274cher.example.com"}) {
    CHECK(psl.parent_rule(odd) == PublicSuffixList::ParentRule::ask);
  }
  // Every rule of the list the scanner uses, with one to three labels in front
  // (wildcards and exceptions included), and names with tricky shapes.
  std::vector<std::string> names = {"a.b.c.example.co.uk", "forgot.his.name", "a.forgot.his.name", "x.his.name",
                                    "a.b.city.kawasaki.jp", "a.b.foo.kawasaki.jp", "y.x.s3.amazonaws.com",
                                    "mail.local", "a.b.mail.local", "1.2.3.4.example.com", "mx.1.2.3.4",
                                    "a.b.xn--bcher-kva.example", "a_b.c-d.example.org"};
  std::ifstream list(kDefaultPslFile);
  REQUIRE(list.good());
  std::size_t rules = 0;
  for (std::string line; std::getline(list, line);) {
    if (line.empty() || line.starts_with("//")) continue;
    if (const auto space = line.find_first_of(" \t"); space != std::string::npos) line.resize(space);
    if (line.starts_with("!")) line.erase(0, 1);
    if (line.starts_with("*.")) line.erase(0, 2);
    const std::string rule = to_a_label(line).value_or(line);
    ++rules;
    names.push_back(rule);
    names.push_back("x." + rule);
    names.push_back("y.x." + rule);
    names.push_back("z.y.x." + rule);
  }
  CHECK(rules > 5000);
  std::size_t differing = 0;
  for (const auto& name : names) {
    if (rd_by_parent_rule(psl, name) != psl.registered_domain(name)) {
      ++differing;
      UNSCOPED_INFO(name << ": " << rd_by_parent_rule(psl, name) << " vs " << psl.registered_domain(name));
    }
  }
  CHECK(differing == 0);
}

TEST_CASE("a missing list is a clear error") {
  CHECK_THROWS_WITH(PublicSuffixList("/nonexistent.dat"),
                    Catch::Contains("/nonexistent.dat"));
}
