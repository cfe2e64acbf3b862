#include "mxscan/results/summary_report.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <cstdint>
#include <sstream>
#include <string>
#include <vector>
#include "domain_results.hpp"

using namespace mxscan;
using mxscan::test::ok;
using mxscan::test::with_status;

namespace {

const Catalog& google_catalog() {
  static const Catalog catalog = Catalog::parse(R"(
[[company]]
name = "Google"
ids = ["google.com"]
asns = [15169]
)");
  return catalog;
}

ProviderAssignment assigned(std::string id, double credit) {
  ProviderAssignment a;
  a.mx = "mx." + id;
  a.id = std::move(id);
  a.credit = credit;
  return a;
}

// Three domains: one fully Google, one shared with an ID whose name needs CSV
// quoting and belongs to no known company, one that does not exist.
Summary three_domains() {
  SummaryBuilder b(google_catalog());
  b.add(ok("a.example", {assigned("google.com", 1)}));
  b.add(ok("b.example", {assigned("google.com", 0.5), assigned("odd,\"id\".example", 0.5)}));
  DomainResult nx;
  nx.domain = "c.example";
  nx.status = DomainOutcome::nxdomain;
  nx.reason = "domain does not exist";
  b.add(nx);
  return b.build();
}

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) out.push_back(line);
  return out;
}

constexpr const char* kCsvHeader =
    "level,key,company,credit,domains,share_of_with_provider,share_of_all,"
    "domains_with_provider,domains_total";

}  // namespace

TEST_CASE("summary.csv: one row per company and per ID, each with its denominators",
          "[summary_report]") {
  const auto lines = lines_of(summary_csv(three_domains(), google_catalog()));
  REQUIRE(lines.size() == 5);
  CHECK(lines[0] == kCsvHeader);
  // Google: 1.5 credit over 2 domains with a provider (0.75) and 3 in all (0.5).
  CHECK(lines[1] == "company,Google,Google,1.5,2,0.75,0.5,2,3");
  // An ID of no known company stands alone; its comma and quotes are quoted (RFC 4180).
  CHECK(lines[2] == "company,\"odd,\"\"id\"\".example\",,0.5,1,0.25,0.16666666666666666,2,3");
  CHECK(lines[3] == "id,google.com,Google,1.5,2,0.75,0.5,2,3");
  CHECK(lines[4] == "id,\"odd,\"\"id\"\".example\",,0.5,1,0.25,0.16666666666666666,2,3");
}

TEST_CASE("summary.json: totals, outcomes, inputs, settings and both tables", "[summary_report]") {
  RunReport run;
  run.inputs = {{"in/domains.jsonl", 10, 3, 0, 2}, {"in/\"quoted\".jsonl", 4, 0, 2, 1}};
  run.batch.domain_records = 3;
  run.batch.duplicate_hosts = 7;
  run.options.misidentification_threshold = 9;
  run.options.keep_flagged = true;
  run.catalog_origin = "configs/providers.toml";
  run.psl_file = "/usr/share/publicsuffix/public_suffix_list.dat";
  run.psl_sha256 = "abc123";
  const std::string json = summary_json(three_domains(), google_catalog(), run);
  const auto has = [&json](const std::string& part) {
    INFO(part);
    CHECK(json.find(part) != std::string::npos);
  };
  CHECK(
      json.starts_with("{\"schema\":\"mxscan/summary/1\",\"domains_total\":3,"
                       "\"domains_with_provider\":2,"));
  CHECK(json.ends_with("}\n"));
  has("\"by_status\":{\"ok\":2,\"no_mx\":0,\"null_mx\":0,\"nxdomain\":1,\"dns_error\":0,"
      "\"no_smtp\":0,\"blocked\":0,\"invalid\":0}");
  has("\"dns_errors\":{\"domains\":0,\"most_domains\":false,\"causes\":{}}");
  has("\"malformed_lines\":3,");  // summed over the inputs
  has("{\"path\":\"in/\\\"quoted\\\".jsonl\",\"lines\":4,\"domain_records\":0,"
      "\"host_records\":2,\"malformed_lines\":1}");
  has("\"batch\":{\"domain_records\":3,\"host_records\":0,\"duplicate_domains\":0,"
      "\"duplicate_hosts\":7,");
  has("\"settings\":{\"threshold\":9,\"keep_flagged\":true,"
      "\"providers_config\":\"configs/providers.toml\","
      "\"psl_file\":\"/usr/share/publicsuffix/public_suffix_list.dat\",\"psl_sha256\":\"abc123\"}");
  has("{\"key\":\"Google\",\"known_company\":true,\"credit\":1.5,\"domains\":2,"
      "\"share_of_with_provider\":0.75,\"share_of_all\":0.5}");
  has("{\"id\":\"odd,\\\"id\\\".example\",\"company\":null,\"credit\":0.5,");
  has("{\"id\":\"google.com\",\"company\":\"Google\",");
  // The IDs are in the order of the Summary (most credit first).
  CHECK(json.find("\"id\":\"google.com\"") < json.find("\"id\":\"odd,"));
}

TEST_CASE("an empty batch gives headers, zero totals and empty tables", "[summary_report]") {
  const Catalog catalog;
  const Summary empty = SummaryBuilder(catalog).build();
  CHECK(summary_csv(empty, catalog) == std::string(kCsvHeader) + "\n");
  const std::string json = summary_json(empty, catalog, RunReport{});
  CHECK(json.find("\"domains_total\":0,\"domains_with_provider\":0,") != std::string::npos);
  CHECK(json.find("\"credit_without_id\":0,\"flagged_assignments\":0,\"malformed_lines\":0,"
                  "\"inputs\":[]") != std::string::npos);
  CHECK(json.ends_with("\"by_company\":[],\"by_id\":[]}\n"));
  // Shares over zero domains must not come out as NaN or infinity.
  CHECK(json.find("nan") == std::string::npos);
  CHECK(json.find("inf") == std::string::npos);
  const auto table = lines_of(top_table(empty, catalog, 10));
  REQUIRE(table.size() == 1);
  CHECK(table[0].find("% of 0 with provider") != std::string::npos);
  CHECK(table[0].find("% of all 0") != std::string::npos);
}

TEST_CASE("the top table: at most N rows, aligned, percentages, '-' for no company",
          "[summary_report]") {
  const Summary s = three_domains();
  const auto all = lines_of(top_table(s, google_catalog(), 10));
  REQUIRE(all.size() == 3);  // header and both IDs: asking for more rows than IDs is fine
  CHECK(all[0].find("provider ID") != std::string::npos);
  CHECK(all[0].find("% of 2 with provider") != std::string::npos);
  CHECK(all[0].find("% of all 3") != std::string::npos);
  CHECK(all[1].find("google.com") != std::string::npos);
  CHECK(all[1].find("Google") != std::string::npos);
  CHECK(all[1].find("1.5") != std::string::npos);
  CHECK(all[1].ends_with("75.00       50.00"));  // right-aligned under their headers
  CHECK(all[2].find("odd,\"id\".example  -") != std::string::npos);
  CHECK(all[2].ends_with("25.00       16.67"));
  // Columns line up: every line is as wide as the widest cell of each column.
  CHECK(all[0].size() == all[1].size());
  CHECK(all[1].size() == all[2].size());
  CHECK(all[1].starts_with("1  google.com"));
  CHECK(all[2].starts_with("2  odd"));

  const auto one = lines_of(top_table(s, google_catalog(), 1));
  REQUIRE(one.size() == 2);
  CHECK(one[1].find("google.com") != std::string::npos);
  CHECK(lines_of(top_table(s, google_catalog(), 0)).size() == 1);
}
