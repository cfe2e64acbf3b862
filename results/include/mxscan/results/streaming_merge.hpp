// `mxscan infer` over observation files with memory bounded by the unique
// exchanges, addresses and certificate names instead of the domains
// (docs/distributed.md, "Memory of the merge").
//
// Design note. The files are read several times, each line in exactly one
// kind of pass (LineFilter): once, every line that is not a domain record as
// mxscan writes it (host records; anything else, held whole); then the domain
// records to count (StreamingBatch::count), once more only when some share a
// name hash (recount), and once more for the results, on one reader thread so
// their order is the files' order. A line's problems are reported in the one
// pass that parses it first, so each once. The results pass checks that every
// file still holds the domain records it held: a file that changes between
// passes is an error, never a silent mix.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "mxscan/common/observation_pipeline.hpp"
#include "mxscan/inference/streaming_batch.hpp"
#include "mxscan/results/summary_report.hpp"

namespace mxscan {

class StreamingMerge {
 public:
  StreamingMerge(std::vector<std::string> files, const Catalog& catalog,
                 const PublicSuffixList& psl, Options options);

  // Every pass before the results. Malformed lines go to
  // problems.on_malformed (its other calls are never made); the counts are
  // those one read of each file gives. Throws std::runtime_error when a file
  // cannot be read.
  BackgroundRead read(ObservationHandler& problems);

  // The results pass: OUT's providers.jsonl, summary.csv and summary.json, as
  // write_batch_outputs writes them. Throws std::runtime_error when an output
  // cannot be written or an input changed since read().
  Summary write_outputs(const std::string& out_dir, RunReport& run);

 private:
  std::vector<std::string> files_;
  const Catalog& catalog_;
  StreamingBatch batch_;
  std::vector<std::uint64_t> domains_per_file_;
};

}  // namespace mxscan
