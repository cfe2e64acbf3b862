// MaxMind's public GeoLite2-ASN test database (optional third-party data, never copied into
// the repository): read in place when present. When it is absent this executable prints the
// missing path and exits 77, which CTest reports as skipped (SKIP_RETURN_CODE), not passed.
// The folder is MXSCAN_GEOLITE2_TEST_DATA, else ../shared/data beside the source tree.
#define CATCH_CONFIG_RUNNER
#include <catch2/catch.hpp>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <regex>
#include <sstream>
#include <string>

#include "mxscan/common/asn/mmdb_asn_source.hpp"

using mxscan::IpAddress;
using mxscan::MmdbAsnSource;

namespace {

std::string kTestDb;
std::string kTestJson;

IpAddress ip(const char* text) {
  auto a = IpAddress::parse(text);
  REQUIRE(a);
  return *a;
}

}  // namespace

int main(int argc, char* argv[]) {
  const char* env = std::getenv("MXSCAN_GEOLITE2_TEST_DATA");
  const std::string dir = env && *env ? env : MXSCAN_SOURCE_DIR "/../shared/data";
  kTestDb = dir + "/GeoLite2-ASN-Test.mmdb";
  kTestJson = dir + "/GeoLite2-ASN-Test.json";
  for (const auto& file : {kTestDb, kTestJson}) {
    if (!std::filesystem::is_regular_file(file)) {
      std::cout
          << "SKIPPED: " << file
          << " not found (MaxMind's GeoLite2-ASN test data, optional; set "
             "MXSCAN_GEOLITE2_TEST_DATA to the folder holding GeoLite2-ASN-Test.mmdb and .json)\n";
      return 77;
    }
  }
  return Catch::Session().run(argc, argv);
}

TEST_CASE("mmdb: MaxMind's GeoLite2-ASN test database agrees with its JSON source") {
  const MmdbAsnSource db(kTestDb);
  CHECK(db.describe().find("GeoLite2-ASN") != std::string::npos);
  std::ifstream in(kTestJson);
  REQUIRE(in);
  std::stringstream text;
  text << in.rdbuf();
  const std::string json = text.str();
  // Each record: "NETWORK": { "autonomous_system_number": N[, "autonomous_system_organization":
  // "ORG"] }
  const std::regex record(
      "\"([0-9a-fA-F:.]+)/[0-9]+\"\\s*:\\s*\\{\\s*\"autonomous_system_number\"\\s*:\\s*([0-9]+)"
      "(\\s*,\\s*\"autonomous_system_organization\"\\s*:\\s*\"([^\"]*)\")?");
  std::size_t checked = 0;
  for (auto it = std::sregex_iterator(json.begin(), json.end(), record);
       it != std::sregex_iterator(); ++it) {
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
}

TEST_CASE("mmdb: answers match the mmdblookup tool") {
  const MmdbAsnSource db(kTestDb);
  for (const char* address : {"1.128.0.1", "12.81.92.7", "2600:6000::1"}) {
    INFO(address);
    const std::string cmd =
        "mmdblookup --file " + kTestDb + " --ip " + address + " autonomous_system_number";
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
