#include "mxscan/results/batch_outputs.hpp"

#include <fmt/format.h>
#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <future>
#include <string>

#include "mxscan/common/output_file.hpp"
#include "mxscan/inference/dns_errors.hpp"
#include "mxscan/results/result_writer.hpp"

namespace mxscan {

Summary write_batch_outputs(Batch& batch, const Catalog& catalog, const std::string& out_dir,
                            RunReport& run) {
  return write_results([&](const ResultSink& sink) { return batch.finish(sink); }, catalog, out_dir,
                       run);
}

Summary write_results(const std::function<BatchStats(const ResultSink&)>& produce,
                      const Catalog& catalog, const std::string& out_dir, RunReport& run) {
  const std::filesystem::path out(out_dir);
  // Serialising and summarising run on a writer thread beside finish().
  ResultWriter writer((out / "providers.jsonl").string(), catalog);
  run.batch = produce([&](const DomainResult& result) { writer.add(result); });
  Summary summary = writer.finish();
  // The two summaries are independent and each walks every ID row (hundreds of
  // thousands for a large list): build them on both cores.
  auto csv = std::async(std::launch::async, [&summary, &catalog, &out] {
    write_summary_csv((out / "summary.csv").string(), summary, catalog);
  });
  write_summary_json((out / "summary.json").string(), summary, catalog, run);
  csv.get();
  return summary;
}

void print_summary(const Summary& summary, const Catalog& catalog, const std::string& out_dir,
                   std::size_t top_rows) {
  // Lines that are not domain names are no domains: counting them in "% of all"
  // would make every provider's share smaller by the share of junk in the list.
  // summary.json keeps its documented denominator (domains_total, with
  // by_status.invalid beside it); the printed figures leave them out.
  const std::uint64_t invalid = summary.by_status[static_cast<std::size_t>(DomainOutcome::invalid)];
  // Only the rows the table shows are copied: a large merge has millions.
  Summary shown;
  shown.domains_total = summary.domains_total - std::min(invalid, summary.domains_total);
  shown.domains_with_provider = summary.domains_with_provider;
  shown.by_id.assign(summary.by_id.begin(),
                     summary.by_id.begin() +
                         static_cast<std::ptrdiff_t>(std::min(top_rows, summary.by_id.size())));
  for (auto& row : shown.by_id) {
    row.share_of_all =
        shown.domains_total ? row.credit / static_cast<double>(shown.domains_total) : 0.0;
  }
  const double with_share = shown.domains_total
                                ? 100.0 * static_cast<double>(shown.domains_with_provider) /
                                      static_cast<double>(shown.domains_total)
                                : 0.0;
  std::fputs(fmt::format("{} domains, {} with a provider ({:.2f}%){}; outputs in {}\n\n",
                         shown.domains_total, shown.domains_with_provider, with_share,
                         invalid ? fmt::format(" ({} input lines that are not domain names left "
                                               "out)",
                                               invalid)
                                 : std::string(),
                         out_dir)
                 .c_str(),
             stdout);
  // Said before the table when the run mostly measured its resolver
  // (summary.json and the report break DNS errors down in every case).
  const auto dns_errors = summary.by_status[static_cast<std::size_t>(DomainOutcome::dns_error)];
  if (mostly_dns_errors(dns_errors, shown.domains_total)) {
    std::fputs(fmt::format("{}\n\n", dns_error_sentence(dns_errors, shown.domains_total,
                                                        summary.dns_error_causes))
                   .c_str(),
               stdout);
  }
  std::fputs(top_table(shown, catalog, top_rows).c_str(), stdout);
}

}  // namespace mxscan
