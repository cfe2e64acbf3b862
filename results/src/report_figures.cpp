#include "mxscan/results/report_figures.hpp"

#include "mxscan/results/report_signals.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cmath>

namespace mxscan {

namespace {

constexpr std::array<std::string_view, kDomainOutcomeCount> kStatusLabels = {
    "provider found (ok)", "no MX (no_mx)",         "null MX (null_mx)",
    "NXDOMAIN (nxdomain)", "DNS error (dns_error)", "no SMTP answer (no_smtp)",
    "blocked (blocked)",   "invalid name (invalid)"};

std::string number(double v) {
  if (std::fabs(v - std::round(v)) < 1e-9) return fmt::format("{:.0f}", v);
  return fmt::format("{:.2f}", v);
}

double with_provider(const ReportData& d) { return static_cast<double>(d.domains_with_provider); }

std::vector<Bar> share_bars(const std::vector<CreditRow>& rows, std::size_t n,
                            const ReportData& d) {
  std::vector<Bar> bars;
  for (std::size_t i = 0; i < rows.size() && i < n; ++i) {
    const auto& r = rows[i];
    std::string label = r.key;
    if (!r.company.empty() && r.company != r.key) label += " (" + r.company + ")";
    bars.push_back({label, r.credit,
                    fmt::format("{} ({})", number(r.credit), percent(r.credit, with_provider(d)))});
  }
  return bars;
}

std::vector<std::string> share_cells(std::size_t rank, const CreditRow& r, const ReportData& d) {
  return {std::to_string(rank), r.key, number(r.credit), std::to_string(r.domains),
          percent(r.credit, with_provider(d))};
}

}  // namespace

std::string_view status_label(DomainOutcome status) {
  return kStatusLabels[static_cast<std::size_t>(status)];
}

std::string as_label(const AsRow& a) {
  return a.name.empty() ? fmt::format("AS{}", a.asn) : fmt::format("AS{} {}", a.asn, a.name);
}

std::vector<Rate> tls_rates(const HostFigures& h) {
  return {{"answered SMTP (of contacted hosts)", h.live, h.contacted},
          {"STARTTLS offered (of live hosts)", h.starttls_offered, h.live},
          {"STARTTLS accepted (of offering hosts)", h.starttls_accepted, h.starttls_offered},
          {"TLS handshake completed (of accepted)", h.tls_completed, h.starttls_accepted},
          {"certificate trusted (of handshakes)", h.trusted, h.tls_completed}};
}

std::vector<Figure> report_figures(const ReportData& d, std::size_t rows) {
  std::vector<Figure> out;
  out.push_back({"company", fmt::format("Top {} companies by credit", rows), "credit",
                 share_bars(d.by_company, rows, d), std::string(kPaletteBlue)});
  out.push_back({"id", fmt::format("Top {} provider IDs by credit", rows), "credit",
                 share_bars(d.by_id, rows, d), std::string(kPaletteSky)});
  Figure classes{"classes",
                 "Credit inside and outside the catalog",
                 "credit",
                 {},
                 std::string(kPalettePurple)};
  for (std::size_t i = 0; i < kCompanyClassCount; ++i) {
    const auto& c = d.by_class[i];
    classes.bars.push_back({std::string(label(static_cast<CompanyClass>(i))), c.credit,
                            fmt::format("{} ({}), {} domains", number(c.credit),
                                        percent(c.credit, with_provider(d)), c.domains)});
  }
  out.push_back(std::move(classes));
  Figure candidates{"candidates",
                    "Provider IDs not in the catalog, by other domains served",
                    "domains",
                    {},
                    std::string(kPaletteOrange)};
  for (std::size_t i = 0; i < d.candidates.size() && i < rows; ++i) {
    const auto& c = d.candidates[i];
    candidates.bars.push_back({c.key, static_cast<double>(c.domains),
                               fmt::format("{} domains, credit {}", c.domains, number(c.credit))});
  }
  out.push_back(std::move(candidates));
  Figure status{"status", "Domains by status", "domains", {}, std::string(kPaletteVermillion)};
  for (std::size_t i = 0; i < kDomainOutcomeCount; ++i) {
    const auto n = d.by_status[i];
    status.bars.push_back(
        {std::string(kStatusLabels[i]), static_cast<double>(n),
         fmt::format("{} ({})", n,
                     percent(static_cast<double>(n), static_cast<double>(d.domains_total)))});
  }
  out.push_back(std::move(status));
  Figure sources{"sources", "Credit by inference source", "credit", {}, std::string(kPaletteGreen)};
  for (std::size_t i = 0; i < kSourceCount; ++i) {
    sources.bars.push_back(
        {fmt::format("{} ({} MXes)", to_string(static_cast<Source>(i)), d.assignments_by_source[i]),
         d.credit_by_source[i],
         fmt::format("{} ({})", number(d.credit_by_source[i]),
                     percent(d.credit_by_source[i], with_provider(d)))});
  }
  out.push_back(std::move(sources));
  if (d.has_hosts) {
    Figure tls{"tls", "STARTTLS and trust rates", "percent", {}, std::string(kPaletteBlue)};
    for (const auto& r : tls_rates(d.hosts)) {
      const double pct =
          r.whole ? 100.0 * static_cast<double>(r.part) / static_cast<double>(r.whole) : 0.0;
      tls.bars.push_back(
          {r.label, pct,
           fmt::format("{} ({} of {})",
                       percent(static_cast<double>(r.part), static_cast<double>(r.whole)), r.part,
                       r.whole)});
    }
    out.push_back(std::move(tls));
  }
  if (!d.ases.empty()) {
    Figure ases{"ases", "Addresses per AS", "addresses", {}, std::string(kPaletteGreen)};
    for (std::size_t i = 0; i < d.ases.size() && i < rows; ++i) {
      const auto& a = d.ases[i];
      ases.bars.push_back({as_label(a), static_cast<double>(a.hosts),
                           fmt::format("{} addresses, {} live", a.hosts, a.live)});
    }
    out.push_back(std::move(ases));
  }
  return out;
}

std::vector<NamedTable> report_tables(const ReportData& d, std::size_t rows) {
  std::vector<NamedTable> out;
  LatexTable companies{
      "Top companies by credit (share of the domains with a provider); "
      "mxscan report",
      {"#", "Company", "Credit", "Domains", "Share"},
      "rlrrr",
      {}};
  for (std::size_t i = 0; i < d.by_company.size() && i < rows; ++i)
    companies.rows.push_back(share_cells(i + 1, d.by_company[i], d));
  out.push_back({"companies", std::move(companies)});
  LatexTable ids{"Top provider IDs by credit (share of the domains with a provider); mxscan report",
                 {"#", "Provider ID", "Company", "Credit", "Domains", "Share"},
                 "rllrrr",
                 {}};
  for (std::size_t i = 0; i < d.by_id.size() && i < rows; ++i) {
    auto cells = share_cells(i + 1, d.by_id[i], d);
    cells.insert(cells.begin() + 2, d.by_id[i].company.empty() ? "--" : d.by_id[i].company);
    ids.rows.push_back(std::move(cells));
  }
  out.push_back({"ids", std::move(ids)});
  LatexTable candidates{"Provider IDs not in the catalog: candidates to add; mxscan report",
                        {"#", "Provider ID", "Other domains", "Credit"},
                        "rlrr",
                        {}};
  for (std::size_t i = 0; i < d.candidates.size() && i < rows; ++i) {
    const auto& c = d.candidates[i];
    candidates.rows.push_back(
        {std::to_string(i + 1), c.key, std::to_string(c.domains), number(c.credit)});
  }
  out.push_back({"candidates", std::move(candidates)});
  LatexTable status{"Domains by status (share of every input line); mxscan report",
                    {"Status", "Domains", "Share"},
                    "lrr",
                    {}};
  for (std::size_t i = 0; i < kDomainOutcomeCount; ++i) {
    status.rows.push_back(
        {std::string(kStatusLabels[i]), std::to_string(d.by_status[i]),
         percent(static_cast<double>(d.by_status[i]), static_cast<double>(d.domains_total))});
  }
  out.push_back({"status", std::move(status)});
  if (d.has_hosts) {
    LatexTable tls{
        "STARTTLS and certificate trust, each over the hosts it applies to; mxscan "
        "report",
        {"Measure", "Hosts", "Of", "Rate"},
        "lrrr",
        {}};
    for (const auto& r : tls_rates(d.hosts)) {
      tls.rows.push_back({r.label, std::to_string(r.part), std::to_string(r.whole),
                          percent(static_cast<double>(r.part), static_cast<double>(r.whole))});
    }
    out.push_back({"tls", std::move(tls)});
  }
  if (!d.ases.empty()) {
    LatexTable ases{"Top autonomous systems by addresses; mxscan report",
                    {"#", "AS", "Name", "Addresses", "Live"},
                    "rllrr",
                    {}};
    for (std::size_t i = 0; i < d.ases.size() && i < rows; ++i) {
      const auto& a = d.ases[i];
      ases.rows.push_back({std::to_string(i + 1), fmt::format("AS{}", a.asn),
                           a.name.empty() ? "--" : a.name, std::to_string(a.hosts),
                           std::to_string(a.live)});
    }
    out.push_back({"ases", std::move(ases)});
  }
  append_signal_tables(d, rows, out);
  return out;
}

}  // namespace mxscan
