#include "status_command.hpp"

#include <fmt/format.h>
#include <CLI/CLI.hpp>

#include <cstdio>
#include <filesystem>
#include <fstream>

#include "campaign_check.hpp"
#include "infer_command.hpp"
#include "mxscan/scanner/run/address_file.hpp"

namespace mxscan {
namespace {

namespace fs = std::filesystem;

// Whole lines in a file (0 when there is none): records of a journal.
std::uint64_t count_records(const fs::path& file) {
  std::ifstream in(file, std::ios::binary);
  std::uint64_t lines = 0;
  std::vector<char> block(std::size_t{1} << 16);
  while (in) {
    in.read(block.data(), static_cast<std::streamsize>(block.size()));
    for (std::streamsize i = 0; i < in.gcount(); ++i)
      lines += block[static_cast<std::size_t>(i)] == '\n';
  }
  return lines;
}

// The addresses a folder has or will contact: a resolve's addresses.tsv (once
// complete), a probe's shard, a scan's unique addresses (once ended).
std::string addresses_text(const fs::path& dir, const Manifest& m) {
  if (m.phase == ScanPhase::resolve) {
    std::error_code ec;
    const fs::path file = dir / kAddressesFile;
    return fs::is_regular_file(file, ec) ? std::to_string(count_records(file)) : "-";
  }
  const char* key = m.phase == ScanPhase::probe ? "addresses" : "unique_addresses";
  const auto it = m.input_counts.find(key);
  return it == m.input_counts.end() ? "-" : std::to_string(it->second);
}

}  // namespace

StatusCommand::StatusCommand(CLI::App& app) : dirs_(std::make_unique<std::vector<std::string>>()) {
  sub_ = app.add_subcommand(
      "status",
      "Print each results folder's phase, shard, state and counts, and whether the folders "
      "make a whole campaign (exit 0 if all complete, 1 otherwise)");
  sub_->add_option("folders", *dirs_, "Results folders (resolve, probe or scan)")->required();
}

StatusCommand::~StatusCommand() = default;

bool StatusCommand::selected() const { return sub_->parsed(); }

int StatusCommand::run() const {
  std::vector<CampaignFolder> folders;
  for (const auto& dir : *dirs_) {
    std::error_code ec;
    if (!fs::is_regular_file(fs::path(dir) / "manifest.json", ec)) {
      std::fprintf(stderr, "mxscan status: %s: not a results folder (no manifest.json)\n",
                   dir.c_str());
      return kExitUsage;
    }
    try {
      folders.emplace_back(dir, read_manifest(dir));
    } catch (const std::exception& e) {
      std::fprintf(stderr,
                   "mxscan status: %s: not a results folder of mxscan --domains, resolve "
                   "or probe: %s\n",
                   dir.c_str(), e.what());
      return kExitUsage;
    }
  }
  std::size_t width = 0;
  for (const auto& f : folders) width = std::max(width, f.first.size());
  for (const auto& [dir, m] : folders) {
    std::fputs(fmt::format("{:<{}}  {:<7} {:<5} {:<11} domains {} hosts {} addresses {}\n", dir,
                           width, to_string(m.phase), m.shard, to_string(m.state),
                           count_records(fs::path(dir) / "domains.jsonl"),
                           count_records(fs::path(dir) / "hosts.jsonl"), addresses_text(dir, m))
                   .c_str(),
               stdout);
  }
  const auto problems = campaign_problems(folders, false);
  if (problems.empty()) {
    std::fputs(fmt::format("campaign: complete ({} folders)\n", folders.size()).c_str(), stdout);
    return kExitOk;
  }
  std::fputs("campaign: not complete:\n", stdout);
  for (const auto& p : problems) std::fputs(("  " + p + "\n").c_str(), stdout);
  return kExitFailure;
}

}  // namespace mxscan
