#include "mxscan/inference/batch.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <random>

#include "mxscan/common/names.hpp"
#include "psl_rules.hpp"
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
  static const Catalog c = Catalog::load(test::source_path("configs/providers.toml"));
  return c;
}

std::string describe(const DomainResult& r) {
  std::string out = r.domain + " " + std::string(to_string(r.status)) + ":";
  for (const auto& p : r.providers) {
    out += " [" + p.mx + " " + p.id + " " + std::string(to_string(p.source)) +
           " score=" + std::to_string(p.score) +
           " flag=" + (p.flag ? std::string(to_string(*p.flag)) : "-") +
           " orig=" + p.original_id.value_or("-") + " " + p.flag_reason + p.reason + "]";
  }
  return out;
}

Results run(const Synthetic& s, const std::vector<std::size_t>& order, Options options = {}) {
  Batch batch(real(), psl(), options);
  for (auto i : order) {
    if (i < s.domains.size()) {
      batch.add(s.domains[i]);
    } else {
      batch.add(s.hosts[i - s.domains.size()]);
    }
  }
  return batch.finish();
}

}  // namespace

TEST_CASE("a random batch gives identical results in any input order") {
  for (std::uint32_t seed : {1u, 2u, 3u}) {
    auto s = synthetic(seed);
    std::vector<std::size_t> order(s.domains.size() + s.hosts.size());
    std::iota(order.begin(), order.end(), 0);
    auto reference = run(s, order);
    CHECK(reference.domains.size() > 350);
    CHECK(reference.stats.bad_hosts == 1);
    std::size_t ok = 0, flagged = 0;
    for (const auto& r : reference.domains) {
      if (r.status != DomainOutcome::ok) continue;
      ++ok;
      double sum = 0;
      for (const auto& p : r.providers) {
        sum += p.credit;
        if (p.flag) ++flagged;
      }
      CHECK(sum == Approx(1.0));
    }
    CHECK(ok > 100);  // the generator exercises the method, not only failures
    CHECK(flagged > 0);
    std::mt19937 rng(seed);
    for (int round = 0; round < 4; ++round) {
      std::shuffle(order.begin(), order.end(), rng);
      auto again = run(s, order);
      CHECK(again.stats == reference.stats);
      REQUIRE(again.domains.size() == reference.domains.size());
      for (std::size_t i = 0; i < again.domains.size(); ++i) {
        if (again.domains[i] == reference.domains[i]) continue;
        INFO("first difference: " << describe(reference.domains[i]) << "\n    vs "
                                  << describe(again.domains[i]));
        CHECK(again.domains[i] == reference.domains[i]);
        break;
      }
    }
  }
}

TEST_CASE("finish with a sink yields the same results as finish()") {
  auto s = synthetic(9);
  std::vector<std::size_t> order(s.domains.size() + s.hosts.size());
  std::iota(order.begin(), order.end(), 0);
  auto reference = run(s, order);
  Batch batch(real(), psl());
  for (const auto& d : s.domains) batch.add(d);
  for (const auto& h : s.hosts) batch.add(h);
  std::vector<DomainResult> streamed;
  auto stats = batch.finish([&](const DomainResult& r) { streamed.push_back(r); });
  CHECK(streamed == reference.domains);
  CHECK(stats == reference.stats);
}

TEST_CASE("batch statistics count bad, duplicate, unreferenced and missing records") {
  Batch batch(real(), psl());
  batch.add(domain("a.com", 2, {mx("mx.a.com", 10, {"192.0.2.1", "192.0.2.2"})}));
  batch.add(domain("a.com", 7, {mx("mx.other.com", 10, {"192.0.2.1"})}));
  batch.add(host("192.0.2.1", "220 mx.a.com ESMTP"));
  batch.add(host("192.0.2.1", "220 mx.a.com ESMTP"));
  batch.add(host("192.0.2.9", "220 unused.example.net ESMTP"));
  batch.add(host("300.1.1.1", "220 x"));
  auto r = batch.finish();
  CHECK(r.stats.domain_records == 2);
  CHECK(r.stats.host_records == 4);
  CHECK(r.stats.duplicate_domains == 1);
  CHECK(r.stats.duplicate_hosts == 1);
  CHECK(r.stats.bad_hosts == 1);
  CHECK(r.stats.unreferenced_hosts == 1);
  CHECK(r.stats.missing_hosts == 1);  // 192.0.2.2
  REQUIRE(r.domains.size() == 1);
  CHECK(r.domains[0].line == 2);  // the lowest line is kept
  CHECK(r.domains[0].providers.at(0).mx == "mx.a.com");
  CHECK_THROWS_AS(batch.add(host("192.0.2.3", "")), std::logic_error);
  CHECK_THROWS_AS(batch.finish(), std::logic_error);
}

TEST_CASE("a duplicate host observation is resolved the same way in either order") {
  auto live = host("192.0.2.1", "220 mx.first-host.net ESMTP");
  auto dead = host("192.0.2.1", "");
  dead.status = SmtpStatus::connect_timeout;
  auto other = host("192.0.2.1", "220 mx.second-host.net ESMTP");
  auto d = domain("a.com", 1, {mx("mx.a.com", 10, {"192.0.2.1"})});
  auto run_hosts = [&](const std::vector<HostObs>& hs) {
    Batch b(real(), psl());
    b.add(d);
    for (const auto& h : hs) b.add(h);
    return b.finish().domains.at(0);
  };
  CHECK(run_hosts({live, dead}) == run_hosts({dead, live}));
  CHECK(run_hosts({live, dead}).providers.at(0).id == "first-host.net");  // live beats dead
  CHECK(run_hosts({live, other}) == run_hosts({other, live}));
}

// The batch derives registered domains from the parents' answers (kept per name);
// whatever the order names arrive in, each must be registered_domain()'s answer.
TEST_CASE("MX-name IDs are registered_domain()'s answer for names under every rule of the list") {
  std::vector<std::string> names = {"mail.example.com", "MX.Example.COM",       "mx.example.com.",
                                    "x.1.2.3.4",        "a.b.city.kawasaki.jp", "x.ac.za",
                                    "y.x.ac.za",        "mail.local",           "*.google.com",
                                    "*.co.uk",          "a..b.example.com"};
  for (const auto& rule : test::psl_rule_names()) {
    // Deepest first, so each name is asked before its parents are known.
    for (const char* prefix : {"z.y.x.", "x.", "y.x.", ""}) names.push_back(prefix + rule);
  }
  Batch batch(real(), psl());
  for (std::size_t i = 0; i < names.size(); ++i) {
    const std::string address = "10." + std::to_string(i / 65536) + "." +
                                std::to_string(i / 256 % 256) + "." + std::to_string(i % 256);
    std::string name = "d";  // appended, not concatenated: g++ 12's -Wrestrict misfires on that
    name += std::to_string(i);
    name += ".test";
    batch.add(domain(name, i + 1, {mx(names[i], 10, {address})}));
    batch.add(host(address, "220 ready"));  // no name in the banner: the MX name decides
  }
  const auto r = batch.finish();
  REQUIRE(r.domains.size() == names.size());
  std::size_t differing = 0;
  for (std::size_t i = 0; i < names.size(); ++i) {
    REQUIRE(r.domains[i].providers.size() == 1);
    const auto& p = r.domains[i].providers[0];
    const std::string expected =
        psl().registered_domain(names[i].starts_with("*.") ? names[i].substr(2) : names[i]);
    const std::string got = p.original_id.value_or(p.id);
    if (got != expected) {
      ++differing;
      UNSCOPED_INFO(names[i] << ": " << got << " vs " << expected);
    }
  }
  CHECK(names.size() > 20000);
  CHECK(differing == 0);
}

TEST_CASE("per-exchange reuse never mixes different live address sets") {
  Batch batch(real(), psl());
  batch.add(domain("one.com", 1, {mx("mx.shared-host.net", 10, {"192.0.2.1"})}));
  batch.add(domain("two.com", 2, {mx("mx.shared-host.net", 10, {"192.0.2.1", "192.0.2.2"})}));
  batch.add(domain("three.com", 3, {mx("mx.shared-host.net", 10, {"192.0.2.1"})}));
  batch.add(host("192.0.2.1", "220 a.relay-one.net ESMTP"));
  batch.add(host("192.0.2.2", "220 b.relay-two.net ESMTP"));
  auto r = batch.finish();
  CHECK(r.domains[0].providers[0].id == "relay-one.net");
  CHECK(r.domains[1].providers[0].id == "shared-host.net");  // banners disagree: MX name
  CHECK(r.domains[1].providers[0].live_ips == 2);
  CHECK(r.domains[2].providers[0].id == "relay-one.net");
}

TEST_CASE("results are ordered by input line, then domain") {
  Batch batch(real(), psl());
  batch.add(domain("b.com", 2, {}));
  batch.add(domain("z.com", 1, {}));
  batch.add(domain("a.com", 2, {}));
  auto r = batch.finish();
  REQUIRE(r.domains.size() == 3);
  CHECK(r.domains[0].domain == "z.com");
  CHECK(r.domains[1].domain == "a.com");
  CHECK(r.domains[2].domain == "b.com");
  CHECK(r.domains[0].status == DomainOutcome::no_mx);
}
