#include "campaign_check.hpp"

#include <catch2/catch.hpp>

#include <fmt/format.h>

#include <filesystem>
#include <string>
#include <vector>

#include "temp_dir.hpp"

using namespace mxscan;

namespace {

CampaignFolder folder(const std::string& path, ScanPhase phase, const std::string& shard,
                      ScanState state = ScanState::complete) {
  Manifest m;
  m.phase = phase;
  m.shard = shard;
  m.state = state;
  return {path, m};
}

}  // namespace

TEST_CASE("a whole campaign has no problem") {
  std::vector<CampaignFolder> all;
  for (int i = 0; i < 4; ++i) {
    all.push_back(folder(fmt::format("R{}", i), ScanPhase::resolve, fmt::format("{}/4", i)));
  }
  for (int j = 0; j < 3; ++j) {
    all.push_back(folder(fmt::format("P{}", j), ScanPhase::probe, fmt::format("{}/3", j)));
  }
  CHECK(campaign_problems(all, true).empty());
}

TEST_CASE("the campaign check names each missing shard and each shard not complete") {
  const std::vector<CampaignFolder> some = {
      folder("R0", ScanPhase::resolve, "0/2"), folder("R1", ScanPhase::resolve, "1/2"),
      folder("P0", ScanPhase::probe, "0/3", ScanState::interrupted),
      folder("P2", ScanPhase::probe, "2/3", ScanState::running)};
  CHECK(campaign_problems(some, true) ==
        std::vector<std::string>{"probe shard 0/3 (P0) is interrupted, not complete",
                                 "probe shard 2/3 (P2) is running, not complete",
                                 "probe shard 1/3 missing"});
}

TEST_CASE("the campaign check refuses shards of different counts, twice-given ones, one phase") {
  const std::vector<CampaignFolder> mixed = {folder("R0", ScanPhase::resolve, "0/2"),
                                             folder("R0b", ScanPhase::resolve, "0/2"),
                                             folder("R1", ScanPhase::resolve, "1/3")};
  CHECK(campaign_problems(mixed, false) ==
        std::vector<std::string>{"resolve shard 0/2 (R0b) given twice",
                                 "resolve shard 1/3 (R1) is of 3 shards, the others of 2",
                                 "resolve shard 1/2 missing"});
  CHECK(
      campaign_problems({folder("R0", ScanPhase::resolve, "0/1")}, true) ==
      std::vector<std::string>{"no probe folder: the campaign's hosts are missing (mxscan probe)"});
}

TEST_CASE("infer's check looks only at resolve and probe folders") {
  test::TempDir tmp;
  auto write = [&](const std::string& name, ScanPhase phase, const std::string& shard) {
    const auto dir = (tmp.path / name).string();
    std::filesystem::create_directories(dir);
    Manifest m;
    m.phase = phase;
    m.shard = shard;
    m.state = ScanState::complete;
    write_manifest(dir, m);
    return dir;
  };
  const auto s0 = write("s0", ScanPhase::scan, "0/4");  // the one-shot scan's shards: as always
  CHECK(check_campaign_inputs({s0, tmp.file("domains.jsonl", "")}).empty());
  const auto r0 = write("r0", ScanPhase::resolve, "0/1");
  const auto p1 = write("p1", ScanPhase::probe, "1/2");
  CHECK(check_campaign_inputs({s0, r0, p1}) == std::vector<std::string>{"probe shard 0/2 missing"});
}
