// manifest.json: what a results folder holds and how it was made (CONDUCT.md,
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
#include <vector>

#include "mxscan/common/scan_config.hpp"
#include "mxscan/scanner/run/scan_counters.hpp"

namespace mxscan {

// A conduct setting changed by `--resume DIR --rate N ...` (docs/formats.md).
struct ResumeOverride {
  std::uint32_t resume = 0;  // the resume that changed it (1 for the first)
  std::string option;        // as given: "--rate"
  std::string setting;       // configuration key: "smtp.rate"
  std::string old_value;
  std::string new_value;
};

struct Manifest {
  std::string state = "running";  // running | interrupted | complete
  std::string command_line;
  std::string started;            // ISO 8601 UTC
  std::string ended;              // empty while running
  std::string domains_file;       // as given ("-" for standard input)
  std::string shard = "0/1";
  bool dry_run = false;
  std::string ehlo_name;
  ScanConfig config;
  std::map<std::string, std::string> file_digests;  // path -> sha256
  std::map<std::string, std::uint64_t> input_counts;  // lines, invalid, duplicates, ...
  ScanSnapshot counts;
  std::vector<std::string> notes;  // e.g. "ASN checks skipped: no ASN source"
  std::uint32_t resumes = 0;
  std::vector<ResumeOverride> resume_overrides;  // oldest first; read back by --resume
};

std::string manifest_json(const Manifest& m);

// Writes DIR/manifest.json atomically; throws std::runtime_error on failure.
void write_manifest(const std::string& dir, const Manifest& m);

// Reads the fields --resume needs (state, domains_file, shard, dry_run,
// started, resumes, command_line, resume_overrides). The configuration is read from
// DIR/config.toml.
Manifest read_manifest(const std::string& dir);

std::string utc_now_iso8601();

}  // namespace mxscan
