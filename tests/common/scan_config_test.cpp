#include "mxscan/common/scan_config.hpp"

#include <catch2/catch.hpp>

#include <string>

using namespace mxscan;

TEST_CASE("the shipped configs/mxscan.toml holds exactly the built-in defaults") {
  auto shipped = load_scan_config(MXSCAN_SOURCE_DIR "/configs/mxscan.toml");
  ScanConfig defaults;
  // Path settings are resolved against configs/, so compare them after resolution.
  defaults.conduct.blocklists = {MXSCAN_SOURCE_DIR "/configs/blocklist.conf"};
  defaults.inference.providers = MXSCAN_SOURCE_DIR "/configs/providers.toml";
  CHECK(to_toml(shipped) == to_toml(defaults));
}

TEST_CASE("a file overrides only what it names") {
  auto c = parse_scan_config(
      "[smtp]\nport = 2525\nsni = true\n[dns]\nresolvers = [\"127.0.0.1:5353\"]\n", "test.toml");
  CHECK(c.smtp.port == 2525);
  CHECK(c.smtp.sni);
  CHECK(c.smtp.rate == 100);
  REQUIRE(c.dns.resolvers.size() == 1);
  CHECK(c.dns.resolvers[0] == "127.0.0.1:5353");
}

TEST_CASE("unknown keys, wrong types and bad syntax are errors with file and line") {
  CHECK_THROWS_WITH(parse_scan_config("[smtp]\nprot = 25\n", "a.toml"),
                    Catch::Contains("a.toml:2") && Catch::Contains("smtp.prot"));
  CHECK_THROWS_WITH(parse_scan_config("[smtp]\n\nport = \"25\"\n", "b.toml"),
                    Catch::Contains("b.toml:3") && Catch::Contains("integer"));
  CHECK_THROWS_WITH(parse_scan_config("[smtp]\nport = -1\n", "c.toml"),
                    Catch::Contains("positive"));
  CHECK_THROWS_WITH(parse_scan_config("[smtp\n", "d.toml"), Catch::Contains("d.toml:1"));
  CHECK_THROWS_WITH(parse_scan_config("port = 25\n", "e.toml"), Catch::Contains("sections"));
  CHECK_THROWS_WITH(load_scan_config("/nonexistent/mxscan.toml"),
                    Catch::Contains("/nonexistent/mxscan.toml"));
}

TEST_CASE("the effective configuration serialises to JSON for the manifest") {
  ScanConfig c;
  c.smtp.ehlo_name = "scanner.example.org";
  auto json = to_json(c);
  CHECK(json.find("\"ehlo_name\" : \"scanner.example.org\"") != std::string::npos);
  CHECK(json.find("\"per24_rate\"") != std::string::npos);
  // And the TOML form reads back to the same configuration.
  CHECK(to_toml(parse_scan_config(to_toml(c), "roundtrip")) == to_toml(c));
}
