// Findings of fuzz_domain_list (tests/fuzz/domain_list/regressions/).
#include "mxscan/common/domain_list.hpp"

#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "corpus_replay.hpp"

using namespace std::string_literals;

TEST_CASE("a NUL byte in a list line does not join it to the next line", "[domain_list][fuzz]") {
  // "\x1f\x19\0\0\x80`\0\0rank,domain\n1,example.com\n2,ple\n3,example.org,extra\n":
  // gzgets stopped at the NUL, so "1,example.com" was read as the rest of line 1
  // and lost.
  std::string path = (std::filesystem::path(MXSCAN_SOURCE_DIR) /
                      "tests/fuzz/domain_list/regressions/nul-in-line-joins-next-line")
                         .string();
  mxscan::DomainListReader reader(path);
  std::vector<mxscan::DomainRecord> records;
  while (auto rec = reader.next()) records.push_back(std::move(*rec));
  const auto& stats = reader.stats();
  CHECK(stats.lines == 4);
  CHECK(stats.skipped == 1);  // line 1, a header: "<bytes>rank,domain"
  REQUIRE(records.size() == 3);
  CHECK(records[0].line == 2);
  CHECK(records[0].domain == "example.com");
  CHECK(records[1].line == 3);
  CHECK(records[1].domain == "ple");
  CHECK(records[2].line == 4);
  CHECK(records[2].domain == "example.org");
  CHECK(stats.valid == 3);
}
