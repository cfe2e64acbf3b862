// The mmdb reader on a database the project makes itself: tests/data/asn/asn_sample.tsv
// written by MaxMind's own writer (scripts/lib/lab_mmdb.pl, the lab's generator) at test
// time, so the test needs nothing from outside the repository and the file under test comes
// from code nobody in the project wrote.
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "mxscan/common/asn/mmdb_asn_source.hpp"

namespace fs = std::filesystem;
using mxscan::IpAddress;
using mxscan::MmdbAsnSource;

namespace {

const std::string kTable = MXSCAN_SOURCE_DIR "/tests/data/asn/asn_sample.tsv";

// Runs a shell command; its stdout, and its exit status in `status`.
std::string run(const std::string& cmd, int& status) {
  FILE* p = popen(cmd.c_str(), "r");
  REQUIRE(p);
  char buf[512];
  std::string out;
  while (fgets(buf, sizeof buf, p)) out += buf;
  status = pclose(p);
  return out;
}

// One database per test process: written once, removed at exit.
struct GeneratedDb {
  fs::path dir;
  std::string path;
  std::string writer_output;
  int status = -1;
  GeneratedDb() {
    dir = fs::temp_directory_path() / ("mxscan-mmdb-generated-" + std::to_string(::getpid()));
    fs::create_directories(dir);
    path = (dir / "sample.mmdb").string();
    writer_output =
        run("perl " MXSCAN_SOURCE_DIR "/scripts/lib/lab_mmdb.pl " + kTable + " " + path + " 2>&1",
            status);
  }
  ~GeneratedDb() {
    std::error_code ec;
    fs::remove_all(dir, ec);
  }
};

const GeneratedDb& generated() {
  static const GeneratedDb db;
  INFO("lab_mmdb.pl said: " << db.writer_output);
  REQUIRE(db.status == 0);
  return db;
}

IpAddress ip(const std::string& text) {
  auto a = IpAddress::parse(text);
  REQUIRE(a);
  return *a;
}

struct Expect {
  const char* address;
  std::uint32_t asn;  // 0: no entry
  const char* name;
};

// Derived by hand from the table: the longest prefix wins, an empty organisation is read as
// empty, and addresses in no prefix have no entry.
const std::vector<Expect> kExpected = {
    {"127.10.0.1", 64500, "Outer Networks"},
    {"127.10.255.254", 64500, "Outer Networks"},
    {"127.10.5.1", 64501, "Inner Mail GmbH"},
    {"127.10.5.76", 64501, "Inner Mail GmbH"},
    {"127.10.5.77", 4200000001U, "One Host (32-bit ASN)"},
    {"127.10.5.78", 64501, "Inner Mail GmbH"},
    {"127.20.15.200", 15169, "Google LLC"},
    {"127.30.1.9", 64502, "Soci\xc3\xa9t\xc3\xa9 G\xc3\xa9n\xc3\xa9rale de Messagerie"},
    {"127.40.0.3", 13335, ""},
    {"127.20.16.1", 0, ""},
    {"127.11.0.1", 0, ""},
    {"10.10.5.1", 0, ""},
    {"2001:db8::1", 0, ""},
};

}  // namespace

TEST_CASE("mmdb: a database written by MaxMind's writer from a table in the repository") {
  const auto& g = generated();
  const MmdbAsnSource db(g.path);
  CHECK(db.describe().find("GeoLite2-ASN") != std::string::npos);
  for (const auto& e : kExpected) {
    INFO(e.address);
    const auto got = db.lookup(ip(e.address));
    if (e.asn == 0) {
      CHECK_FALSE(got);
      continue;
    }
    REQUIRE(got);
    CHECK(got->asn == e.asn);
    CHECK(got->name == e.name);
  }
  CHECK_THROWS_WITH(MmdbAsnSource("/nonexistent.mmdb"), Catch::Contains("/nonexistent.mmdb"));
}

TEST_CASE("mmdb: answers on generated data match the mmdblookup tool") {
  const auto& g = generated();
  const MmdbAsnSource db(g.path);
  for (const auto& e : kExpected) {
    if (std::string(e.address).find(':') != std::string::npos) continue;  // IPv4-only tree
    INFO(e.address);
    int status = -1;
    const std::string out =
        run("mmdblookup --file " + g.path + " --ip " + e.address + " 2>&1", status);
    INFO(out);
    const auto got = db.lookup(ip(e.address));
    if (!got) {  // mmdblookup exits non-zero when it finds no entry
      CHECK(status != 0);
      CHECK(out.find("Could not find an entry") != std::string::npos);
      continue;
    }
    REQUIRE(status == 0);
    CHECK(out.find(std::to_string(got->asn) + " <uint32>") != std::string::npos);
    CHECK(out.find("\"" + got->name + "\" <utf8_string>") != std::string::npos);
  }
}
