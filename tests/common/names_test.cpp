#include "mxscan/common/names.hpp"

#include <algorithm>
#include <catch2/catch.hpp>
#include <fstream>
#include <string>
#include <vector>

#include "psl_rules.hpp"

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
  CHECK(psl.registered_domain("a.b.foo.ck") == "b.foo.ck");                    // wildcard *.ck
  CHECK(psl.registered_domain("a.b.city.kawasaki.jp") == "city.kawasaki.jp");  // !exception
  CHECK(psl.registered_domain("mail.local").empty());                          // unknown TLD
  CHECK(psl.registered_domain("localhost").empty());                           // single label
  CHECK(psl.registered_domain("192.0.2.1").empty());                           // address literal
  CHECK(psl.is_public_suffix("co.uk"));
  CHECK_FALSE(psl.is_public_suffix("example.com"));
  CHECK(psl.sha256().size() == 64);
}

namespace {

// The registered domain as a memoising caller (the inference batch) derives it from
// public_suffix_if_plain().
std::string rd_by_parents(const PublicSuffixList& psl, std::string_view name) {
  const auto dot = name.find('.');
  if (dot == std::string_view::npos) return {};
  const auto self = psl.public_suffix_if_plain(name);
  if (!self) return psl.registered_domain(name);
  if (*self) return {};
  const std::string_view parent = name.substr(dot + 1);
  const auto above = psl.public_suffix_if_plain(parent);
  if (!above) return psl.registered_domain(name);
  if (!*above) return rd_by_parents(psl, parent);
  const bool tld_listed =
      psl.public_suffix_if_plain(name.substr(name.rfind('.') + 1)).value_or(false);
  return tld_listed ? std::string(name) : std::string();
}

}  // namespace

TEST_CASE("registered domains from the parents' answers equal registered_domain under every rule") {
  PublicSuffixList psl;
  CHECK(psl.public_suffix_if_plain("com") == true);
  CHECK(psl.public_suffix_if_plain("local") == false);  // unknown TLD: no explicit rule
  CHECK(psl.public_suffix_if_plain("co.uk") == true);
  CHECK(psl.public_suffix_if_plain("example.com") == false);
  CHECK(psl.public_suffix_if_plain("city.kawasaki.jp") == false);  // !exception
  CHECK(psl.public_suffix_if_plain("foo.kawasaki.jp") == true);    // *.kawasaki.jp
  CHECK(psl.public_suffix_if_plain("s3.amazonaws.com") == true);   // private section
  CHECK_FALSE(psl.public_suffix_if_plain(std::string_view("mx\0.example.com", 16)).has_value());
  for (const char* odd : {"Mail.example.com", "mail.example.com.", "a..example.com",
                          ".a.example.com", "10.0.0.1", "b\303\274cher.example.com", ""}) {
    CHECK_FALSE(psl.public_suffix_if_plain(odd).has_value());
  }
  // Every rule of the list the scanner uses, with one to three labels in front
  // (wildcards and exceptions included), and names with tricky shapes.
  std::vector<std::string> names = {"a.b.c.example.co.uk",
                                    "forgot.his.name",
                                    "a.forgot.his.name",
                                    "x.his.name",
                                    "a.b.city.kawasaki.jp",
                                    "a.b.foo.kawasaki.jp",
                                    "y.x.s3.amazonaws.com",
                                    "mail.local",
                                    "a.b.mail.local",
                                    "1.2.3.4.example.com",
                                    "mx.1.2.3.4",
                                    "a.b.xn--bcher-kva.example",
                                    "a_b.c-d.example.org",
                                    "x.1.2.3.4",
                                    "Mail.Example.COM",
                                    "mail.example.com.",
                                    "*.example.com",
                                    "com",
                                    "a.b.c"};
  const auto with_flags = read_psl_rule_names(kDefaultPslFile);
  REQUIRE(with_flags.has_value());
  CHECK(std::count_if(with_flags->begin(), with_flags->end(),
                      [](const PslRuleName& r) { return r.wildcard; }) > 10);
  const auto rules = test::psl_rule_names();
  for (const auto& rule : rules) {
    names.push_back(rule);
    names.push_back("x." + rule);
    names.push_back("y.x." + rule);
    names.push_back("z.y.x." + rule);
  }
  CHECK(rules.size() > 5000);
  std::size_t differing = 0;
  for (const auto& name : names) {
    // A plain name's answer (rule-name prefilter, then libpsl) is libpsl's own.
    if (const auto plain = psl.public_suffix_if_plain(name);
        plain && *plain != psl.is_public_suffix(name)) {
      ++differing;
      UNSCOPED_INFO(name << ": public_suffix_if_plain " << *plain);
    }
    if (rd_by_parents(psl, name) != psl.registered_domain(name)) {
      ++differing;
      UNSCOPED_INFO(name << ": " << rd_by_parents(psl, name) << " vs "
                         << psl.registered_domain(name));
    }
  }
  CHECK(differing == 0);
}

TEST_CASE("the binary form of the list gives the same answers (without the rule-name prefilter)") {
  const std::string dafsa = "/usr/share/publicsuffix/public_suffix_list.dafsa";
  if (!std::ifstream(dafsa).good()) return;             // not every publicsuffix package ships it
  CHECK_FALSE(read_psl_rule_names(dafsa).has_value());  // hence no prefilter for it
  PublicSuffixList text;
  PublicSuffixList binary(dafsa);
  for (const auto& rule : test::psl_rule_names()) {
    for (const std::string& name : {rule, "x." + rule, "y.x." + rule}) {
      INFO(name);
      CHECK(binary.public_suffix_if_plain(name) == text.public_suffix_if_plain(name));
      CHECK(binary.registered_domain(name) == text.registered_domain(name));
    }
  }
}

TEST_CASE("a missing list is a clear error") {
  CHECK_THROWS_WITH(PublicSuffixList("/nonexistent.dat"), Catch::Contains("/nonexistent.dat"));
}
