#include "scan_command.hpp"

#include <fmt/format.h>
#include <CLI/CLI.hpp>

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <functional>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <system_error>

#include "config_search.hpp"
#include "infer_command.hpp"
#include "invalid_names.hpp"
#include "mxscan/common/names.hpp"
#include "mxscan/inference/batch.hpp"
#include "mxscan/inference/catalog.hpp"
#include "mxscan/results/batch_outputs.hpp"
#include "mxscan/scanner/dns/resolver_probe.hpp"
#include "mxscan/scanner/run/scan_engine.hpp"
#include "mxscan/scanner/run/scan_preflight.hpp"
#include "phase_run.hpp"
#include "report_command.hpp"
#include "resume_overrides.hpp"
#include "scan_notes.hpp"
#include "scan_options.hpp"

namespace mxscan {

namespace fs = std::filesystem;

namespace {

// Feeds the scan's observations into the batch (the engine serialises calls).
class BatchConsumer final : public ObservationHandler {
 public:
  explicit BatchConsumer(Batch& batch) : batch_(batch) {}
  void on_domain(DomainObs& obs) override {
    invalid.add(obs);
    batch_.add(obs);
  }
  void on_host(HostObs& obs) override {
    asn_matches.add(obs);
    batch_.add(obs);
  }
  void on_malformed(const ReadProblem& p) override {
    ++malformed;
    if (malformed <= 20) {
      std::fprintf(stderr, "mxscan: skipped a malformed record while resuming: %s:%llu: %s\n",
                   p.file.c_str(), static_cast<unsigned long long>(p.line), p.reason.c_str());
    }
  }
  std::uint64_t malformed = 0;
  AsnMatches asn_matches;
  InvalidNameReport invalid;

 private:
  Batch& batch_;
};

std::string default_output_dir() {
  std::string stamp = utc_now_iso8601();  // 2026-11-29T10:00:00Z
  std::string compact;
  for (char c : stamp) {
    if (c != '-' && c != ':') compact += c;
  }
  return "mxscan-" + compact;
}

}  // namespace

ScanCommand::ScanCommand(CLI::App& app) : app_(&app), options_(std::make_unique<ScanOptions>()) {
  auto& o = *options_;
  const std::string scan = "Scan";
  app.footer(
      "Defaults come from mxscan.toml (every setting is there): PREFIX/share/mxscan/configs\n"
      "when installed, configs/ of the source tree (mxscan(1), FILES); options override it.\n"
      "Examples:\n"
      "  mxscan --domains top1m.csv --ehlo-name scanner.example.edu -o top1m-scan\n"
      "  mxscan --resume top1m-scan          # after Ctrl-C, a crash or kill -9\n"
      "  mxscan --domains top1m.csv --shard 0/4 -o part0   # then: mxscan infer part0 ... -o all\n"
      "  mxscan --domains top1m.csv --dry-run -o plan      # DNS only: what would be contacted\n"
      "Exit codes: 0 done, 1 failure while running, 2 usage or configuration error (nothing\n"
      "contacted), 3 interrupted (continue with --resume). See docs/cli.md and mxscan(1).");

  app.add_option("--domains", o.domains,
                 "Domain list to scan: one name per line, Tranco/Alexa rank,domain CSV, .gz, "
                 "or - for standard input")
      ->group(scan);
  app.add_option("-o,--output", o.output,
                 "Results folder to create (default: mxscan-<UTC start time>); never overwritten")
      ->group(scan);
  app.add_option("--config", o.config,
                 "Configuration file read instead of configs/mxscan.toml (options given here "
                 "still override it)")
      ->group(scan);
  app.add_option("--resume", o.resume,
                 "Continue the interrupted scan in this results folder (its plan is read back "
                 "from it; only rates, caps, threads, timeouts and retries may be changed)")
      ->group(scan);
  app.add_option("--shard", o.shard, "Scan only shard I of N (0 <= I < N), e.g. 0/4")->group(scan);
  app.add_flag("--dry-run", o.dry_run,
               "Resolve only: report the addresses, /24s and ASes that would be contacted")
      ->group(scan);
  app.add_flag("-q,--quiet", o.quiet, "No progress line on stderr (scan.log still has it)")
      ->group(scan);
  app.add_option("--top", o.top, "Rows of the provider table printed at the end")
      ->capture_default_str()
      ->group(scan);

  add_setting_options(app, o);
}

ScanCommand::~ScanCommand() = default;

bool ScanCommand::selected() const {
  return !options_->domains.empty() || !options_->resume.empty();
}

namespace {

using UsageError = ScanUsageError;

ScanPlan plan_from_options(const ScanOptions& o, int argc, char** argv) {
  ScanPlan plan;
  plan.quiet = o.quiet;
  if (!o.resume.empty()) {
    for (const auto& [opt, apply] : o.overrides) {
      if (opt->count() > 0 && !resume_may_change(opt->get_name())) {
        throw UsageError(
            "--resume continues a scan with its recorded settings; " + opt->get_name() +
            " would change what is measured: drop it (a resumed scan may change " +
            "only --quiet, --top and how fast it works: " + resume_changeable_options() + ")");
      }
    }
    if (!o.domains.empty() || !o.output.empty() || !o.shard.empty() || o.dry_run ||
        !o.config.empty()) {
      throw UsageError(
          "--resume DIR takes the domain list, output, shard and configuration from DIR; "
          "give only --resume DIR (and --quiet)");
    }
    Manifest m = read_manifest(o.resume);
    plan.config = m.config;
    for (const auto& [opt, apply] : o.overrides) {
      if (opt->count() == 0) continue;
      const SettingText before = setting_text(opt->get_name(), plan.config);
      apply(plan.config);
      const SettingText after = setting_text(opt->get_name(), plan.config);
      if (after.value == before.value) continue;
      plan.resume_overrides.push_back(
          {m.resumes + 1, opt->get_name(), after.key, before.value, after.value});
      std::fprintf(stderr, "mxscan: resuming with %s %s (was %s)\n", opt->get_name().c_str(),
                   after.value.c_str(), before.value.c_str());
    }
    plan.domains_file = m.domains_file;
    plan.out_dir = o.resume;
    plan.dry_run = m.dry_run;
    plan.phase = m.phase;
    for (const auto& in : m.resolve_inputs) plan.resolve_dirs.push_back(in.path);
    plan.campaign_rate = m.campaign_rate;
    plan.resume = true;
    std::string error;
    auto shard = parse_shard(m.shard, error);
    if (!shard) throw std::runtime_error(o.resume + "/manifest.json: " + error);
    plan.shard = *shard;
    plan.command_line = m.command_line;
    return plan;
  }

  plan.config = config_from_options(o);
  plan.domains_file = o.domains == "-" ? "-" : fs::absolute(o.domains).string();
  if (o.domains != "-" && !fs::exists(plan.domains_file)) {
    throw UsageError("--domains " + o.domains + ": no such file");
  }
  plan.out_dir = o.output.empty() ? default_output_dir() : o.output;
  if (fs::exists(plan.out_dir)) {
    throw UsageError(output_folder_exists_message(plan.out_dir));
  }
  if (!o.shard.empty()) {
    std::string error;
    auto shard = parse_shard(o.shard, error);
    if (!shard) throw UsageError(error);
    plan.shard = *shard;
  }
  plan.dry_run = o.dry_run;
  plan.command_line = command_line(argc, argv);
  return plan;
}

}  // namespace

int ScanCommand::run(int argc, char** argv) const {
  ScanPlan plan;
  try {
    plan = plan_from_options(*options_, argc, argv);
  } catch (const UsageError& e) {
    std::fprintf(stderr, "mxscan: %s\n", e.what());
    return kExitUsage;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "mxscan: %s\n", e.what());
    return kExitUsage;
  }
  if (plan.phase != ScanPhase::scan) return run_phase(plan);  // --resume of a resolve or probe

  // A catalog or PSL that is not one is a usage error: refused before the folder exists.
  Catalog catalog;
  std::optional<PublicSuffixList> psl_file;
  try {
    catalog = Catalog::load(plan.config.inference.providers);
    psl_file.emplace(plan.config.inference.psl_file);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "mxscan: %s\n", e.what());
    return kExitUsage;
  }
  try {
    const PublicSuffixList& psl = *psl_file;
    Options options;
    options.misidentification_threshold =
        static_cast<std::uint64_t>(plan.config.inference.threshold);
    options.keep_flagged = plan.config.inference.keep_flagged;
    Batch batch(catalog, psl, options);
    BatchConsumer consumer(batch);

    ScanOutcome outcome;
    try {
      outcome = run_scan(plan, consumer);
    } catch (const ScanSetupError& e) {
      std::fprintf(stderr, "mxscan: %s\n", e.what());
      return kExitUsage;
    } catch (const ResolverProbeError& e) {
      std::fprintf(stderr, "mxscan: %s\n", e.what());
      return kExitUsage;  // nothing contacted; a resumed folder is left as it was
    } catch (const std::exception& e) {
      // Nothing was contacted when the folder or a setting is refused; an error
      // while scanning leaves a resumable folder.
      std::fprintf(stderr, "mxscan: %s\n", e.what());
      return std::filesystem::exists(fs::path(plan.out_dir) / "manifest.json") ? kExitFailure
                                                                               : kExitUsage;
    }
    if (outcome.state == ScanState::interrupted) return kExitInterrupted;
    if (outcome.state == ScanState::failed) return kExitFailure;  // run_scan said how to resume
    if (plan.domains_file == "-" && !plan.resume && outcome.manifest.input_counts["valid"] == 0) {
      // Standard input can be read only once, so it is checked at its end: no
      // domain means nothing was contacted, and the empty folder goes again.
      std::fprintf(stderr,
                   "mxscan: no domains: standard input held no valid domain name (%llu "
                   "lines); nothing scanned, %s removed\n",
                   static_cast<unsigned long long>(outcome.manifest.input_counts["lines"]),
                   plan.out_dir.c_str());
      fs::remove_all(plan.out_dir);
      return kExitUsage;
    }
    if (const std::string note = asn_match_note(plan.config, consumer.asn_matches); !note.empty()) {
      record_scan_note(plan.out_dir, outcome.manifest, note);
    }
    if (plan.dry_run) return kExitOk;

    RunReport run;
    run.options = options;
    run.catalog_origin = catalog.origin();
    run.psl_file = psl.path();
    run.psl_sha256 = psl.sha256();
    const Summary summary = write_batch_outputs(batch, catalog, plan.out_dir, run);
    print_summary(summary, catalog, plan.out_dir, options_->top);
    std::fputs(consumer.invalid.message(outcome.manifest.input_counts["lines"]).c_str(), stderr);
    report_after_scan(plan.out_dir);
    return kExitOk;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "mxscan: %s\n", e.what());
    return kExitFailure;
  }
}

}  // namespace mxscan
