// summary.csv, summary.json and the top-N table printed by `mxscan infer`
// (docs/formats.md).
//
// Design note. Serialisers of a Summary (built by the inference) and of what
// the run read; no computation beyond formatting. Shares are fractions in the
// files and percentages in the table, and every share names its denominator:
// share_of_with_provider = credit / domains_with_provider (domains with status
// ok), share_of_all = credit / domains_total (every input domain).
#pragma once

#include "mxscan/inference/batch.hpp"
#include "mxscan/inference/catalog.hpp"
#include "mxscan/inference/result.hpp"

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace mxscan {

inline constexpr std::string_view kSummarySchema = "mxscan/summary/1";

// What one input file contributed.
struct InputReport {
  std::string path;
  std::uint64_t lines = 0;
  std::uint64_t domain_records = 0;
  std::uint64_t host_records = 0;
  std::uint64_t malformed_lines = 0;
};

struct RunReport {
  std::vector<InputReport> inputs;
  BatchStats batch;
  Options options;
  std::string catalog_origin;
  std::string psl_file;
  std::string psl_sha256;
};

std::string summary_csv(const Summary& summary, const Catalog& catalog);
std::string summary_json(const Summary& summary, const Catalog& catalog, const RunReport& run);
// The same text straight into a file, flushed as it grows (millions of IDs);
// throw std::runtime_error when the file cannot be written.
void write_summary_csv(const std::string& path, const Summary& summary, const Catalog& catalog);
void write_summary_json(const std::string& path, const Summary& summary, const Catalog& catalog,
                        const RunReport& run);
// Aligned plain text: the `rows` IDs with most credit, with their company.
std::string top_table(const Summary& summary, const Catalog& catalog, std::size_t rows);

}  // namespace mxscan
