#include "phase_run.hpp"

#include <cstdio>
#include <filesystem>

#include "infer_command.hpp"
#include "mxscan/scanner/dns/resolver_probe.hpp"
#include "mxscan/scanner/run/probe_inputs.hpp"
#include "mxscan/scanner/run/scan_preflight.hpp"
#include "scan_command.hpp"
#include "scan_options.hpp"

namespace mxscan {
namespace {

// A phase infers nothing: its records stay in the folder for `mxscan infer`.
// Malformed records met while resuming are said, as the scan says them.
class PhaseConsumer final : public ObservationHandler {
 public:
  void on_domain(DomainObs&) override {}
  void on_host(HostObs&) override {}
  void on_malformed(const ReadProblem& p) override {
    if (++malformed_ <= 20) {
      std::fprintf(stderr, "mxscan: skipped a malformed record while resuming: %s:%llu: %s\n",
                   p.file.c_str(), static_cast<unsigned long long>(p.line), p.reason.c_str());
    }
  }

 private:
  std::uint64_t malformed_ = 0;
};

}  // namespace

int run_phase(const ScanPlan& plan) {
  PhaseConsumer consumer;
  ScanOutcome outcome;
  try {
    outcome = run_scan(plan, consumer);
  } catch (const ScanSetupError& e) {
    std::fprintf(stderr, "mxscan: %s\n", e.what());
    return kExitUsage;
  } catch (const ResolverProbeError& e) {
    std::fprintf(stderr, "mxscan: %s\n", e.what());
    return kExitUsage;
  } catch (const CampaignInputError& e) {
    std::fprintf(stderr, "mxscan: %s\n", e.what());
    return kExitUsage;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "mxscan: %s\n", e.what());
    return std::filesystem::exists(std::filesystem::path(plan.out_dir) / "manifest.json")
               ? kExitFailure
               : kExitUsage;
  }
  if (outcome.state == ScanState::interrupted) return kExitInterrupted;
  if (outcome.state == ScanState::failed) return kExitFailure;
  const auto& in = outcome.manifest.input_counts;
  const auto count = [&](const char* key) {
    const auto it = in.find(key);
    return static_cast<unsigned long long>(it == in.end() ? 0 : it->second);
  };
  if (plan.phase == ScanPhase::resolve) {
    std::printf("mxscan resolve: shard %s complete: %llu domains, %llu addresses to probe in %s\n",
                outcome.manifest.shard.c_str(),
                static_cast<unsigned long long>(outcome.manifest.counts.domains_done),
                count("unique_addresses"), plan.out_dir.c_str());
  } else {
    std::printf("mxscan probe: shard %s complete: %llu of the campaign's %llu addresses in %s\n",
                outcome.manifest.shard.c_str(), count("addresses"), count("campaign_addresses"),
                plan.out_dir.c_str());
  }
  return kExitOk;
}

void set_phase_output(ScanPlan& plan, const std::string& output, const std::string& shard, int argc,
                      char** argv) {
  plan.out_dir = output;
  if (std::filesystem::exists(plan.out_dir)) {
    throw ScanUsageError(output_folder_exists_message(output));
  }
  if (!shard.empty()) {
    std::string error;
    const auto parsed = parse_shard(shard, error);
    if (!parsed) throw ScanUsageError(error);
    plan.shard = *parsed;
  }
  plan.command_line = command_line(argc, argv);
}

}  // namespace mxscan
