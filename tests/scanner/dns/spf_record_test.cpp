#include "mxscan/scanner/dns/spf_record.hpp"

#include <catch2/catch.hpp>

#include <string>

using namespace mxscan;
using spf::TermKind;

namespace {

std::string error_of(const std::string& text) { return spf::parse_record(text).error; }

}  // namespace

TEST_CASE("SPF: which TXT strings are SPF records") {
  CHECK(spf::is_spf_record("v=spf1"));
  CHECK(spf::is_spf_record("v=spf1 -all"));
  CHECK(spf::is_spf_record("V=SPF1 include:_spf.google.com ~all"));  // case-insensitive (4.5)
  CHECK_FALSE(spf::is_spf_record("v=spf10 -all"));
  CHECK_FALSE(spf::is_spf_record("v=spf1-all"));
  CHECK_FALSE(spf::is_spf_record(" v=spf1 -all"));
  CHECK_FALSE(spf::is_spf_record("v=DMARC1; p=none"));
  CHECK_FALSE(spf::is_spf_record("google-site-verification=abc"));
  CHECK_FALSE(spf::is_spf_record(""));
}

TEST_CASE("SPF: a provider's record parses into its terms") {
  const auto r = spf::parse_record(
      "v=spf1 ip4:192.0.2.0/24 ip6:2001:db8::/32 a mx:Mail.Example.COM./24 "
      "include:SPF.Protection.Outlook.com ?exists:%{i}.spf.example.net ~all exp=explain.example");
  REQUIRE(r.record);
  CHECK(r.error.empty());
  const auto& t = r.record->terms;
  REQUIRE(t.size() == 8);
  CHECK(t[0].kind == TermKind::ip4);
  CHECK(t[1].kind == TermKind::ip6);
  CHECK(t[2].kind == TermKind::a);
  CHECK(t[2].target.empty());
  CHECK(t[3] == spf::Term{TermKind::mx, "mail.example.com", false});
  CHECK(t[4] == spf::Term{TermKind::include, "spf.protection.outlook.com", false});
  CHECK(t[5].kind == TermKind::exists);
  CHECK(t[5].has_macro);
  CHECK(t[6].kind == TermKind::all);
  CHECK(t[7].kind == TermKind::exp);
  CHECK(r.record->has_all());
  CHECK(r.record->redirect() == nullptr);
}

TEST_CASE("SPF: redirect, unknown modifiers, spaces and an empty record") {
  const auto r = spf::parse_record("v=spf1   redirect=_spf.Example.net.  custom-mod=x  ");
  REQUIRE(r.record);
  REQUIRE(r.record->terms.size() == 2);
  REQUIRE(r.record->redirect() != nullptr);
  CHECK(r.record->redirect()->target == "_spf.example.net");
  CHECK(r.record->terms[1].kind == TermKind::modifier);
  CHECK_FALSE(r.record->has_all());
  const auto empty = spf::parse_record("v=spf1");
  REQUIRE(empty.record);
  CHECK(empty.record->terms.empty());
}

TEST_CASE("SPF: DNS-querying terms are the six of RFC 7208 4.6.4") {
  for (auto k : {TermKind::include, TermKind::a, TermKind::mx, TermKind::ptr, TermKind::exists,
                 TermKind::redirect}) {
    CHECK(spf::queries_dns(k));
  }
  for (auto k : {TermKind::all, TermKind::ip4, TermKind::ip6, TermKind::exp, TermKind::modifier}) {
    CHECK_FALSE(spf::queries_dns(k));
  }
}

TEST_CASE("SPF: malformed records are syntax errors naming the term") {
  CHECK(error_of("v=spf1 include -all") == "syntax: include");
  CHECK(error_of("v=spf1 include: -all") == "syntax: include:");
  CHECK(error_of("v=spf1 foo:bar.example -all") == "syntax: foo:bar.example");
  CHECK(error_of("v=spf1 ip4 -all") == "syntax: ip4");
  CHECK(error_of("v=spf1 -all/24") == "syntax: -all/24");
  CHECK(error_of("v=spf1 a/99999 -all") == "syntax: a/99999");
  CHECK(error_of("v=spf1 ptr/24") == "syntax: ptr/24");
  CHECK(error_of("v=spf1 include:bad%.example") == "syntax: include:bad%.example");
  CHECK(error_of("v=spf1 redirect=a.example redirect=b.example") == "syntax: redirect=b.example");
  CHECK(error_of("v=spf1 exp=a.example exp=b.example") == "syntax: exp=b.example");
  CHECK(error_of("v=spf1 1bad=x") == "syntax: 1bad=x");
  CHECK(error_of("v=spf1 redirect=") == "syntax: redirect=");
  CHECK(error_of("not spf") == "syntax: not an SPF record");
}
