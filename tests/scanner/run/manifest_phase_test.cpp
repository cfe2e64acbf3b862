#include "mxscan/scanner/run/manifest.hpp"

#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <string>

#include "temp_dir.hpp"

using namespace mxscan;

TEST_CASE("a probe's manifest reads back its phase, resolve inputs, rate and counts") {
  test::TempDir dir;
  Manifest m;
  m.phase = ScanPhase::probe;
  m.shard = "1/3";
  m.campaign_rate = 200;
  m.config.smtp.rate = 200.0 / 3;
  m.resolve_inputs = {{"/c/R0", "0/2", "complete", std::string(64, 'a')},
                      {"/c/R1", "1/2", "complete", std::string(64, 'b')}};
  m.input_counts = {{"addresses", 17}, {"campaign_addresses", 53}};
  write_manifest(dir.path.string(), m);
  const Manifest back = read_manifest(dir.path.string());
  CHECK(back.phase == ScanPhase::probe);
  CHECK(back.shard == "1/3");
  CHECK(back.campaign_rate == 200);
  REQUIRE(back.resolve_inputs.size() == 2);
  CHECK(back.resolve_inputs[1].path == "/c/R1");
  CHECK(back.resolve_inputs[1].shard == "1/2");
  CHECK(back.resolve_inputs[1].addresses_sha256 == std::string(64, 'b'));
  CHECK(back.input_counts.at("addresses") == 17);
  CHECK(back.input_counts.at("campaign_addresses") == 53);
  const std::string json = manifest_json(m);
  CHECK(json.find("\"phase\" : \"probe\"") != std::string::npos);
  CHECK(json.find("\"campaign\" : 200.0") != std::string::npos);
}

TEST_CASE("a manifest without a phase is a scan's; an unknown phase is refused") {
  test::TempDir dir;
  Manifest m;
  m.phase = ScanPhase::resolve;
  write_manifest(dir.path.string(), m);
  CHECK(read_manifest(dir.path.string()).phase == ScanPhase::resolve);
  const auto path = (dir.path / "manifest.json").string();
  std::string text;
  {
    std::ifstream in(path);
    text.assign(std::istreambuf_iterator<char>(in), {});
  }
  const auto at = text.find("\"phase\" : \"resolve\",");
  REQUIRE(at != std::string::npos);
  std::ofstream(path, std::ios::trunc) << std::string(text).erase(at, 21);
  CHECK(read_manifest(dir.path.string()).phase == ScanPhase::scan);
  std::ofstream(path, std::ios::trunc)
      << std::string(text).replace(at, 21, "\"phase\" : \"merge\",");
  CHECK_THROWS_WITH(read_manifest(dir.path.string()), Catch::Contains("unknown phase 'merge'"));
  CHECK(to_string(ScanPhase::probe) == "probe");
  CHECK(parse_scan_phase("resolve") == ScanPhase::resolve);
  CHECK(parse_scan_phase("Resolve") == std::nullopt);
}
