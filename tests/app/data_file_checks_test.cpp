// Data files that are not what they claim are refused with the first bad lines
// named, instead of silently turning the measurement into nulls.
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "merged_folder.hpp"
#include "mxscan/common/asn/mmdb_asn_source.hpp"
#include "mxscan/common/asn/open_asn_source.hpp"
#include "mxscan/common/asn/pfx2as_asn_source.hpp"
#include "mxscan/common/names.hpp"
#include "mxscan/scanner/conduct/blocklist.hpp"
#include "mxscan/scanner/run/manifest.hpp"
#include "mxscan/scanner/run/scan_preflight.hpp"
#include "mxscan/scanner/smtp/smtp_stage.hpp"
#include "temp_dir.hpp"

using namespace mxscan;
using mxscan::test::TempDir;
namespace fs = std::filesystem;

namespace {

const std::string kTestDb = MXSCAN_SOURCE_DIR "/../shared/data/GeoLite2-ASN-Test.mmdb";

std::string pfx2as_lines(int good, int bad) {
  std::string text = "# a comment is not a line of data\n";
  for (int i = 0; i < good; ++i) text += "10." + std::to_string(i % 250) + ".0.0\t16\t64500\n";
  for (int i = 0; i < bad; ++i) text += "junk line " + std::to_string(i) + "\n";
  return text;
}

}  // namespace

TEST_CASE("pfx2as: a clean file has no problem") {
  const Pfx2AsSource src(pfx2as_lines(50, 0), "ok.pfx2as");
  CHECK(src.data_lines() == 50);
  CHECK(src.problem().empty());
}

TEST_CASE("pfx2as: a few malformed lines in a large file are tolerated") {
  const Pfx2AsSource src(pfx2as_lines(2000, 10), "big.pfx2as");
  CHECK(src.malformed_lines() == 10);
  CHECK(src.problem().empty());
}

TEST_CASE("pfx2as: no valid line is refused, naming the first lines") {
  const Pfx2AsSource src(std::string("hello\nworld\n"), "junk.pfx2as");
  const std::string p = src.problem();
  CHECK_THAT(p, Catch::Contains("not a CAIDA prefix-to-AS file") &&
                    Catch::Contains("junk.pfx2as:1:") && Catch::Contains("junk.pfx2as:2:"));
  const Pfx2AsSource empty(std::string("# only a comment\n"), "empty.pfx2as");
  CHECK_THAT(empty.problem(), Catch::Contains("no valid"));
}

TEST_CASE("pfx2as: more than 10 lines or 1 % malformed is refused") {
  const Pfx2AsSource many(pfx2as_lines(5000, 11), "many.pfx2as");
  CHECK_THAT(many.problem(),
             Catch::Contains("11 of 5011 lines") && Catch::Contains("many.pfx2as:5002:"));
  const Pfx2AsSource share(pfx2as_lines(99, 2), "share.pfx2as");
  CHECK_THAT(share.problem(), Catch::Contains("2 of 101 lines"));
  const Pfx2AsSource under(pfx2as_lines(200, 2), "under.pfx2as");
  CHECK(under.problem().empty());
}

TEST_CASE("pfx2as given an .mmdb is refused") {
  const Pfx2AsSource src(kTestDb);
  CHECK_THAT(src.problem(),
             Catch::Contains("not a CAIDA prefix-to-AS file") && Catch::Contains("--asn-db"));
  CHECK_THROWS_WITH(open_asn_source("", kTestDb),
                    Catch::StartsWith("--pfx2as ") && Catch::Contains(kTestDb));
}

TEST_CASE("mmdb: an ASN database has no problem, a text file is refused") {
  const MmdbAsnSource db(kTestDb);
  CHECK(db.problem().empty());
  CHECK(open_asn_source(kTestDb, "") != nullptr);
  TempDir dir;
  const std::string junk = dir.file("junk.mmdb", "10.0.0.0\t8\t64500\n");
  CHECK_THROWS_WITH(open_asn_source(junk, ""),
                    Catch::StartsWith("--asn-db ") && Catch::Contains(junk));
  const std::string ok = dir.file("ok.pfx2as", pfx2as_lines(20, 0));
  CHECK(open_asn_source("", ok) != nullptr);
}

TEST_CASE("blocklist: a file without a range is refused, every bad line is named") {
  TempDir dir;
  Blocklist b;
  CHECK_THROWS_WITH(b.add_file(dir.file("empty.conf", "# nothing yet\n\n")),
                    Catch::Contains("empty.conf") && Catch::Contains("without a single address"));
  CHECK_THROWS_WITH(b.add_file(dir.file("bad.conf", "10.0.0.0/8\nfoo\n192.0.2.0/24\nbar\n")),
                    Catch::Contains("bad.conf:2") && Catch::Contains("'foo'") &&
                        Catch::Contains("bad.conf:4") && Catch::Contains("'bar'"));
  std::string many;
  for (int i = 0; i < 9; ++i) many += "x" + std::to_string(i) + "\n";
  CHECK_THROWS_WITH(b.add_file(dir.file("many.conf", many)), Catch::Contains("many.conf:5") &&
                                                                 !Catch::Contains("many.conf:6") &&
                                                                 Catch::Contains("4 more lines"));
  Blocklist good;
  good.add_file(dir.file("good.conf", "# opted out\n198.51.100.0/24\n"));
  CHECK(good.blocked_ranges() == 1);
}

TEST_CASE("CA file: certificates counted, a file without one has none") {
  TempDir dir;
  CHECK(count_pem_certificates("/etc/ssl/certs/ca-certificates.crt") > 10);
  CHECK(count_pem_certificates(dir.file("junk.pem", "not a certificate\n")) == 0);
  CHECK(count_pem_certificates(dir.file("empty.pem", "")) == 0);
  CHECK_THROWS_WITH(count_pem_certificates((dir.path / "none.pem").string()),
                    Catch::Contains("none.pem"));
}

TEST_CASE("manifest: resume overrides are written and read back") {
  TempDir dir;
  Manifest m;
  m.state = mxscan::ScanState::interrupted;
  m.started = "2026-12-07T10:00:00Z";
  m.domains_file = "/data/list.txt";
  m.resumes = 2;
  m.resume_overrides = {{1, "--rate", "smtp.rate", "100", "10"},
                        {2, "--per-24", "smtp.per24_in_flight", "2", "1"}};
  write_manifest(dir.path.string(), m);
  const std::string json = manifest_json(m);
  CHECK_THAT(json, Catch::Contains("\"resume_overrides\"") &&
                       Catch::Contains("\"setting\" : \"smtp.rate\""));
  const Manifest back = read_manifest(dir.path.string());
  REQUIRE(back.resume_overrides.size() == 2);
  CHECK(back.resume_overrides[0].resume == 1);
  CHECK(back.resume_overrides[0].option == "--rate");
  CHECK(back.resume_overrides[0].old_value == "100");
  CHECK(back.resume_overrides[1].new_value == "1");
  Manifest none = m;
  none.resume_overrides.clear();
  write_manifest(dir.path.string(), none);
  CHECK(read_manifest(dir.path.string()).resume_overrides.empty());
}

TEST_CASE("merged folder: hosts deduplicated by address, inputs digested with their states") {
  TempDir dir;
  const std::string host_a =
      R"({"schema":"mxscan/host/1","address":"192.0.2.1","status":"success"})";
  const std::string host_a2 =
      R"({"schema":"mxscan/host/1","address":"192.0.2.1","status":"refused"})";
  const std::string host_b =
      R"({"schema":"mxscan/host/1","address":"192.0.2.2","status":"success"})";
  fs::create_directories(dir.path / "s0");
  fs::create_directories(dir.path / "s1");
  fs::create_directories(dir.path / "out");
  const std::string h0 =
      dir.file("s0/hosts.jsonl", host_a + "\n{\"schema\":\"mxscan/host/1\",\"addr\n");
  const std::string h1 = dir.file("s1/hosts.jsonl", host_a2 + "\n" + host_b + "\n");
  dir.file("s0/manifest.json", R"({"state":"complete"})");
  dir.file("s1/manifest.json", R"({"state":"interrupted"})");
  MergeRecord record;
  record.inputs = {{(dir.path / "s0").string(), {h0}}, {(dir.path / "s1").string(), {h1}}};
  record.started = "2026-12-07T10:00:00Z";
  const MergeOutcome outcome = write_merged_folder((dir.path / "out").string(), record);
  CHECK(outcome.host_records == 3);
  CHECK(outcome.unique_addresses == 2);
  CHECK(outcome.state == "partial");
  std::ifstream hosts(dir.path / "out" / "hosts.jsonl");
  std::string line1, line2, line3;
  std::getline(hosts, line1);
  std::getline(hosts, line2);
  CHECK(line1 == host_a);  // the first record of an address wins, byte for byte
  CHECK(line2 == host_b);
  CHECK_FALSE(std::getline(hosts, line3));
  std::ifstream manifest(dir.path / "out" / "manifest.json");
  const std::string text((std::istreambuf_iterator<char>(manifest)),
                         std::istreambuf_iterator<char>());
  CHECK_THAT(text, Catch::Contains("\"schema\" : \"mxscan/merge/1\"") &&
                       Catch::Contains("\"manifest_state\" : \"interrupted\"") &&
                       Catch::Contains("\"manifest_state\" : \"complete\"") &&
                       Catch::Contains(sha256_file_hex(h1)) && Catch::Contains("not complete"));
}

TEST_CASE("merged folder: records cut by the 1 MB read blocks are copied whole") {
  TempDir dir;
  fs::create_directories(dir.path / "s0");
  fs::create_directories(dir.path / "out");
  std::string text;
  std::vector<std::string> lines;
  const std::string pad(997, 'x');  // lines of odd length: some straddle a block end
  for (int i = 0; text.size() < 3 * (std::size_t{1} << 20); ++i) {
    lines.push_back(R"({"schema":"mxscan/host/1","address":"10.0.)" + std::to_string(i / 250) +
                    "." + std::to_string(i % 250) + R"(","banner":")" + pad + R"("})");
    text += lines.back() + "\n";
  }
  text += lines.front();  // a repeated address, without a final newline
  const std::string file = dir.file("s0/hosts.jsonl", text);
  MergeRecord record;
  record.inputs = {{(dir.path / "s0").string(), {file}}};
  const MergeOutcome outcome = write_merged_folder((dir.path / "out").string(), record);
  CHECK(outcome.host_records == lines.size() + 1);
  CHECK(outcome.unique_addresses == lines.size());
  std::ifstream copied(dir.path / "out" / "hosts.jsonl");
  std::string line;
  std::size_t n = 0;
  while (std::getline(copied, line)) {
    REQUIRE(n < lines.size());
    CHECK(line == lines[n]);
    ++n;
  }
  CHECK(n == lines.size());
}
