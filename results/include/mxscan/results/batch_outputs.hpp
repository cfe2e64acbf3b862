// The end of every inference run, live scan or offline: finish the batch,
// stream providers.jsonl (on ResultWriter's thread), write summary.csv and
// summary.json, and print the totals and the top table. Shared by
// `mxscan --domains` and `mxscan infer` so both write the same files from the
// same code.
#pragma once

#include <cstddef>
#include <functional>
#include <string>

#include "mxscan/inference/batch.hpp"
#include "mxscan/results/summary_report.hpp"

namespace mxscan {

// `run` carries inputs and settings for summary.json; its batch stats are
// filled here. Throws std::runtime_error when an output cannot be written.
Summary write_batch_outputs(Batch& batch, const Catalog& catalog, const std::string& out_dir,
                            RunReport& run);

// The same outputs from any producer of results: `produce` hands every result
// to its argument and returns the batch stats (StreamingBatch's passes).
using ResultSink = std::function<void(const DomainResult&)>;
Summary write_results(const std::function<BatchStats(const ResultSink&)>& produce,
                      const Catalog& catalog, const std::string& out_dir, RunReport& run);

// "N domains, M with a provider (x%); outputs in DIR" and the top-N table, on stdout.
void print_summary(const Summary& summary, const Catalog& catalog, const std::string& out_dir,
                   std::size_t top_rows);

}  // namespace mxscan
