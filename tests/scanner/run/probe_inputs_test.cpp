#include "mxscan/scanner/run/probe_inputs.hpp"

#include <catch2/catch.hpp>

#include <filesystem>
#include <string>
#include <vector>

#include "temp_dir.hpp"

using namespace mxscan;
namespace fs = std::filesystem;

namespace {

// A resolve folder as `mxscan resolve` leaves it: manifest, config and addresses.tsv.
std::string resolve_folder(const test::TempDir& tmp, const std::string& name,
                           const std::string& shard, ScanState state, const std::string& addresses,
                           ScanPhase phase = ScanPhase::resolve) {
  const fs::path dir = tmp.path / name;
  fs::create_directories(dir);
  Manifest m;
  m.phase = phase;
  m.shard = shard;
  m.state = state;
  write_manifest(dir.string(), m);
  if (state == ScanState::complete) tmp.file(name + "/" + kAddressesFile, addresses);
  return dir.string();
}

std::string refusal(const std::vector<std::string>& dirs, bool allow_partial = false) {
  try {
    load_probe_work(dirs, {0, 1}, allow_partial);
  } catch (const CampaignInputError& e) {
    return e.what();
  }
  return "";
}

}  // namespace

TEST_CASE("a probe reads the union of the resolve folders, the smallest exchange kept") {
  test::TempDir tmp;
  const std::vector<std::string> dirs = {
      resolve_folder(tmp, "r0", "0/2", ScanState::complete,
                     "192.0.2.1\tmx2.example.org\n198.51.100.7\tmx.example.net\n"),
      resolve_folder(tmp, "r1", "1/2", ScanState::complete,
                     "192.0.2.1\tmx1.example.org\n2001:db8::25\tmx6.example.org\n")};
  const ProbeWork all = load_probe_work(dirs, {0, 1}, false);
  CHECK(all.campaign_addresses == 3);
  REQUIRE(all.addresses.size() == 3);
  CHECK(all.addresses[0] == AddressEntry{"192.0.2.1", "mx1.example.org"});
  REQUIRE(all.inputs.size() == 2);
  CHECK(all.inputs[0].shard == "0/2");
  CHECK(all.inputs[0].addresses_sha256.size() == 64);
  CHECK(all.warnings.empty());

  std::size_t total = 0;
  for (std::uint32_t j = 0; j < 3; ++j) {
    const ProbeWork part = load_probe_work(dirs, {j, 3}, false);
    CHECK(part.campaign_addresses == 3);
    total += part.addresses.size();
  }
  CHECK(total == 3);  // each address in exactly one probe shard
}

TEST_CASE("a probe refuses a campaign with a resolve shard missing or not complete") {
  test::TempDir tmp;
  const auto r0 = resolve_folder(tmp, "r0", "0/3", ScanState::complete, "192.0.2.1\tmx.a.org\n");
  const auto r1 = resolve_folder(tmp, "r1", "1/3", ScanState::interrupted, "");
  CHECK_THAT(refusal({r0, r1}), Catch::Contains("resolve shard 2/3 missing") &&
                                    Catch::Contains(r1 + ": resolve shard 1/3 is interrupted") &&
                                    Catch::Contains("--allow-partial"));
  const ProbeWork partial = load_probe_work({r0, r1}, {0, 1}, true);
  CHECK(partial.addresses.size() == 1);
  CHECK(partial.warnings.size() == 2);
  const auto gone = (tmp.path / "r9").string();
  CHECK_THAT(refusal({r0, gone}), Catch::Contains(gone + ": no such resolve folder"));
}

TEST_CASE("a probe refuses what is not a resolve folder, even with --allow-partial") {
  test::TempDir tmp;
  const auto r0 = resolve_folder(tmp, "r0", "0/2", ScanState::complete, "192.0.2.1\tmx.a.org\n");
  const auto scan = resolve_folder(tmp, "scan", "1/2", ScanState::complete, "", ScanPhase::scan);
  CHECK_THAT(refusal({r0, scan}, true),
             Catch::Contains(scan + ": a scan folder, not a resolve folder"));
  const auto plain = (tmp.path / "plain").string();
  fs::create_directories(plain);
  CHECK_THAT(refusal({r0, plain}, true), Catch::Contains(plain + ": not a resolve folder"));
  const auto bad = resolve_folder(tmp, "bad", "1/2", ScanState::complete, "192.0.2.1 mx.a.org\n");
  CHECK_THAT(refusal({r0, bad}, true), Catch::Contains("addresses.tsv:1: not ADDRESS<TAB>"));
  CHECK_THAT(refusal({}), Catch::Contains("give the resolve folders"));
}
