#include "mxscan/inference/result.hpp"

#include <catch2/catch.hpp>

#include "mxscan/common/names.hpp"
#include "mxscan/inference/batch.hpp"
#include "mxscan/inference/catalog.hpp"
#include "scenario.hpp"

using namespace mxscan;

TEST_CASE("output vocabulary is exactly the documented snake_case names") {
  CHECK(to_string(DomainOutcome::ok) == "ok");
  CHECK(to_string(DomainOutcome::no_mx) == "no_mx");
  CHECK(to_string(DomainOutcome::null_mx) == "null_mx");
  CHECK(to_string(DomainOutcome::nxdomain) == "nxdomain");
  CHECK(to_string(DomainOutcome::dns_error) == "dns_error");
  CHECK(to_string(DomainOutcome::no_smtp) == "no_smtp");
  CHECK(to_string(DomainOutcome::blocked) == "blocked");
  CHECK(to_string(DomainOutcome::invalid) == "invalid");
  CHECK(to_string(Source::tls) == "tls");
  CHECK(to_string(Source::banner) == "banner");
  CHECK(to_string(Source::mx) == "mx");
  CHECK(to_string(Flag::vps) == "vps");
  CHECK(to_string(Flag::unseen_as) == "unseen_as");
  for (std::size_t i = 0; i < kDomainOutcomeCount; ++i) {
    auto o = static_cast<DomainOutcome>(i);
    CHECK(parse_domain_outcome(to_string(o)) == o);
  }
  CHECK_FALSE(parse_domain_outcome("fine"));
}

namespace {
ProviderAssignment pa(std::string id, double credit, std::optional<Flag> flag = std::nullopt) {
  ProviderAssignment p;
  p.mx = "mx." + (id.empty() ? std::string("nowhere") : id);
  p.id = std::move(id);
  p.credit = credit;
  p.flag = flag;
  return p;
}
DomainResult result(std::string domain, DomainOutcome status,
                    std::vector<ProviderAssignment> providers = {}) {
  DomainResult r;
  r.domain = std::move(domain);
  r.status = status;
  r.providers = std::move(providers);
  return r;
}
}  // namespace

TEST_CASE("summary: credit per ID and per company, with both denominators") {
  auto catalog = Catalog::load(test::source_path("configs/providers.toml"));
  Results results;
  results.domains = {
      result("lodi.gov", DomainOutcome::ok, {pa("iphmx.com", 0.5), pa("iphmx.com", 0.5)}),
      result("a.com", DomainOutcome::ok, {pa("google.com", 1.0)}),
      result("b.com", DomainOutcome::ok, {pa("gmail.com", 0.5), pa("google.com", 0.5)}),
      result("c.com", DomainOutcome::ok, {pa("c.com", 0.5, Flag::vps), pa("", 0.5)}),
      result("d.com", DomainOutcome::no_smtp),
      result("e.com", DomainOutcome::nxdomain),
      result("f.com", DomainOutcome::no_smtp),
  };
  auto s = summarise(results, catalog);
  CHECK(s.domains_total == 7);
  CHECK(s.domains_with_provider == 4);
  CHECK(s.by_status[static_cast<std::size_t>(DomainOutcome::no_smtp)] == 2);
  CHECK(s.by_status[static_cast<std::size_t>(DomainOutcome::nxdomain)] == 1);
  CHECK(s.credit_without_id == Approx(0.5));
  CHECK(s.flagged_assignments == 1);
  REQUIRE(s.by_id.size() == 4);
  CHECK(s.by_id[0].key == "google.com");  // 1.5
  CHECK(s.by_id[0].credit == Approx(1.5));
  CHECK(s.by_id[0].domains == 2);
  CHECK(s.by_id[0].share_of_with_provider == Approx(1.5 / 4));
  CHECK(s.by_id[0].share_of_all == Approx(1.5 / 7));
  CHECK(s.by_id[1].key == "iphmx.com");  // 1.0 from one domain (lodi.gov)
  CHECK(s.by_id[1].credit == Approx(1.0));
  CHECK(s.by_id[1].domains == 1);
  CHECK(s.by_id[2].key == "c.com");  // 0.5, ties by key
  CHECK(s.by_id[3].key == "gmail.com");
  REQUIRE(s.by_company.size() == 3);
  CHECK(s.by_company[0].key == "Google");  // google.com + gmail.com
  CHECK(s.by_company[0].known_company);
  CHECK(s.by_company[0].credit == Approx(2.0));
  CHECK(s.by_company[0].domains == 2);  // b.com counted once
  CHECK(s.by_company[1].key == "Cisco");
  CHECK(s.by_company[2].key == "c.com");
  CHECK_FALSE(s.by_company[2].known_company);
  double total = s.credit_without_id;
  for (const auto& row : s.by_id) total += row.credit;
  CHECK(total == Approx(static_cast<double>(s.domains_with_provider)));
}

TEST_CASE("summary of an inferred batch: lodi.gov gives 1.0 to iphmx.com") {
  static const PublicSuffixList psl;
  auto catalog = Catalog::load(test::source_path("configs/providers.toml"));
  auto scenarios =
      test::load_scenarios(test::source_path("tests/inference/data/worked_examples.toml"));
  auto it = std::find_if(scenarios.begin(), scenarios.end(),
                         [](const test::Scenario& s) { return s.name.starts_with("lodi.gov"); });
  REQUIRE(it != scenarios.end());
  auto s = summarise(test::run_batch(*it, catalog, test::natural_order(*it)), catalog);
  REQUIRE(s.by_id.size() == 1);
  CHECK(s.by_id[0].key == "iphmx.com");
  CHECK(s.by_id[0].credit == Approx(1.0));
  CHECK(s.by_company.at(0).key == "Cisco");
}

TEST_CASE("an empty batch summarises to zeros without dividing by zero") {
  Catalog catalog;
  auto s = summarise(Results{}, catalog);
  CHECK(s.domains_total == 0);
  CHECK(s.by_id.empty());
}
