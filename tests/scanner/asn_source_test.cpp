#include "mxscan/scanner/asn_source.hpp"

#include <catch2/catch.hpp>
#include <cstdio>
#include <fstream>
#include <regex>
#include <sstream>

#include "mxscan/scanner/mmdb_asn_source.hpp"
#include "mxscan/scanner/pfx2as_asn_source.hpp"

using mxscan::IpAddress;
using mxscan::MmdbAsnSource;
using mxscan::Pfx2AsSource;

namespace {

// MaxMind's public test database, read in place (never copied into the repository).
const std::string kTestDb = MXSCAN_SOURCE_DIR "/../shared/data/GeoLite2-ASN-Test.mmdb";
const std::string kTestJson = MXSCAN_SOURCE_DIR "/../shared/data/GeoLite2-ASN-Test.json";

IpAddress ip(const char* text) {
  auto a = IpAddress::parse(text);
  REQUIRE(a);
  return *a;
}

}  // namespace

TEST_CASE("pfx2as: longest prefix, multi-origin, AS sets, malformed lines counted") {
  const Pfx2AsSource src(
      "1.0.0.0\t24\t13335\n"
      "1.0.0.0\t16\t64500\n"
      "8.8.8.0\t24\t15169_36040\n"
      "9.9.9.0\t24\t19281,64512\n"
      "2001:4860::\t32\t15169\n"
      "bad line without tabs\n"
      "10.0.0.0\t40\t1\n"
      "11.0.0.0\t8\tAS12\n"
      "12.0.0.0\t8\t7018\textra\n"
      "\n",
      "t.pfx2as");
  CHECK(src.prefixes() == 5);
  CHECK(src.lookup(ip("1.0.0.77"))->asn == 13335);
  CHECK(src.lookup(ip("1.0.1.1"))->asn == 64500);
  CHECK(src.lookup(ip("8.8.8.8"))->asn == 15169);
  CHECK(src.lookup(ip("9.9.9.9"))->asn == 19281);
  CHECK(src.lookup(ip("2001:4860:4860::8888"))->asn == 15169);
  CHECK(src.lookup(ip("::ffff:8.8.8.8"))->asn == 15169);
  CHECK_FALSE(src.lookup(ip("1.1.1.1")));
  CHECK(src.lookup(ip("1.0.0.1"))->name.empty());
  CHECK(src.malformed_lines() == 4);
  REQUIRE(src.malformed_examples().size() == 4);
  CHECK(src.malformed_examples()[0].rfind("t.pfx2as:6:", 0) == 0);
  CHECK(src.malformed_examples()[1].rfind("t.pfx2as:7:", 0) == 0);
  CHECK(src.malformed_examples()[3].rfind("t.pfx2as:9:", 0) == 0);
  CHECK_THROWS_WITH(Pfx2AsSource(std::string("/nonexistent.pfx2as")), Catch::Contains("/nonexistent.pfx2as"));
}

TEST_CASE("mmdb: MaxMind's GeoLite2-ASN test database agrees with its JSON source") {
  const MmdbAsnSource db(kTestDb);
  CHECK(db.describe().find("GeoLite2-ASN") != std::string::npos);
  std::ifstream in(kTestJson);
  REQUIRE(in);
  std::stringstream text;
  text << in.rdbuf();
  const std::string json = text.str();
  // Each record: "NETWORK": { "autonomous_system_number": N[, "autonomous_system_organization": "ORG"] }
  const std::regex record(
      "\"([0-9a-fA-F:.]+)/[0-9]+\"\\s*:\\s*\\{\\s*\"autonomous_system_number\"\\s*:\\s*([0-9]+)"
      "(\\s*,\\s*\"autonomous_system_organization\"\\s*:\\s*\"([^\"]*)\")?");
  std::size_t checked = 0;
  for (auto it = std::sregex_iterator(json.begin(), json.end(), record); it != std::sregex_iterator(); ++it) {
    const std::string network = (*it)[1];
    INFO(network);
    const auto got = db.lookup(ip(network.c_str()));
    REQUIRE(got);
    CHECK(got->asn == std::stoul((*it)[2]));
    CHECK(got->name == std::string((*it)[4]));
    ++checked;
  }
  CHECK(checked == 720);
  CHECK_FALSE(db.lookup(ip("127.0.0.1")));
  CHECK_THROWS_WITH(MmdbAsnSource("/nonexistent.mmdb"), Catch::Contains("/nonexistent.mmdb"));
}

TEST_CASE("mmdb: answers match the mmdblookup tool") {
  const MmdbAsnSource db(kTestDb);
  for (const char* address : {"1.128.0.1", "12.81.92.7", "2600:6000::1"}) {
    INFO(address);
    const std::string cmd = "mmdblookup --file " + kTestDb + " --ip " + address + " autonomous_system_number";
    FILE* p = popen(cmd.c_str(), "r");
    REQUIRE(p);
    char buf[256] = {};
    std::string out;
    while (fgets(buf, sizeof buf, p)) out += buf;
    REQUIRE(pclose(p) == 0);
    const auto got = db.lookup(ip(address));
    REQUIRE(got);
    CHECK(out.find(std::to_string(got->asn) + " <uint32>") != std::string::npos);
  }
}
