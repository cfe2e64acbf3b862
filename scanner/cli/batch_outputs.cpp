#include "batch_outputs.hpp"

#include <cstdio>
#include <filesystem>
#include <future>
#include <string>
#include <fmt/format.h>

#include "mxscan/common/output_file.hpp"
#include "mxscan/inference/dns_errors.hpp"
#include "result_writer.hpp"

namespace mxscan::cli {

inference::Summary write_batch_outputs(inference::Batch& batch, const inference::Catalog& catalog,
                                       const std::string& out_dir, inference::RunReport& run) {
  const std::filesystem::path out(out_dir);
  // Serialising and summarising run on a writer thread beside finish().
  ResultWriter writer((out / "providers.jsonl").string(), catalog);
  run.batch = batch.finish([&](const inference::DomainResult& result) { writer.add(result); });
  inference::Summary summary = writer.finish();
  // The two summaries are independent and each walks every ID row (hundreds of
  // thousands for a large list): build them on both cores.
  auto csv = std::async(std::launch::async,
                        [&summary, &catalog] { return inference::summary_csv(summary, catalog); });
  const std::string json = inference::summary_json(summary, catalog, run);
  write_file((out / "summary.csv").string(), csv.get());
  write_file((out / "summary.json").string(), json);
  return summary;
}

void print_summary(const inference::Summary& summary, const inference::Catalog& catalog,
                   const std::string& out_dir, std::size_t top_rows) {
  const double with_share = summary.domains_total
                                ? 100.0 * static_cast<double>(summary.domains_with_provider) /
                                      static_cast<double>(summary.domains_total)
                                : 0.0;
  std::fputs(fmt::format("{} domains, {} with a provider ({:.2f}%); outputs in {}\n\n",
                         summary.domains_total, summary.domains_with_provider, with_share, out_dir)
                 .c_str(),
             stdout);
  // Said before the table when the run mostly measured its resolver
  // (summary.json and the report break DNS errors down in every case).
  const auto dns_errors =
      summary.by_status[static_cast<std::size_t>(inference::DomainOutcome::dns_error)];
  if (inference::mostly_dns_errors(dns_errors, summary.domains_total)) {
    std::fputs(
        fmt::format("{}\n\n", inference::dns_error_sentence(dns_errors, summary.domains_total,
                                                            summary.dns_error_causes))
            .c_str(),
        stdout);
  }
  std::fputs(inference::top_table(summary, catalog, top_rows).c_str(), stdout);
}

}  // namespace mxscan::cli
