#include "resolve_command.hpp"

#include <CLI/CLI.hpp>

#include <cstdio>
#include <filesystem>

#include "infer_command.hpp"
#include "mxscan/scanner/run/scan_engine.hpp"
#include "phase_run.hpp"
#include "scan_options.hpp"

namespace mxscan {

namespace fs = std::filesystem;

ResolveCommand::ResolveCommand(CLI::App& app) : options_(std::make_unique<ScanOptions>()) {
  auto& o = *options_;
  sub_ = app.add_subcommand(
      "resolve",
      "Campaign phase 1: resolve a shard of the domain list (DNS only) into a folder holding "
      "domains.jsonl and addresses.tsv, for mxscan probe (docs/distributed.md)");
  sub_->add_option("--domains", o.domains,
                   "Domain list: one name per line, Tranco/Alexa rank,domain CSV, .gz, or -")
      ->required();
  sub_->add_option("-o,--output", o.output, "Resolve folder to create (never overwritten)")
      ->required();
  sub_->add_option("--shard", o.shard, "Resolve only shard I of N of the domains, e.g. 0/4");
  sub_->add_option("--config", o.config, "Configuration file read instead of configs/mxscan.toml");
  sub_->add_flag("-q,--quiet", o.quiet, "No progress line on stderr (scan.log still has it)");
  add_setting_options(*sub_, o);
}

ResolveCommand::~ResolveCommand() = default;

bool ResolveCommand::selected() const { return sub_->parsed(); }

int ResolveCommand::run(int argc, char** argv) const {
  const ScanOptions& o = *options_;
  ScanPlan plan;
  try {
    plan.phase = ScanPhase::resolve;
    plan.quiet = o.quiet;
    plan.config = config_from_options(o);
    plan.domains_file = o.domains == "-" ? "-" : fs::absolute(o.domains).string();
    if (o.domains != "-" && !fs::exists(plan.domains_file)) {
      throw ScanUsageError("--domains " + o.domains + ": no such file");
    }
    set_phase_output(plan, o.output, o.shard, argc, argv);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "mxscan resolve: %s\n", e.what());
    return kExitUsage;
  }
  return run_phase(plan);
}

}  // namespace mxscan
