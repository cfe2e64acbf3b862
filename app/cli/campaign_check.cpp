#include "campaign_check.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <filesystem>
#include <map>
#include <optional>
#include <set>

#include "mxscan/scanner/run/shard.hpp"

namespace mxscan {
namespace {

namespace fs = std::filesystem;

void check_phase(ScanPhase phase, const std::vector<const CampaignFolder*>& folders,
                 std::vector<std::string>& problems) {
  const std::string name(to_string(phase));
  std::optional<std::uint32_t> count;
  std::set<std::uint32_t> seen;
  for (const auto* f : folders) {
    const auto& [path, m] = *f;
    std::string error;
    const auto shard = parse_shard(m.shard, error);
    if (!shard) {
      problems.push_back(
          fmt::format("{} ({}): bad shard '{}' in its manifest", name, path, m.shard));
      continue;
    }
    if (count && *count != shard->count) {
      problems.push_back(fmt::format("{} shard {} ({}) is of {} shards, the others of {}", name,
                                     m.shard, path, shard->count, *count));
      continue;
    }
    count = shard->count;
    if (!seen.insert(shard->index).second) {
      problems.push_back(fmt::format("{} shard {} ({}) given twice", name, m.shard, path));
    }
    if (m.state != ScanState::complete) {
      problems.push_back(fmt::format("{} shard {} ({}) is {}, not complete", name, m.shard, path,
                                     to_string(m.state)));
    }
  }
  if (!count) return;
  for (std::uint32_t i = 0; i < *count; ++i) {
    if (seen.count(i) == 0)
      problems.push_back(fmt::format("{} shard {}/{} missing", name, i, *count));
  }
}

}  // namespace

std::vector<std::string> campaign_problems(const std::vector<CampaignFolder>& folders,
                                           bool both_phases) {
  std::map<ScanPhase, std::vector<const CampaignFolder*>> by_phase;
  for (const auto& f : folders) by_phase[f.second.phase].push_back(&f);
  std::vector<std::string> problems;
  for (const auto& [phase, group] : by_phase) check_phase(phase, group, problems);
  if (both_phases) {
    if (by_phase.count(ScanPhase::probe) == 0) {
      problems.push_back("no probe folder: the campaign's hosts are missing (mxscan probe)");
    }
    if (by_phase.count(ScanPhase::resolve) == 0) {
      problems.push_back("no resolve folder: the campaign's domains are missing (mxscan resolve)");
    }
  }
  return problems;
}

std::vector<std::string> check_campaign_inputs(const std::vector<std::string>& inputs) {
  std::vector<CampaignFolder> folders;
  for (const auto& in : inputs) {
    std::error_code ec;
    if (!fs::is_regular_file(fs::path(in) / "manifest.json", ec)) continue;
    try {
      Manifest m = read_manifest(in);
      if (m.phase != ScanPhase::scan) folders.emplace_back(in, std::move(m));
    } catch (const std::exception&) {
      // Not a scan's manifest (a merged folder's, say): not part of a campaign.
    }
  }
  if (folders.empty()) return {};
  return campaign_problems(folders, true);
}

}  // namespace mxscan
