#include "mxscan/inference/streaming_batch.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <numeric>
#include <random>
#include <stdexcept>
#include <tuple>

#include "mxscan/common/names.hpp"
#include "scenario.hpp"
#include "synthetic_batch.hpp"

using namespace mxscan;
using namespace mxscan::test;

namespace {

const PublicSuffixList& psl() {
  static const PublicSuffixList p;
  return p;
}

const Catalog& real() {
  static const Catalog c = Catalog::load(source_path("configs/providers.toml"));
  return c;
}

Results in_memory(const Catalog& catalog, const std::vector<DomainObs>& domains,
                  const std::vector<HostObs>& hosts, Options options) {
  Batch batch(catalog, psl(), options);
  for (const auto& d : domains) batch.add(d);
  for (const auto& h : hosts) batch.add(h);
  return batch.finish();
}

struct Streamed {
  std::vector<DomainResult> domains;  // in the order the batch gave them
  BatchStats stats;
  bool recounted = false;
};

// The passes a StreamingMerge makes: hosts and `held` records, then `streamed`
// counted, recounted when asked, and read again for the results.
Streamed streaming(const Catalog& catalog, const std::vector<DomainObs>& streamed,
                   const std::vector<HostObs>& hosts, Options options,
                   const std::vector<DomainObs>& held = {}) {
  StreamingBatch batch(catalog, psl(), options);
  for (const auto& h : hosts) batch.add(h);
  for (const auto& d : held) batch.add(d);
  for (const auto& d : streamed) batch.count(d);
  Streamed out;
  out.recounted = batch.needs_recount();
  if (out.recounted) {
    for (const auto& d : streamed) batch.recount(d);
  }
  auto sink = [&](const DomainResult& r) { out.domains.push_back(r); };
  for (const auto& d : streamed) batch.result(d, sink);
  out.stats = batch.finish(sink);
  return out;
}

// The in-memory order: by line, then domain.
std::vector<DomainResult> by_line(std::vector<DomainResult> results) {
  std::stable_sort(results.begin(), results.end(), [](const auto& a, const auto& b) {
    return std::tie(a.line, a.domain) < std::tie(b.line, b.domain);
  });
  return results;
}

void check_same(const Results& reference, const Streamed& got) {
  CHECK(got.stats == reference.stats);
  const auto sorted = by_line(got.domains);
  REQUIRE(sorted.size() == reference.domains.size());
  for (std::size_t i = 0; i < sorted.size(); ++i) {
    if (sorted[i] == reference.domains[i]) continue;
    INFO("first difference at " << i << ": " << reference.domains[i].domain << " vs "
                                << sorted[i].domain);
    CHECK(sorted[i] == reference.domains[i]);
    break;
  }
}

}  // namespace

TEST_CASE("streaming gives the in-memory results on random batches") {
  for (std::uint32_t seed : {1u, 2u, 3u, 4u, 5u}) {
    for (bool keep_flagged : {false, true}) {
      INFO("seed " << seed << ", keep_flagged " << keep_flagged);
      auto s = synthetic(seed);
      Options options;
      options.keep_flagged = keep_flagged;
      const auto reference = in_memory(real(), s.domains, s.hosts, options);
      // The generator covers what the passes must get right.
      CHECK(reference.stats.duplicate_domains > 0);
      CHECK(reference.stats.duplicate_hosts > 0);
      CHECK(reference.stats.certificate_groups > 0);
      CHECK(std::any_of(reference.domains.begin(), reference.domains.end(), [](const auto& r) {
        return std::any_of(r.providers.begin(), r.providers.end(),
                           [](const auto& p) { return p.flag.has_value(); });
      }));
      const auto got = streaming(real(), s.domains, s.hosts, options);
      CHECK(got.recounted);
      check_same(reference, got);
      // Any order of the domain records (as shards read in any order give).
      auto shuffled = s.domains;
      std::mt19937 rng(seed);
      std::shuffle(shuffled.begin(), shuffled.end(), rng);
      check_same(reference, streaming(real(), shuffled, s.hosts, options));
    }
  }
}

TEST_CASE("streaming gives the in-memory results on every worked example and check") {
  const auto scenarios = load_scenarios(source_path("tests/inference/data/worked_examples.toml"));
  CHECK(scenarios.size() > 10);
  for (const auto& s : scenarios) {
    INFO("scenario: " << s.name);
    const Catalog catalog = s.catalog_text ? Catalog::parse(*s.catalog_text, s.name) : real();
    const auto reference = in_memory(catalog, s.domains, s.hosts, s.options);
    check_same(reference, streaming(catalog, s.domains, s.hosts, s.options));
  }
}

TEST_CASE("without duplicates the results come in the streamed order, with no recount") {
  std::vector<DomainObs> domains = {
      domain("b.example", 3, {mx("mx.shared.net", 10, {"192.0.2.1"})}),
      domain("a.example", 1, {mx("mx.shared.net", 10, {"192.0.2.1"})}),
      domain("c.example", 2, {mx("mail.c.example", 10, {"192.0.2.2"})}),
  };
  std::vector<HostObs> hosts = {host("192.0.2.1", "220 mx1.bigmail.net ESMTP"),
                                host("192.0.2.2", "220 mail.c.example ESMTP")};
  const auto reference = in_memory(real(), domains, hosts, {});
  const auto got = streaming(real(), domains, hosts, {});
  CHECK_FALSE(got.recounted);
  REQUIRE(got.domains.size() == 3);
  CHECK(got.domains[0].domain == "b.example");
  CHECK(got.domains[1].domain == "a.example");
  CHECK(got.domains[2].domain == "c.example");
  // The popularity count spans the pass: the shared exchange scores 2.
  CHECK(got.domains[0].providers.at(0).score == 2);
  check_same(reference, got);
}

TEST_CASE("a duplicate dropped after counting leaves the counts as in memory") {
  // The later record of d.example points elsewhere; only the kept one (line 1)
  // may count towards mx.shared.net's popularity.
  std::vector<DomainObs> domains = {
      domain("d.example", 1, {mx("mx.shared.net", 10, {"192.0.2.1"})}),
      domain("e.example", 2, {mx("mx.shared.net", 10, {"192.0.2.1"})}),
      domain("d.example", 7, {mx("mx.other.net", 10, {"192.0.2.3"})}),
      domain("d.example", 1, {mx("mx.other.net", 10, {"192.0.2.3"})}),
  };
  std::vector<HostObs> hosts = {host("192.0.2.1", "220 mx1.bigmail.net ESMTP"),
                                host("192.0.2.3", "220 mx.other.net ESMTP")};
  const auto reference = in_memory(real(), domains, hosts, {});
  REQUIRE(reference.stats.duplicate_domains == 2);
  const auto got = streaming(real(), domains, hosts, {});
  CHECK(got.recounted);
  check_same(reference, got);
  // Held records (read once) take part in the duplicate choice too.
  const std::vector<DomainObs> streamed(domains.begin(), domains.begin() + 2);
  const std::vector<DomainObs> held(domains.begin() + 2, domains.end());
  check_same(reference, streaming(real(), streamed, hosts, {}, held));
}

TEST_CASE("streaming calls out of order are refused") {
  StreamingBatch batch(real(), psl());
  auto d = domain("a.example", 1, {mx("mx.shared.net", 10, {"192.0.2.1"})});
  batch.count(d);
  CHECK_THROWS_AS(batch.add(host("192.0.2.1", "220 x")), std::logic_error);
  CHECK_FALSE(batch.needs_recount());
  CHECK_THROWS_AS(batch.count(d), std::logic_error);
  std::vector<DomainResult> got;
  batch.result(d, [&](const DomainResult& r) { got.push_back(r); });
  batch.finish([&](const DomainResult& r) { got.push_back(r); });
  CHECK(got.size() == 1);
  CHECK_THROWS_AS(batch.result(d, [](const DomainResult&) {}), std::logic_error);

  StreamingBatch skipped(real(), psl());
  skipped.count(d);
  skipped.count(d);  // a duplicate: the results need the recount first
  CHECK_THROWS_AS(skipped.result(d, [](const DomainResult&) {}), std::logic_error);
}
