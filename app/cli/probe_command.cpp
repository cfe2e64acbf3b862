#include "probe_command.hpp"

#include <fmt/format.h>
#include <CLI/CLI.hpp>

#include <cstdio>
#include <filesystem>

#include "infer_command.hpp"
#include "mxscan/scanner/run/scan_engine.hpp"
#include "phase_run.hpp"
#include "scan_options.hpp"

namespace mxscan {

namespace fs = std::filesystem;

ProbeCommand::ProbeCommand(CLI::App& app)
    : options_(std::make_unique<ScanOptions>()),
      resolve_dirs_(std::make_unique<std::vector<std::string>>()),
      allow_partial_(std::make_unique<bool>(false)) {
  auto& o = *options_;
  sub_ = app.add_subcommand(
      "probe",
      "Campaign phase 2: contact the addresses of the resolve folders whose /24 (IPv6: /48) is "
      "in this shard, each once, into a folder holding hosts.jsonl (docs/distributed.md)");
  sub_->add_option("resolve_folders", *resolve_dirs_,
                   "Every resolve folder of the campaign (R_0 ... R_N-1)");
  sub_->add_option("-o,--output", o.output, "Probe folder to create (never overwritten)")
      ->required();
  sub_->add_option("--shard", o.shard,
                   "Contact only the addresses of probe shard J of M (by /24 or /48), e.g. 0/3");
  sub_->add_flag("--allow-partial", *allow_partial_,
                 "Probe even when a resolve folder is missing or not complete");
  sub_->add_option("--config", o.config, "Configuration file read instead of configs/mxscan.toml");
  sub_->add_flag("-q,--quiet", o.quiet, "No progress line on stderr (scan.log still has it)");
  add_setting_options(*sub_, o);
}

ProbeCommand::~ProbeCommand() = default;

bool ProbeCommand::selected() const { return sub_->parsed(); }

int ProbeCommand::run(int argc, char** argv) const {
  const ScanOptions& o = *options_;
  ScanPlan plan;
  try {
    plan.phase = ScanPhase::probe;
    plan.quiet = o.quiet;
    plan.allow_partial = *allow_partial_;
    plan.config = config_from_options(o);
    for (const auto& dir : *resolve_dirs_) {
      plan.resolve_dirs.push_back(fs::absolute(dir).lexically_normal().string());
    }
    set_phase_output(plan, o.output, o.shard, argc, argv);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "mxscan probe: %s\n", e.what());
    return kExitUsage;
  }
  // --rate is the campaign's: the M shards run at once, each at its share.
  plan.campaign_rate = plan.config.smtp.rate;
  plan.config.smtp.rate /= plan.shard.count;
  std::fputs(
      (plan.campaign_rate == 0
           ? fmt::format("mxscan probe: shard {}: --rate 0, new SMTP sessions not limited\n",
                         plan.shard.to_string())
           : fmt::format("mxscan probe: shard {}: at most {:g} new SMTP sessions/s (--rate {:g} "
                         "for the campaign / {} probe shards)\n",
                         plan.shard.to_string(), plan.config.smtp.rate, plan.campaign_rate,
                         plan.shard.count))
          .c_str(),
      stderr);
  return run_phase(plan);
}

}  // namespace mxscan
