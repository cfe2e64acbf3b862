// The figures and tables of a report, built once from ReportData: report.html
// draws the figures inline, `mxscan report --export` writes them as SVG, PDF
// and CSV, and the tables as LaTeX (booktabs).
//
// Design note. Pure: data in, figures out. Shares are of the domains with a
// provider (market figures) or of every input line (statuses), as in the
// printed summary; every figure's CSV carries the same numbers as its bars.
#pragma once

#include "mxscan/results/figure.hpp"
#include "mxscan/results/latex_table.hpp"
#include "mxscan/results/report_data.hpp"

#include <cstdint>
#include <string>
#include <vector>

namespace mxscan {

struct Rate {
  std::string label;
  std::uint64_t part;
  std::uint64_t whole;
};

// STARTTLS and trust, each over the hosts it can apply to.
std::vector<Rate> tls_rates(const HostFigures& h);
std::string_view status_label(DomainOutcome status);
// "AS15169 GOOGLE", or "AS15169" without a name.
std::string as_label(const AsRow& row);

// company, id, classes, candidates, status, sources, tls, ases: the ones with data.
std::vector<Figure> report_figures(const ReportData& data, std::size_t rows);

struct NamedTable {
  std::string name;  // file stem
  LatexTable table;
};
// companies, ids, candidates, status, tls, ases (tls and ases when hosts.jsonl had them).
std::vector<NamedTable> report_tables(const ReportData& data, std::size_t rows);

}  // namespace mxscan
