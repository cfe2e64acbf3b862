#include "mxscan/scanner/run/probe_inputs.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <filesystem>
#include <map>
#include <set>
#include <unordered_set>

#include "mxscan/common/names.hpp"
#include "mxscan/scanner/run/probe_shard.hpp"

namespace mxscan {
namespace {

namespace fs = std::filesystem;

// The resolve folder's manifest; throws for anything that is not one.
Manifest read_resolve_manifest(const std::string& dir) {
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) {
    throw CampaignInputError(dir + ": no such resolve folder");
  }
  Manifest m;
  try {
    m = read_manifest(dir);
  } catch (const std::exception& e) {
    throw CampaignInputError(dir + ": not a resolve folder (" + e.what() + ")");
  }
  if (m.phase != ScanPhase::resolve) {
    throw CampaignInputError(fmt::format(
        "{}: a {} folder, not a resolve folder (made by mxscan resolve)", dir, to_string(m.phase)));
  }
  return m;
}

// Shard indices of 0..N-1 that no input has; the N of the first input.
void check_shards_cover(const std::map<std::string, std::string>& shard_of,
                        std::vector<std::string>& problems) {
  std::set<std::uint32_t> seen;
  std::optional<std::uint32_t> count;
  for (const auto& [dir, text] : shard_of) {
    std::string error;
    const auto shard = parse_shard(text, error);
    if (!shard) {
      problems.push_back(fmt::format("{}: bad shard '{}' in its manifest", dir, text));
      continue;
    }
    if (count && *count != shard->count) {
      problems.push_back(fmt::format("{}: shard {} of a campaign of {} resolve shards, not {}", dir,
                                     text, shard->count, *count));
      continue;
    }
    count = shard->count;
    if (!seen.insert(shard->index).second) {
      problems.push_back(fmt::format("{}: resolve shard {} given twice", dir, text));
    }
  }
  if (!count) return;
  std::vector<std::string> missing;
  for (std::uint32_t i = 0; i < *count; ++i) {
    if (seen.count(i) == 0) missing.push_back(fmt::format("{}/{}", i, *count));
  }
  if (!missing.empty()) {
    problems.push_back(fmt::format("resolve shard {} missing", fmt::join(missing, ", ")));
  }
}

}  // namespace

ProbeWork load_probe_work(const std::vector<std::string>& resolve_dirs, const ShardSpec& shard,
                          bool allow_partial) {
  if (resolve_dirs.empty()) {
    throw CampaignInputError("give the resolve folders to probe (mxscan probe R_0 ... R_N-1)");
  }
  ProbeWork work;
  std::vector<std::string> refused;  // always
  std::vector<std::string> partial;  // unless --allow-partial
  std::map<std::string, std::string> shard_of;
  std::vector<std::pair<std::string, Manifest>> readable;
  for (const auto& dir : resolve_dirs) {
    try {
      readable.emplace_back(fs::absolute(dir).lexically_normal().string(),
                            read_resolve_manifest(dir));
    } catch (const CampaignInputError& e) {
      (fs::exists(dir) ? refused : partial).push_back(e.what());
    }
  }
  // Only this shard's addresses are kept; the campaign's are counted by their
  // 64-bit hashes, so a probe's memory follows its share of the addresses.
  AddressBook book;
  std::unordered_set<std::uint64_t> campaign;
  for (const auto& [dir, m] : readable) {
    shard_of[dir] = m.shard;
    ResolveInput input{dir, m.shard, std::string(to_string(m.state)), ""};
    const std::string file = (fs::path(dir) / kAddressesFile).string();
    if (m.state != ScanState::complete) {
      partial.push_back(
          fmt::format("{}: resolve shard {} is {}, not complete (continue it with "
                      "mxscan --resume {})",
                      dir, m.shard, to_string(m.state), dir));
    }
    std::error_code ec;
    if (!fs::is_regular_file(file, ec)) {
      if (m.state == ScanState::complete) refused.push_back(file + ": missing");
      work.inputs.push_back(std::move(input));
      continue;
    }
    try {
      for (const auto& e : read_address_file(file)) {
        campaign.insert(stable_hash(e.address));
        if (in_probe_shard(e.address, shard)) book.add(e.address, e.exchange);
      }
      input.addresses_sha256 = sha256_file_hex(file);
    } catch (const std::exception& e) {
      refused.push_back(e.what());
    }
    work.inputs.push_back(std::move(input));
  }
  check_shards_cover(shard_of, partial);
  if (!refused.empty() || (!partial.empty() && !allow_partial)) {
    std::vector<std::string> all = refused;
    if (!allow_partial) all.insert(all.end(), partial.begin(), partial.end());
    throw CampaignInputError(fmt::format(
        "refusing to probe an incomplete or wrong set of resolve folders (nothing was written or "
        "contacted):\n  {}{}",
        fmt::join(all, "\n  "),
        refused.empty() ? "\n(--allow-partial probes what the complete folders hold)" : ""));
  }
  work.warnings = std::move(partial);
  work.campaign_addresses = campaign.size();
  work.addresses = book.entries();
  return work;
}

}  // namespace mxscan
