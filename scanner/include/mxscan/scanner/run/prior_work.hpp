// What an earlier run of a scan left in its results folder, read back by
// --resume: the done domains and hosts, and the addresses of done domains that
// have no host record yet (to be queued again).
//
// Design note. The records are handed to the scan's sink as they are read
// (ScanSink::Source::journal), so the consumer and the counters see them
// exactly as they saw them live. Addresses still to do are collected in an
// ordered map, so the re-queue order is the same on every resume.
#pragma once

#include <filesystem>
#include <string>
#include <unordered_set>
#include <utility>
#include <vector>

#include "mxscan/common/observation_jsonl_reader.hpp"
#include "mxscan/scanner/run/scan_sink.hpp"

namespace mxscan {

struct PriorWork {
  std::unordered_set<std::string> domains;
  std::unordered_set<std::string> hosts;
  std::vector<std::pair<std::string, std::string>> pending;  // (address, exchange)
  ReadCounts counts;
};

// Reads DIR/domains.jsonl and DIR/hosts.jsonl into `sink`.
PriorWork load_prior_work(const std::filesystem::path& dir, ScanSink& sink);

}  // namespace mxscan
