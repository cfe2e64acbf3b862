#include "mxscan/results/migration.hpp"

#include <catch2/catch.hpp>
#include "domain_results.hpp"

using namespace mxscan;
using mxscan::test::ok;
using mxscan::test::with_status;

namespace {

ProviderAssignment assign(std::string id, std::optional<std::string> company, double credit) {
  ProviderAssignment a;
  a.mx = "mx." + (id.empty() ? std::string("none") : id);
  a.id = std::move(id);
  a.company = std::move(company);
  a.credit = credit;
  return a;
}

double cell(const Migration& m, const std::string& from, const std::string& to) {
  auto r = m.matrix.find(from);
  if (r == m.matrix.end()) return 0;
  auto c = r->second.find(to);
  return c == r->second.end() ? 0 : c->second;
}

}  // namespace

TEST_CASE("migration: self-hosted to Google, splits, statuses and absent domains") {
  const std::vector<DomainResult> before = {
      ok("moved.example", {assign("moved.example", std::nullopt, 1)}),
      ok("stayed.example", {assign("google.com", "Google", 1)}),
      ok("split.example",
         {assign("google.com", "Google", 0.5), assign("split.example", std::nullopt, 0.5)}),
      with_status("gone-dark.example", DomainOutcome::no_smtp),
      ok("dropped.example", {assign("outlook.com", "Microsoft", 1)}),
  };
  const std::vector<DomainResult> after = {
      ok("moved.example", {assign("google.com", "Google", 1)}),
      ok("stayed.example", {assign("google.com", "Google", 1)}),
      ok("split.example", {assign("outlook.com", "Microsoft", 1)}),
      ok("gone-dark.example", {assign("", std::nullopt, 1)}),
      ok("new.example", {assign("outlook.com", "Microsoft", 1)}),
  };
  const auto m = compare_runs(before, after);
  CHECK(m.old_domains == 5);
  CHECK(m.new_domains == 5);
  CHECK(m.common_domains == 4);
  CHECK(m.changed_domains == 5);  // all but stayed.example
  CHECK(cell(m, "other", "Google") == Approx(1));
  CHECK(cell(m, "Google", "Google") == Approx(1));  // stayed.example
  CHECK(cell(m, "Google", "Microsoft") == Approx(0.5));
  CHECK(cell(m, "other", "Microsoft") == Approx(0.5));
  CHECK(cell(m, "(no provider)", "(no ID)") == Approx(1));
  CHECK(cell(m, "Microsoft", "(absent)") == Approx(1));
  CHECK(cell(m, "(absent)", "Microsoft") == Approx(1));
  CHECK(m.moved() == Approx(5));
  // Rows and columns both sum to the number of domains.
  double total = 0;
  for (const auto& [from, row] : m.matrix) {
    for (const auto& [to, c] : row) total += c;
  }
  CHECK(total == Approx(6));

  const IdChange* google = nullptr;
  const IdChange* outlook = nullptr;
  for (const auto& c : m.ids) {
    if (c.id == "google.com") google = &c;
    if (c.id == "outlook.com") outlook = &c;
  }
  REQUIRE(google);
  REQUIRE(outlook);
  CHECK(google->old_credit == Approx(1.5));
  CHECK(google->new_credit == Approx(2));
  CHECK(google->gained == Approx(1));
  CHECK(google->lost == Approx(0.5));
  CHECK(google->company == "Google");
  CHECK(outlook->old_credit == Approx(1));
  CHECK(outlook->new_credit == Approx(2));
  CHECK(outlook->lost == Approx(1));
  CHECK(outlook->gained == Approx(2));

  REQUIRE(m.changes.size() == 5);
  CHECK(m.changes[0].domain == "dropped.example");
  CHECK(m.changes[0].new_status == "absent");
  CHECK(m.changes[1].domain == "gone-dark.example");
  CHECK(m.changes[1].old_status == "no_smtp");
  CHECK(m.changes[1].new_bucket == "(no ID)");

  const auto matrix_csv = migration_matrix_csv(m);
  CHECK(matrix_csv.rfind("from,to,credit\n", 0) == 0);
  CHECK(matrix_csv.find("other,Google,1\n") != std::string::npos);
  const auto changes_csv = provider_changes_csv(m);
  CHECK(changes_csv.find("google.com,Google,1.5,2,0.5,1,0.5,2,2\n") != std::string::npos);
  const auto domains_csv = changed_domains_csv(m);
  CHECK(domains_csv.find("moved.example,ok,ok,other,Google,moved.example=1,google.com=1\n") !=
        std::string::npos);
  const auto json = migration_json(m);
  CHECK(json.find("\"schema\":\"mxscan/diff/1\"") != std::string::npos);
  CHECK(json.find("{\"from\":\"other\",\"to\":\"Google\",\"credit\":1}") != std::string::npos);
  const auto text = migration_text(m, 5);
  CHECK(text.find("5 domains in OLD, 5 in NEW, 4 in both; 5 changed") != std::string::npos);
}

TEST_CASE("migration: identical runs move nothing") {
  const std::vector<DomainResult> run = {ok("a.example", {assign("google.com", "Google", 1)}),
                                         with_status("b.example", DomainOutcome::no_mx)};
  const auto m = compare_runs(run, run);
  CHECK(m.changed_domains == 0);
  CHECK(m.moved() == Approx(0));
  CHECK(cell(m, "Google", "Google") == Approx(1));
  CHECK(cell(m, "(no provider)", "(no provider)") == Approx(1));
  CHECK(bucket_of(assign("", std::nullopt, 1)) == kNoIdBucket);
}
