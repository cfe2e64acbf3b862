// The whole scan (`mxscan --domains`): input -> DNS -> conduct gate -> SMTP/TLS
// -> ASN, with observations appended to the results folder and streamed to a
// consumer (the inference batch), progress once a second, clean stops on
// SIGINT/SIGTERM and resumption after any kind of stop.
//
// Design note. The results folder is the journal. domains.jsonl and
// hosts.jsonl receive whole records only (RecordLog); a domain is done once its
// record is in domains.jsonl, an address once its record is in hosts.jsonl.
// Resuming reads both back (after cutting a partial last line), hands them to
// the consumer first, skips done domains in the input and re-queues the
// addresses of done domains that have no host record yet. Since the inference
// does not depend on record order, a resumed scan gives the results of an
// uninterrupted one. Every address gets a host record, blocked ones included,
// so "every address of every done domain has a host record" is the completion
// invariant.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "mxscan/common/observation_jsonl_reader.hpp"
#include "mxscan/common/scan_config.hpp"
#include "mxscan/scanner/run/manifest.hpp"
#include "mxscan/scanner/run/shard.hpp"

namespace mxscan {

struct ScanPlan {
  ScanConfig config;
  std::string domains_file;  // "-" for standard input
  std::string out_dir;
  ShardSpec shard;  // resolve, scan: of the domains; probe: of the /24s and /48s
  // scan: DNS then SMTP; resolve: DNS only, writing addresses.tsv; probe: SMTP
  // only, to the addresses of `resolve_dirs` in its shard (docs/distributed.md).
  ScanPhase phase = ScanPhase::scan;
  std::vector<std::string> resolve_dirs;  // probe
  bool allow_partial = false;             // probe: incomplete resolve folders are read
  double campaign_rate = 0;               // probe: --rate as given; config.smtp.rate is the share
  bool dry_run = false;
  bool resume = false;  // out_dir holds an earlier, unfinished scan of this plan
  bool quiet = false;   // no progress line
  std::string command_line;
  // With resume: the conduct settings this resume changes (appended to the
  // manifest's list of earlier ones).
  std::vector<ResumeOverride> resume_overrides;
};

struct ScanOutcome {
  ScanState state = ScanState::complete;
  Manifest manifest;
  std::uint64_t addresses = 0;  // unique addresses met
};

// Runs the scan (or the phase); `consumer` receives every observation (on_malformed for bad
// lines met while resuming). Throws std::runtime_error with a message saying
// what to do on configuration and I/O errors.
ScanOutcome run_scan(const ScanPlan& plan, ObservationHandler& consumer);

// What a new scan says when its output folder is already there: checked before
// the scan starts, and again when the new folder is moved into place.
std::string output_folder_exists_message(const std::string& out_dir);

}  // namespace mxscan
