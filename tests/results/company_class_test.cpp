#include "mxscan/results/company_class.hpp"

#include <catch2/catch.hpp>

#include "domain_results.hpp"
#include "mxscan/inference/catalog.hpp"
#include "mxscan/results/report_data.hpp"

using namespace mxscan;
using mxscan::test::ok;
using mxscan::test::with_status;

namespace {

ProviderAssignment assigned(std::string id, std::optional<std::string> company, double credit,
                            Source source = Source::mx) {
  ProviderAssignment a;
  a.mx = "mx." + (id.empty() ? std::string("none.example") : id);
  a.id = std::move(id);
  a.company = std::move(company);
  a.credit = credit;
  a.source = source;
  return a;
}

std::vector<DomainResult> domains() {
  return {ok("a.example", {assigned("google.com", "Google", 1, Source::tls)}),
          ok("b.example", {assigned("google.com", "Google", 0.5, Source::tls),
                           assigned("b.example", std::nullopt, 0.5)}),
          ok("shop.c.example", {assigned("c.example", std::nullopt, 1, Source::banner)}),
          ok("d.example", {assigned("zeta-host.net", std::nullopt, 1, Source::banner)}),
          ok("e.example", {assigned("zeta-host.net", std::nullopt, 1, Source::banner)}),
          ok("f.example", {assigned("", std::nullopt, 1)}),
          ok("g.example", {assigned("tiny-host.org", std::nullopt, 1)}),
          with_status("h.example", DomainOutcome::no_smtp, "no answer"),
          with_status("i.example", DomainOutcome::no_smtp, "no answer"),
          with_status("j.example", DomainOutcome::no_mx, "none")};
}

}  // namespace

TEST_CASE("company class: known, self-hosted, not in the catalog, no ID") {
  CHECK(is_own_domain("c.example", "c.example"));
  CHECK(is_own_domain("shop.c.example", "c.example"));
  CHECK_FALSE(is_own_domain("shopc.example", "c.example"));
  CHECK_FALSE(is_own_domain("example", "c.example"));
  CHECK_FALSE(is_own_domain("c.example", ""));
  CHECK(company_class("a.example", assigned("google.com", "Google", 1)) == CompanyClass::known);
  CHECK(company_class("shop.c.example", assigned("c.example", std::nullopt, 1)) ==
        CompanyClass::self_hosted);
  CHECK(company_class("d.example", assigned("zeta-host.net", std::nullopt, 1)) ==
        CompanyClass::not_in_catalog);
  CHECK(company_class("f.example", assigned("", std::nullopt, 1)) == CompanyClass::no_id);
  CHECK(company_key(assigned("google.com", "Google", 1)) == "Google");
  CHECK(company_key(assigned("zeta-host.net", std::nullopt, 1)) == "zeta-host.net");
  CHECK(company_key(assigned("", std::nullopt, 1)).empty());
}

TEST_CASE("report: the company ranking is summary.csv's, and 'other' is split") {
  const Catalog catalog = Catalog::parse(R"(
[[company]]
name = "Google"
ids = ["google.com"]
asns = [15169]
)");
  SummaryBuilder summary(catalog);
  ReportBuilder report(2);
  for (const auto& r : domains()) {
    summary.add(r);
    report.add(r);
  }
  const auto s = summary.build();
  const auto d = report.build("/tmp/x", {}, false);
  REQUIRE(d.by_company.size() == s.by_company.size());
  for (std::size_t i = 0; i < s.by_company.size(); ++i) {
    INFO(i);
    CHECK(d.by_company[i].key == s.by_company[i].key);
    CHECK(d.by_company[i].credit == Approx(s.by_company[i].credit));
    CHECK(d.by_company[i].domains == s.by_company[i].domains);
  }
  const auto cls = [&](CompanyClass c) { return d.by_class[static_cast<std::size_t>(c)]; };
  CHECK(cls(CompanyClass::known).credit == Approx(1.5));
  CHECK(cls(CompanyClass::known).domains == 2);
  CHECK(cls(CompanyClass::self_hosted).credit == Approx(1.5));
  CHECK(cls(CompanyClass::self_hosted).examples ==
        std::vector<std::string>{"b.example", "shop.c.example"});
  CHECK(cls(CompanyClass::not_in_catalog).credit == Approx(3));
  CHECK(cls(CompanyClass::not_in_catalog).domains == 3);
  CHECK(cls(CompanyClass::no_id).credit == Approx(1));
  // Candidates: IDs of no company serving others' domains, most domains first.
  REQUIRE(d.candidates.size() == 2);
  CHECK(d.candidates[0].key == "zeta-host.net");
  CHECK(d.candidates[0].domains == 2);
  CHECK(d.candidates[0].examples == std::vector<std::string>{"d.example", "e.example"});
  CHECK(d.candidates[1].key == "tiny-host.org");
}

TEST_CASE("report: drill-down counts with at most N examples") {
  ReportBuilder report(1);
  for (const auto& r : domains()) report.add(r);
  const auto d = report.build("/tmp/x", {}, false);
  auto find = [&](std::string_view kind, std::string_view key) -> const DrillRow* {
    for (const auto& r : d.drill) {
      if (r.kind == kind && r.key == key) return &r;
    }
    return nullptr;
  };
  const auto* no_smtp = find("status", "no_smtp");
  REQUIRE(no_smtp != nullptr);
  CHECK(no_smtp->count == 2);
  CHECK(no_smtp->examples == std::vector<std::string>{"h.example"});
  const auto* banner = find("source", "banner");
  REQUIRE(banner != nullptr);
  CHECK(banner->count == 3);
  CHECK(find("company class", "self_hosted")->count == 2);
  CHECK(find("status", "ok")->count == 7);
  CHECK(d.domain_sample.size() == 10);
  CHECK(d.domain_sample[1].providers == "google.com (Google) 0.5 [tls]; b.example 0.5 [mx]");
  CHECK(domain_csv_row(domains()[3]) == "d.example,ok,not_in_catalog,zeta-host.net 1 [banner]\n");
}
