// manifest.json: what a results folder holds and how it was made (docs/conduct.md,
// "What is kept"): version and libraries, start and end, the effective
// configuration, digests of every data file used (blocklists, ASN, PSL,
// provider catalog), the EHLO name, the input and shard, and counts by status.
//
// Design note. The manifest is rewritten whole (to a temporary file, then
// renamed) at the start of a scan, on a clean stop and at the end, so a reader
// never sees half a manifest. `--resume DIR` reads the input, shard and
// configuration back from it.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "mxscan/common/scan_config.hpp"
#include "mxscan/scanner/run/scan_counters.hpp"

namespace mxscan {

// Where a scan stands. running: under way, or killed before it could say more;
// interrupted: stopped (signal, write error), resumable; failed: the resolvers
// stopped answering for longer than dns.outage_wait_ms, resumable once they
// answer again.
enum class ScanState { running, complete, interrupted, failed };

// The manifest's spelling ("running", ...); parse_scan_state is its inverse,
// nullopt for any other text.
std::string_view to_string(ScanState s) noexcept;
std::optional<ScanState> parse_scan_state(std::string_view text) noexcept;

// Which command made a results folder: the one-shot scan (`mxscan --domains`)
// or a phase of a campaign (`mxscan resolve`, `mxscan probe`; docs/distributed.md).
enum class ScanPhase { scan, resolve, probe };
std::string_view to_string(ScanPhase p) noexcept;
std::optional<ScanPhase> parse_scan_phase(std::string_view text) noexcept;

// A resolve folder a probe read: its path (absolute), shard, state and the
// SHA-256 of its addresses.tsv ("" when it had none, under --allow-partial).
struct ResolveInput {
  std::string path;
  std::string shard;
  std::string state;
  std::string addresses_sha256;
};

// A conduct setting changed by `--resume DIR --rate N ...` (docs/formats.md).
struct ResumeOverride {
  std::uint32_t resume = 0;  // the resume that changed it (1 for the first)
  std::string option;        // as given: "--rate"
  std::string setting;       // configuration key: "smtp.rate"
  std::string old_value;
  std::string new_value;
};

struct Manifest {
  ScanState state = ScanState::running;
  std::string command_line;
  std::string started;       // ISO 8601 UTC
  std::string ended;         // empty while running
  std::string domains_file;  // as given ("-" for standard input)
  std::string shard = "0/1";
  ScanPhase phase = ScanPhase::scan;
  std::vector<ResolveInput> resolve_inputs;  // probe: the resolve folders read
  // probe: --rate as given (the campaign's) and the probe shard count; the
  // shard's own share is config.smtp.rate.
  double campaign_rate = 0;
  bool dry_run = false;
  std::string ehlo_name;
  ScanConfig config;
  std::map<std::string, std::string> file_digests;    // path -> sha256
  std::map<std::string, std::uint64_t> input_counts;  // lines, invalid, duplicates, ...
  ScanSnapshot counts;
  std::vector<std::string> notes;  // e.g. "ASN checks skipped: no ASN source"
  std::uint32_t resumes = 0;
  std::vector<ResumeOverride> resume_overrides;  // oldest first; read back by --resume
};

std::string manifest_json(const Manifest& m);

// Writes DIR/manifest.json atomically; throws std::runtime_error on failure.
void write_manifest(const std::string& dir, const Manifest& m);

// The scan's last word in the manifest: its state, end time and counts,
// written as write_manifest does (and throwing as it does).
void finish_manifest(const std::string& dir, Manifest& m, ScanState state,
                     const ScanSnapshot& counts);

// Reads the fields --resume and `mxscan status` need (state, phase, resolve_inputs,
// input counts, domains_file, shard, dry_run,
// started, resumes, command_line, resume_overrides). The configuration is read from
// DIR/config.toml. Throws std::runtime_error naming the file for a state it
// does not know.
Manifest read_manifest(const std::string& dir);

std::string utc_now_iso8601();

}  // namespace mxscan
