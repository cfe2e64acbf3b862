#include "mxscan/results/summary_report.hpp"

#include "mxscan/common/json_text.hpp"
#include "mxscan/common/output_file.hpp"
#include "mxscan/inference/dns_errors.hpp"
#include "mxscan/results/signal_summary_report.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <initializer_list>
#include <utility>

namespace mxscan {

using json::append_key;

namespace {

// RFC 4180 field: quoted only when it holds a comma, quote, CR or LF.
void append_csv_field(std::string& out, std::string_view field) {
  if (field.find_first_of(",\"\r\n") == std::string_view::npos) {
    out.append(field);
    return;
  }
  out.push_back('"');
  for (char c : field) {
    if (c == '"') out.push_back('"');
    out.push_back(c);
  }
  out.push_back('"');
}

std::string_view company_of_id(const Catalog& catalog, std::string_view id) {
  return catalog.company_of(id).value_or(std::string_view());
}

// Appends `,"name":value` for each field, in order.
void append_uint_fields(std::string& out,
                        std::initializer_list<std::pair<std::string_view, std::uint64_t>> fields) {
  for (const auto& [name, value] : fields) {
    append_key(out, name);
    json::append_uint(out, value);
  }
}

void append_share_fields(std::string& out, const ShareRow& row) {
  append_key(out, "credit");
  json::append_double(out, row.credit);
  append_key(out, "domains");
  json::append_uint(out, row.domains);
  append_key(out, "share_of_with_provider");
  json::append_double(out, row.share_of_with_provider);
  append_key(out, "share_of_all");
  json::append_double(out, row.share_of_all);
}

}  // namespace

namespace {

// The CSV into `out`, `row_done()` after each row: a file writer flushes there,
// so a table of millions of IDs never sits whole in memory.
template <typename RowDone>
void csv_into(std::string& out, const Summary& summary, const Catalog& catalog, RowDone row_done) {
  out.append(
      "level,key,company,credit,domains,share_of_with_provider,share_of_all,"
      "domains_with_provider,domains_total\n");
  const std::string denominators =
      fmt::format(",{},{}\n", summary.domains_with_provider, summary.domains_total);
  const auto row_text = [&](std::string_view level, const ShareRow& row, std::string_view company) {
    out.append(level);
    out.push_back(',');
    append_csv_field(out, row.key);
    out.push_back(',');
    append_csv_field(out, company);
    // Same number forms as the JSON files (shortest exact doubles), without a
    // format string per row: the table can hold hundreds of thousands of rows.
    out.push_back(',');
    json::append_double(out, row.credit);
    out.push_back(',');
    json::append_uint(out, row.domains);
    out.push_back(',');
    json::append_double(out, row.share_of_with_provider);
    out.push_back(',');
    json::append_double(out, row.share_of_all);
    out.append(denominators);
    row_done();
  };
  for (const auto& row : summary.by_company) {
    row_text("company", row, row.known_company ? std::string_view(row.key) : std::string_view());
  }
  for (const auto& row : summary.by_id) row_text("id", row, company_of_id(catalog, row.key));
  if (summary.signals) {
    append_signal_summary_csv(out, *summary.signals, summary.domains_with_provider,
                              summary.domains_total);
  }
}

template <typename RowDone>
void json_into(std::string& out, const Summary& summary, const Catalog& catalog,
               const RunReport& run, RowDone row_done) {
  out.append("{\"schema\":\"");
  out.append(kSummarySchema);
  out.push_back('"');
  append_key(out, "domains_total");
  json::append_uint(out, summary.domains_total);
  append_key(out, "domains_with_provider");
  json::append_uint(out, summary.domains_with_provider);
  append_key(out, "denominators");
  out.append(
      "{\"share_of_with_provider\":\"domains_with_provider\",\"share_of_all\":\"domains_total\"}");
  append_key(out, "by_status");
  out.push_back('{');
  for (std::size_t i = 0; i < kDomainOutcomeCount; ++i) {
    append_key(out, to_string(static_cast<DomainOutcome>(i)), i == 0);
    json::append_uint(out, summary.by_status[i]);
  }
  out.push_back('}');
  // DNS errors by cause: a run that mostly measured its resolver says so.
  append_key(out, "dns_errors");
  out.append("{\"domains\":");
  json::append_uint(out, summary.by_status[static_cast<std::size_t>(DomainOutcome::dns_error)]);
  append_key(out, "most_domains");
  json::append_bool(
      out, mostly_dns_errors(summary.by_status[static_cast<std::size_t>(DomainOutcome::dns_error)],
                             summary.domains_total));
  append_key(out, "causes");
  out.push_back('{');
  bool first_cause = true;
  for (const auto& [cause, n] : summary.dns_error_causes) {
    append_key(out, cause, first_cause);
    json::append_uint(out, n);
    first_cause = false;
  }
  out.append("}}");
  append_key(out, "credit_without_id");
  json::append_double(out, summary.credit_without_id);
  append_key(out, "flagged_assignments");
  json::append_uint(out, summary.flagged_assignments);

  std::uint64_t malformed = 0;
  for (const auto& in : run.inputs) malformed += in.malformed_lines;
  append_key(out, "malformed_lines");
  json::append_uint(out, malformed);
  append_key(out, "inputs");
  json::append_array(out, run.inputs, [](std::string& o, const auto& in) {
    o.append("{\"path\":");
    json::append_string(o, in.path);
    append_uint_fields(o, {{"lines", in.lines},
                           {"domain_records", in.domain_records},
                           {"host_records", in.host_records},
                           {"malformed_lines", in.malformed_lines}});
    o.push_back('}');
  });

  const auto& b = run.batch;
  append_key(out, "batch");
  out.append("{\"domain_records\":");
  json::append_uint(out, b.domain_records);
  append_uint_fields(out, {{"host_records", b.host_records},
                           {"duplicate_domains", b.duplicate_domains},
                           {"duplicate_hosts", b.duplicate_hosts},
                           {"bad_hosts", b.bad_hosts},
                           {"unreferenced_hosts", b.unreferenced_hosts},
                           {"missing_hosts", b.missing_hosts},
                           {"unique_exchanges", b.unique_exchanges},
                           {"unique_addresses", b.unique_addresses},
                           {"certificate_groups", b.certificate_groups}});
  out.push_back('}');

  append_key(out, "settings");
  out.append("{\"threshold\":");
  json::append_uint(out, run.options.misidentification_threshold);
  append_key(out, "keep_flagged");
  json::append_bool(out, run.options.keep_flagged);
  append_key(out, "providers_config");
  json::append_string(out, run.catalog_origin);
  append_key(out, "psl_file");
  json::append_string(out, run.psl_file);
  append_key(out, "psl_sha256");
  json::append_string(out, run.psl_sha256);
  out.push_back('}');

  append_key(out, "by_company");
  json::append_array(out, summary.by_company, [&](std::string& o, const auto& row) {
    o.append("\n {\"key\":");
    json::append_string(o, row.key);
    append_key(o, "known_company");
    json::append_bool(o, row.known_company);
    append_share_fields(o, row);
    o.push_back('}');
    row_done();
  });
  append_key(out, "by_id");
  json::append_array(out, summary.by_id, [&](std::string& o, const auto& row) {
    o.append("\n {\"id\":");
    json::append_string(o, row.key);
    append_key(o, "company");
    json::append_string_or_null(o, company_of_id(catalog, row.key));
    append_share_fields(o, row);
    o.push_back('}');
    row_done();
  });
  if (summary.signals) {
    append_key(out, "signals");
    append_signal_summary_json(out, *summary.signals);
  }
  out.append("}\n");
}

}  // namespace

std::string summary_csv(const Summary& summary, const Catalog& catalog) {
  std::string out;
  out.reserve((summary.by_company.size() + summary.by_id.size()) * 96 + 128);
  csv_into(out, summary, catalog, [] {});
  return out;
}

std::string summary_json(const Summary& summary, const Catalog& catalog, const RunReport& run) {
  std::string out;
  out.reserve((summary.by_company.size() + summary.by_id.size()) * 160 + 4096);
  json_into(out, summary, catalog, run, [] {});
  return out;
}

void write_summary_csv(const std::string& path, const Summary& summary, const Catalog& catalog) {
  OutputFile file(path);
  csv_into(file.buffer(), summary, catalog, [&] { file.flush_if_full(); });
  file.close();
}

void write_summary_json(const std::string& path, const Summary& summary, const Catalog& catalog,
                        const RunReport& run) {
  OutputFile file(path);
  json_into(file.buffer(), summary, catalog, run, [&] { file.flush_if_full(); });
  file.close();
}

std::string top_table(const Summary& summary, const Catalog& catalog, std::size_t rows) {
  struct Line {
    std::string rank, id, company, credit, with_provider, all;
  };
  std::vector<Line> lines;
  lines.push_back({"#", "provider ID", "company", "credit",
                   fmt::format("% of {} with provider", summary.domains_with_provider),
                   fmt::format("% of all {}", summary.domains_total)});
  const std::size_t n = std::min(rows, summary.by_id.size());
  for (std::size_t i = 0; i < n; ++i) {
    const auto& row = summary.by_id[i];
    const std::string_view company = company_of_id(catalog, row.key);
    lines.push_back({std::to_string(i + 1), row.key, company.empty() ? "-" : std::string(company),
                     fmt::format("{:.1f}", row.credit),
                     fmt::format("{:.2f}", 100 * row.share_of_with_provider),
                     fmt::format("{:.2f}", 100 * row.share_of_all)});
  }
  std::size_t w[6] = {};
  for (const auto& l : lines) {
    const std::string* cells[6] = {&l.rank, &l.id, &l.company, &l.credit, &l.with_provider, &l.all};
    for (std::size_t c = 0; c < 6; ++c) w[c] = std::max(w[c], cells[c]->size());
  }
  std::string out;
  for (const auto& l : lines) {
    // Text columns left-aligned, numbers right-aligned.
    fmt::format_to(std::back_inserter(out), "{:>{}}  {:<{}}  {:<{}}  {:>{}}  {:>{}}  {:>{}}\n",
                   l.rank, w[0], l.id, w[1], l.company, w[2], l.credit, w[3], l.with_provider, w[4],
                   l.all, w[5]);
  }
  return out;
}

}  // namespace mxscan
