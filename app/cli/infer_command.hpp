// `mxscan infer IN... -o OUT`: the offline inference over observation files
// (docs/cli.md "infer", docs/formats.md).
//
// Design note. The command only wires things: ObservationReader feeds one
// inference Batch from every input (folders holding domains.jsonl and
// hosts.jsonl, or single files), then the batch's results stream into
// providers.jsonl while the summary accumulates; summary.csv/json and the
// top-N table come last. Malformed lines are reported (file:line: reason) and
// counted, never fatal.
//
// Exit codes: 0 done (even with malformed lines), 1 a failure while running
// (unreadable input, cannot write OUT), 2 a usage error (bad options, an input
// that does not exist, an existing OUT, a providers, PSL or ASN file that is not
// one); with 2, OUT is not created.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace CLI {
class App;
}

namespace mxscan {

inline constexpr int kExitOk = 0;
inline constexpr int kExitFailure = 1;
inline constexpr int kExitUsage = 2;

struct InferSettings {
  std::vector<std::string> inputs;
  // --from KIND FILE: other tools' data (zdns, zgrab2, censys; docs/import.md).
  std::vector<std::pair<std::string, std::string>> imports;
  std::string asn_db;  // ASN of imported hosts that carry none
  std::string pfx2as;
  std::string out_dir;
  std::string providers;  // file or folder; empty: the default search (see run_infer)
  std::string psl_file;
  bool keep_flagged = false;
  bool allow_partial = false;  // merge a campaign with a shard missing or not complete
  std::uint64_t threshold = 5;
  std::size_t top = 20;
  // --in-memory / --stream force a path; by default files stream above kStreamAboveBytes.
  bool in_memory = false;
  bool stream = false;
  std::size_t max_reported = 100;  // malformed lines echoed on stderr (all go to OUT/malformed.txt)
};

class InferCommand {
 public:
  // Registers the subcommand and its options on `app`.
  explicit InferCommand(CLI::App& app);
  bool selected() const;
  int run() const;

 private:
  CLI::App* sub_ = nullptr;
  std::unique_ptr<InferSettings> settings_;
};

int run_infer(const InferSettings& settings);

}  // namespace mxscan
