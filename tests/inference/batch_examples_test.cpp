#include "mxscan/inference/batch.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <random>

#include "scenario.hpp"

using namespace mxscan;
using mxscan::test::Scenario;

namespace {

const Catalog& real_catalog() {
  static const Catalog catalog = Catalog::load(test::source_path("configs/providers.toml"));
  return catalog;
}

Catalog catalog_for(const Scenario& s) {
  if (s.catalog_text) return Catalog::parse(*s.catalog_text, s.name);
  return real_catalog();
}

void check_expectations(const Scenario& s, const Results& results) {
  for (const auto& x : s.expectations) {
    INFO("scenario: " << s.name << "\ndomain: " << x.domain);
    auto it = std::find_if(results.domains.begin(), results.domains.end(),
                           [&](const DomainResult& r) { return r.domain == x.domain; });
    REQUIRE(it != results.domains.end());
    const auto& r = *it;
    INFO("reason: " << r.reason);
    CHECK(to_string(r.status) == x.status);
    if (x.reason_contains) CHECK_THAT(r.reason, Catch::Contains(*x.reason_contains));
    if (!x.providers) continue;
    REQUIRE(r.providers.size() == x.providers->size());
    for (std::size_t i = 0; i < r.providers.size(); ++i) {
      const auto& got = r.providers[i];
      const auto& want = (*x.providers)[i];
      INFO("provider " << i << ": mx=" << got.mx << " id=" << got.id
                       << " source=" << to_string(got.source) << " score=" << got.score
                       << " flag=" << (got.flag ? to_string(*got.flag) : "-")
                       << " original=" << got.original_id.value_or("-")
                       << " reason=" << got.flag_reason << got.reason);
      if (want.mx) CHECK(got.mx == *want.mx);
      if (want.id) CHECK(got.id == *want.id);
      if (want.source) CHECK(to_string(got.source) == *want.source);
      if (want.company) CHECK(got.company == *want.company);
      if (want.flag) CHECK(std::string(got.flag ? to_string(*got.flag) : "") == *want.flag);
      if (want.original_id) CHECK(got.original_id.value_or("") == *want.original_id);
      if (want.credit) CHECK(got.credit == Approx(*want.credit));
      if (want.score) CHECK(got.score == *want.score);
      if (want.live_ips) CHECK(got.live_ips == *want.live_ips);
      if (want.reason_contains)
        CHECK_THAT(got.flag_reason + got.reason, Catch::Contains(*want.reason_contains));
    }
  }
}

void check_credit_sums(const Results& results) {
  for (const auto& r : results.domains) {
    if (r.status != DomainOutcome::ok) {
      CHECK(r.providers.empty());
      continue;
    }
    double sum = 0;
    for (const auto& p : r.providers) sum += p.credit;
    INFO(r.domain);
    CHECK(sum == Approx(1.0));
  }
}

}  // namespace

TEST_CASE("worked examples of docs/method.md and the paper give the expected providers") {
  auto scenarios =
      test::load_scenarios(test::source_path("tests/inference/data/worked_examples.toml"));
  REQUIRE(scenarios.size() >= 30);
  for (const auto& s : scenarios) {
    auto catalog = catalog_for(s);
    auto results = test::run_batch(s, catalog, test::natural_order(s));
    check_expectations(s, results);
    check_credit_sums(results);
    // Every input domain has exactly one result, in input-line order.
    CHECK(results.domains.size() == s.domains.size());
    CHECK(std::is_sorted(
        results.domains.begin(), results.domains.end(),
        [](const DomainResult& a, const DomainResult& b) { return a.line < b.line; }));
  }
}

TEST_CASE("the same observations in any order give identical results") {
  auto scenarios =
      test::load_scenarios(test::source_path("tests/inference/data/worked_examples.toml"));
  std::mt19937 rng(20211102);
  for (const auto& s : scenarios) {
    INFO("scenario: " << s.name);
    auto catalog = catalog_for(s);
    auto order = test::natural_order(s);
    auto reference = test::run_batch(s, catalog, order);
    std::reverse(order.begin(), order.end());  // hosts before the domains using them
    CHECK(test::run_batch(s, catalog, order) == reference);
    for (int round = 0; round < 5; ++round) {
      std::shuffle(order.begin(), order.end(), rng);
      CHECK(test::run_batch(s, catalog, order) == reference);
    }
  }
}
