#include "mxscan/results/report_html.hpp"

#include "mxscan/common/base64.hpp"
#include "mxscan/common/x509.hpp"
#include "mxscan/results/report_figures.hpp"
#include "mxscan/results/report_signals.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <set>

namespace mxscan {

namespace {

std::string number(double v) {
  if (std::fabs(v - std::round(v)) < 1e-9) return fmt::format("{:.0f}", v);
  return fmt::format("{:.2f}", v);
}

std::string share(double part, double whole) { return percent(part, whole); }

// Input lines that are not domain names are no domains: shares "of all domains"
// leave them out, as the printed provider table does (they are still a status
// of their own in the status chart, whose shares are of every input line).
std::uint64_t invalid_lines(const ReportData& d) {
  return d.by_status[static_cast<std::size_t>(DomainOutcome::invalid)];
}
double valid_domains(const ReportData& d) {
  return static_cast<double>(d.domains_total - std::min(invalid_lines(d), d.domains_total));
}
std::string left_out(const ReportData& d, std::string_view lead) {
  return invalid_lines(d) ? fmt::format("{}{} input lines that are not domain names left out", lead,
                                        invalid_lines(d))
                          : std::string();
}

// Cuts `text` to at most `max` code points, adding an ellipsis.
std::string shorten(std::string_view text, std::size_t max) {
  std::size_t points = 0;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if ((static_cast<unsigned char>(text[i]) & 0xC0U) != 0x80U) {
      if (points == max) return std::string(text.substr(0, i)) + "\u2026";
      ++points;
    }
  }
  return std::string(text);
}

// A horizontal bar chart, each label on its own line above its bar and the
// number beside the bar, all inside the SVG so a screenshot or a print carries
// them. 640 units wide: drawn 1:1 on a desktop and barely scaled at 700 px, so
// the text stays at its CSS size; no label column that could cut a label.
std::string bar_chart(const Figure& f) {
  constexpr int kWidth = 640;
  constexpr int kRow = 40;
  constexpr std::size_t kLabelChars = 76;  // 640 / (13 px * 0.62 em per character)
  const auto& bars = f.bars;
  if (bars.empty()) return "<p class=\"empty\">No data.</p>\n";
  double max = 0;
  std::size_t value_chars = 0;
  for (const auto& b : bars) {
    max = std::max(max, b.value);
    value_chars = std::max(value_chars, b.value_text.size());
  }
  const double bar_space = std::max(200.0, kWidth - 8.0 * static_cast<double>(value_chars) - 12);
  const int height = static_cast<int>(bars.size()) * kRow + 4;
  std::string out = fmt::format(
      "<svg class=\"chart\" data-chart=\"{}\" role=\"img\" aria-label=\"{}\" width=\"{}\" "
      "height=\"{}\" viewBox=\"0 0 {} {}\" xmlns=\"http://www.w3.org/2000/svg\">\n"
      "<title>{}</title>\n",
      html_escape(f.name), html_escape(f.title), kWidth, height, kWidth, height,
      html_escape(f.title));
  for (std::size_t i = 0; i < bars.size(); ++i) {
    const auto& b = bars[i];
    const int y = static_cast<int>(i) * kRow + 2;
    const double w = max > 0 ? std::max(1.0, bar_space * b.value / max) : 1.0;
    out += fmt::format(
        "<g class=\"row\"><title>{}: {}</title>"
        "<text class=\"label\" x=\"2\" y=\"{}\">{}</text>"
        "<rect class=\"bar\" x=\"0\" y=\"{}\" width=\"{:.1f}\" height=\"16\" rx=\"2\" "
        "fill=\"{}\"/>"
        "<text class=\"value\" x=\"{:.1f}\" y=\"{}\">{}</text></g>\n",
        html_escape(b.label), html_escape(b.value_text), y + 13,
        html_escape(shorten(b.label, kLabelChars)), y + 18, w, html_escape(f.colour), w + 6, y + 31,
        html_escape(b.value_text));
  }
  out += "</svg>\n";
  return out;
}

std::string bar_chart(std::string_view name, std::string_view title, std::vector<Bar> bars,
                      std::string_view colour) {
  return bar_chart(
      Figure{std::string(name), std::string(title), "", std::move(bars), std::string(colour)});
}

const Figure* figure_named(const std::vector<Figure>& figures, std::string_view name) {
  for (const auto& f : figures) {
    if (f.name == name) return &f;
  }
  return nullptr;
}

std::string chart_of(const std::vector<Figure>& figures, std::string_view name) {
  const Figure* f = figure_named(figures, name);
  return f ? bar_chart(*f) : std::string("<p class=\"empty\">No data.</p>\n");
}

std::string examples_text(const std::vector<std::string>& examples, std::uint64_t count) {
  std::string out;
  for (const auto& e : examples) {
    if (!out.empty()) out += ", ";
    out += e;
  }
  if (count > examples.size() && !examples.empty()) out += ", \u2026";
  return out;
}

std::string share_table(const std::vector<CreditRow>& rows, std::size_t n, const ReportData& d,
                        bool ids) {
  std::string out = fmt::format(
      "<table class=\"data\"><thead><tr><th>#</th><th>{}</th>{}<th>credit</th>"
      "<th>domains</th><th>share of domains with a provider</th><th>share of all "
      "domains</th></tr></thead><tbody>\n",
      ids ? "provider ID" : "company", ids ? "<th>company</th>" : "");
  for (std::size_t i = 0; i < rows.size() && i < n; ++i) {
    const auto& r = rows[i];
    out += fmt::format(
        "<tr><td>{}</td><td>{}</td>{}<td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>\n", i + 1,
        html_escape(r.key),
        ids ? fmt::format("<td>{}</td>", html_escape(r.company.empty() ? "-" : r.company)) : "",
        number(r.credit), r.domains, share(r.credit, static_cast<double>(d.domains_with_provider)),
        share(r.credit, valid_domains(d)));
  }
  out += "</tbody></table>\n";
  return out;
}

std::string kv_row(std::string_view key, std::string_view value) {
  return fmt::format("<tr><th>{}</th><td>{}</td></tr>\n", html_escape(key), html_escape(value));
}

std::string manifest_value(const ReportData& d, std::string_view key) {
  const auto v = flat_value(d.manifest, key);
  return v.empty() ? "-" : std::string(v);
}

constexpr std::string_view kCss = R"css(
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,"Liberation Sans","DejaVu Sans",sans-serif;margin:0;background:#f4f5f7;color:#1d2330}
header{background:#1f3a5f;color:#fff;padding:20px 32px}
header h1{margin:0 0 4px;font-size:26px}
header p{margin:2px 0;color:#d5e0ee;font-size:14px;overflow-wrap:anywhere}
main{padding:8px 32px 32px;max-width:1100px}
section{background:#fff;border:1px solid #dde1e7;border-radius:6px;padding:12px 20px 16px;margin:16px 0;overflow-wrap:anywhere}
h2{font-size:19px;margin:6px 0 10px;color:#1f3a5f}
h3{font-size:15px;margin:14px 0 6px}
.cards{display:flex;flex-wrap:wrap;gap:12px;margin:16px 0}
.card{background:#fff;border:1px solid #dde1e7;border-radius:6px;padding:10px 16px;min-width:150px}
.card b{display:block;font-size:24px;color:#1f3a5f}
.card span{font-size:13px;color:#5a6476}
svg.chart{display:block;max-width:100%;height:auto;margin:6px 0}
svg.chart text{font-size:13px;fill:#1d2330;font-family:inherit}
svg.chart text.value{fill:#3c4658}
table{border-collapse:collapse;font-size:13px;margin:8px 0;max-width:100%}
table.data{width:100%}
table.data th,table.data td{border-bottom:1px solid #e4e7ec;padding:3px 8px;text-align:left;overflow-wrap:break-word}
table.data td:nth-child(2),table.data td.examples,#domain-table td{overflow-wrap:anywhere}
table.data td:first-child{white-space:nowrap}
table.data td:nth-child(n+3){font-variant-numeric:tabular-nums}
table.data caption{text-align:left;font-weight:bold;padding:4px 0}
table.kv th{text-align:left;padding:2px 12px 2px 0;color:#5a6476;font-weight:normal;vertical-align:top}
table.kv td{padding:2px 0;overflow-wrap:anywhere;word-break:break-all;font-family:ui-monospace,"DejaVu Sans Mono",monospace;font-size:12px}
td.examples{font-size:12px;color:#3c4658}
#domain-search{font:inherit;font-size:14px;padding:4px 8px;width:100%;max-width:420px;box-sizing:border-box}
.sample{max-height:480px;overflow-y:auto;border:1px solid #e4e7ec}
p.note{font-size:13px;color:#5a6476}
section.warning{border-left:4px solid #c0392b;background:#fdf0ef}
.empty{color:#8a93a3}
footer{font-size:12px;color:#8a93a3;padding:0 32px 24px}
@media (max-width:760px){
header{padding:12px 12px}
header h1{font-size:22px}
main{padding:4px 8px 16px}
section{padding:8px 10px 12px}
.card{min-width:0;flex:1 1 130px}
table{font-size:12px}
table.data th,table.data td{padding:3px 4px}
footer{padding:0 12px 16px}
}
@media print{
body{background:#fff;color:#000;font-size:11pt}
header{background:none;color:#000;padding:0 0 8px;border-bottom:2px solid #000}
header p{color:#000}
main{padding:0;max-width:none}
section{border:none;border-radius:0;padding:0;margin:12px 0}
svg.chart,table.data tr,.card{break-inside:avoid}
h3{break-after:avoid}
.card{border:1px solid #000}
.sample{max-height:none;overflow:visible;border:none}
#domain-search,#domain-shown{display:none}
table.data th,table.data td{border-bottom:1px solid #999}
h2{color:#000;break-after:avoid}
footer{color:#000}
}
)css";

std::string comparison_section(const Comparison& c, std::size_t rows) {
  const auto& m = c.migration;
  std::string out = "<section id=\"comparison\"><h2>Comparison with an earlier scan</h2>\n";
  out += fmt::format(
      "<p>Earlier results: <code>{}</code>. {} domains there, {} here, {} in both; {} changed; {} "
      "domains' worth "
      "of credit moved between companies.</p>\n",
      html_escape(c.old_folder), m.old_domains, m.new_domains, m.common_domains, m.changed_domains,
      number(m.moved()));
  out +=
      "<p class=\"note\">Companies come from the providers config; <b>other</b> is every provider "
      "ID of no "
      "known company (self-hosted mail and providers the catalog does not list), <b>(no ID)</b> an "
      "MX with "
      "no provider ID, <b>(no provider)</b> a domain whose status is not ok, <b>(absent)</b> a "
      "domain "
      "missing from one scan.</p>\n";
  // Matrix over the buckets with the most credit on either side.
  std::map<std::string, double> weight;
  for (const auto& [from, row] : m.matrix) {
    for (const auto& [to, credit] : row) {
      weight[from] += credit;
      weight[to] += credit;
    }
  }
  std::vector<std::pair<std::string, double>> buckets(weight.begin(), weight.end());
  std::sort(buckets.begin(), buckets.end(), [](const auto& a, const auto& b) {
    return a.second != b.second ? a.second > b.second : a.first < b.first;
  });
  if (buckets.size() > 12) buckets.resize(12);
  out +=
      "<h3>Credit moved between companies (rows: before, columns: after)</h3>\n"
      "<table class=\"data matrix\"><thead><tr><th>from \\ to</th>";
  for (const auto& [b, w] : buckets) out += fmt::format("<th>{}</th>", html_escape(b));
  out += "</tr></thead><tbody>\n";
  for (const auto& [from, w] : buckets) {
    out += fmt::format("<tr><th>{}</th>", html_escape(from));
    for (const auto& [to, w2] : buckets) {
      double credit = 0;
      if (auto r = m.matrix.find(from); r != m.matrix.end()) {
        if (auto cell = r->second.find(to); cell != r->second.end()) credit = cell->second;
      }
      out += credit > 0 ? fmt::format("<td>{}</td>", number(credit)) : "<td></td>";
    }
    out += "</tr>\n";
  }
  out += "</tbody></table>\n";

  std::vector<Bar> gains;
  std::vector<Bar> losses;
  for (const auto& id : m.ids) {
    const double net = id.new_credit - id.old_credit;
    const std::string label = id.company.empty() ? id.id : id.id + " (" + id.company + ")";
    if (net > 1e-9 && gains.size() < rows)
      gains.push_back({label, net, fmt::format("+{}", number(net))});
    if (net < -1e-9 && losses.size() < rows)
      losses.push_back({label, -net, fmt::format("-{}", number(-net))});
  }
  out += "<h3>Largest gains per provider ID (credit)</h3>\n";
  out += bar_chart("gains", "Gains", gains, "#2e8b57");
  out += "<h3>Largest losses per provider ID (credit)</h3>\n";
  out += bar_chart("losses", "Losses", losses, "#c0392b");
  out += fmt::format("<h3>Domains that changed ({})</h3>\n", m.changes.size());
  out +=
      "<table "
      "class=\"data\"><thead><tr><th>domain</th><th>before</th><th>after</th></tr></"
      "thead><tbody>\n";
  constexpr std::size_t kShownChanges = 100;
  for (std::size_t i = 0; i < m.changes.size() && i < kShownChanges; ++i) {
    const auto& ch = m.changes[i];
    auto side = [](const std::string& status, const std::string& providers) {
      return providers.empty() ? status : fmt::format("{}: {}", status, providers);
    };
    out += fmt::format("<tr><td>{}</td><td>{}</td><td>{}</td></tr>\n", html_escape(ch.domain),
                       html_escape(side(ch.old_status, ch.old_providers)),
                       html_escape(side(ch.new_status, ch.new_providers)));
  }
  out += "</tbody></table>\n";
  if (m.changes.size() > kShownChanges) {
    out += fmt::format(
        "<p class=\"note\">{} more: see changed_domains.csv of <code>mxscan diff</code>.</p>\n",
        m.changes.size() - kShownChanges);
  }
  out += "</section>\n";
  return out;
}

// Counts with example domains for every status, DNS error cause, source,
// flag, company class, and the top companies: the answer to "which domains
// are no_smtp?" and "what is in this bar?".
std::string drill_section(const ReportData& d, std::size_t rows) {
  std::string out = fmt::format(
      "<section id=\"drill\" class=\"drill\"><h2>Drill-down</h2>\n<p class=\"note\">Counts and "
      "up to {} example domains (<code>--examples N</code>) per status, DNS error cause, "
      "inference source and flag (counted in MXes), company class and company (counted in "
      "domains).</p>\n",
      d.examples);
  out +=
      "<table class=\"data\" id=\"drill-table\"><thead><tr><th>of</th><th>value</th>"
      "<th>count</th><th>examples</th></tr></thead><tbody>\n";
  auto row = [&](std::string_view kind, std::string_view key, std::uint64_t count,
                 const std::vector<std::string>& examples) {
    out += fmt::format("<tr><td>{}</td><td>{}</td><td>{}</td><td class=\"examples\">{}</td></tr>\n",
                       html_escape(kind), html_escape(key), count,
                       html_escape(examples_text(examples, count)));
  };
  for (const auto& r : d.drill) row(r.kind, r.key, r.count, r.examples);
  // Every company of the catalog that was met; of the stand-alone IDs, those in the top rows.
  for (std::size_t i = 0; i < d.by_company.size(); ++i) {
    const auto& c = d.by_company[i];
    if (i < rows || !c.company.empty()) row("company", c.key, c.domains, c.examples);
  }
  out += "</tbody></table>\n</section>\n";
  return out;
}

// The one script of the page: filters the domain table as the reader types.
// The page's CSP allows exactly this text (its SHA-256), so nothing else can
// run, whatever the data holds; without it the box stays hidden and the
// table is whole.
constexpr std::string_view kSearchScript =
    "(function(){var i=document.getElementById('domain-search'),"
    "t=document.getElementById('domain-table'),n=document.getElementById('domain-shown');"
    "if(!i||!t)return;i.hidden=false;i.addEventListener('input',function(){"
    "var q=i.value.trim().toLowerCase(),s=0,rows=t.tBodies[0].rows;"
    "for(var k=0;k!==rows.length;++k){var m=!q||rows[k].textContent.toLowerCase().indexOf(q)>=0;"
    "rows[k].hidden=!m;if(m)++s;}n.textContent=q?s+' shown':'';});})();";

std::string script_hash() {
  Sha256 digest{};
  if (!sha256_of(kSearchScript, digest)) return {};
  return base64::encode(
      std::string_view(reinterpret_cast<const char*>(digest.data()), digest.size()));
}

// The first kDomainSample domains; the full table is report-domains.csv
// beside report.html (streamed, any size), so the page stays light for 1M
// domains. Found with the browser's find (Ctrl-F) like any text.
std::string domains_section(const ReportData& d) {
  std::string out = fmt::format(
      "<section id=\"domains\" class=\"domains\"><h2>Domains</h2>\n<p class=\"note\">The first "
      "{} of {} input lines, in input order; every domain is in <code>report-domains.csv</code> "
      "beside this file (domain, status, company class, providers).</p>\n"
      "<p><input id=\"domain-search\" type=\"search\" aria-label=\"Filter the domains\" "
      "placeholder=\"filter: domain, status, provider\" hidden> <span id=\"domain-shown\" "
      "class=\"note\"></span></p>\n"
      "<div class=\"sample\"><table class=\"data\" id=\"domain-table\"><thead><tr><th>domain</th>"
      "<th>status</th><th>providers (ID, company, credit, source, flag)</th></tr></thead><tbody>\n",
      d.domain_sample.size(), d.domains_total);
  for (const auto& r : d.domain_sample) {
    out += fmt::format("<tr><td>{}</td><td>{}</td><td>{}</td></tr>\n", html_escape(r.domain),
                       html_escape(r.status), html_escape(r.providers));
  }
  out += "</tbody></table></div>\n";
  out += fmt::format("<script>{}</script>\n</section>\n", kSearchScript);
  return out;
}

}  // namespace

std::string html_escape(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&#39;";
        break;
      default:
        out.push_back(c);
    }
  }
  return out;
}

std::string render_html(const ReportData& d, const Comparison* comparison, std::size_t rows) {
  std::string out =
      "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n"
      "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
      "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src "
      "'unsafe-inline'; script-src 'sha256-" +
      script_hash() + "'\">\n";
  out += fmt::format("<title>mxscan report: {}</title>\n<style>{}</style></head><body>\n",
                     html_escape(d.folder), kCss);
  out += fmt::format(
      "<header><h1>mxscan report</h1><p>Results folder: {}</p><p>Scan state: {} &middot; started "
      "{} &middot; ended {}</p></header>\n<main>\n",
      html_escape(d.folder), html_escape(manifest_value(d, "state")),
      html_escape(manifest_value(d, "started")), html_escape(manifest_value(d, "ended")));

  const std::uint64_t dns_errors = d.by_status[static_cast<std::size_t>(DomainOutcome::dns_error)];
  const std::string dns_sentence = dns_error_sentence(
      dns_errors, static_cast<std::uint64_t>(valid_domains(d)), d.dns_error_causes);
  if (mostly_dns_errors(dns_errors, static_cast<std::uint64_t>(valid_domains(d)))) {
    out += fmt::format(
        "<section id=\"dns-warning\" class=\"warning\"><h2>Most domains ended in DNS "
        "errors</h2><p>{}.</p></section>\n",
        html_escape(dns_sentence));
  }
  const double with = static_cast<double>(d.domains_with_provider);
  const auto figures = report_figures(d, rows);
  out += "<div class=\"cards\">";
  out += fmt::format("<div class=\"card\"><b>{}</b><span>domains{}</span></div>", valid_domains(d),
                     invalid_lines(d) ? " (" + left_out(d, "") + ")" : std::string());
  out += fmt::format("<div class=\"card\"><b>{}</b><span>with a provider ({})</span></div>",
                     d.domains_with_provider, share(with, valid_domains(d)));
  out +=
      fmt::format("<div class=\"card\"><b>{}</b><span>provider IDs</span></div>", d.by_id.size());
  if (d.has_hosts) {
    out +=
        fmt::format("<div class=\"card\"><b>{}</b><span>addresses, {} answered SMTP</span></div>",
                    d.hosts.hosts, d.hosts.live);
    out += fmt::format(
        "<div class=\"card\"><b>{}</b><span>STARTTLS offered (of live hosts)</span></div>",
        share(static_cast<double>(d.hosts.starttls_offered), static_cast<double>(d.hosts.live)));
  }
  out += "</div>\n";

  out += "<section id=\"market-company\"><h2>Provider market share by company</h2>\n";
  out +=
      "<p class=\"note\">Credit: each domain with a provider counts 1, split equally among the "
      "MXes of its primary set. A <b>company</b> is the providers config's company of a provider "
      "ID; an ID of no known company stands alone (as in <code>summary.csv</code>), and the credit "
      "of MXes without an ID is in no company (see <b>Outside the catalog</b>). Shares are of the "
      "domains with a provider.</p>\n";
  out += chart_of(figures, "company");
  out += share_table(d.by_company, rows, d, false);
  out += "</section>\n";

  out += "<section id=\"market-id\"><h2>Provider market share by provider ID</h2>\n";
  out += chart_of(figures, "id");
  out += share_table(d.by_id, rows, d, true);
  out += "</section>\n";

  out += signals_section(d, rows);

  out += "<section id=\"outside\"><h2>Outside the catalog</h2>\n";
  out +=
      "<p class=\"note\">Credit by what the provider ID is: an ID of a company in the providers "
      "config; <b>self-hosted</b>, the ID is the domain's own registered domain; an ID <b>not in "
      "the catalog</b> serving other domains; <b>no provider ID</b>.</p>\n";
  out += chart_of(figures, "classes");
  out += fmt::format(
      "<h3>Provider IDs not in the catalog: candidates to add ({})</h3>\n"
      "<p class=\"note\">IDs of no known company that serve domains other than their own, most "
      "such domains first: each is a provider configs/providers.toml could name.</p>\n",
      d.candidates.size());
  out += chart_of(figures, "candidates");
  out +=
      "<table class=\"data\" id=\"candidates\"><thead><tr><th>#</th><th>provider ID</th>"
      "<th>other domains</th><th>credit</th><th>examples</th></tr></thead><tbody>\n";
  for (std::size_t i = 0; i < d.candidates.size() && i < rows; ++i) {
    const auto& c = d.candidates[i];
    out += fmt::format(
        "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td class=\"examples\">{}</td></tr>\n",
        i + 1, html_escape(c.key), c.domains, number(c.credit),
        html_escape(examples_text(c.examples, c.domains)));
  }
  out += "</tbody></table>\n</section>\n";

  out += "<section id=\"status\"><h2>Domains by status</h2>\n";
  out += chart_of(figures, "status");
  if (dns_errors > 0) {
    out +=
        "<table class=\"data\" id=\"dns-errors\"><caption>DNS errors by cause</caption>"
        "<tr><th>cause</th><th>domains</th><th>% of all</th></tr>\n";
    for (const auto& [cause, n] : d.dns_error_causes) {
      out += fmt::format("<tr><td>{}</td><td>{}</td><td>{}</td></tr>\n", html_escape(cause), n,
                         share(static_cast<double>(n), static_cast<double>(d.domains_total)));
    }
    out += "</table>\n";
    out += fmt::format("<p class=\"note\">{}.</p>\n", html_escape(dns_sentence));
  }
  out += "</section>\n";

  out += "<section id=\"sources\"><h2>Inference sources and flags</h2>\n";
  out +=
      "<p class=\"note\">Where each provider ID came from: <b>tls</b> a trusted certificate group, "
      "<b>banner</b> the banner/EHLO name, <b>mx</b> the exchange's registered domain "
      "(docs/method.md).</p>\n";
  out += chart_of(figures, "sources");
  out +=
      "<table class=\"data\"><thead><tr><th>check</th><th>MXes</th><th>of all "
      "assignments</th></tr></thead>"
      "<tbody>\n";
  for (std::size_t i = 0; i < kFlagCount; ++i) {
    out += fmt::format("<tr><td>flagged {}</td><td>{}</td><td>{}</td></tr>\n",
                       to_string(static_cast<Flag>(i)), d.flags[i],
                       share(static_cast<double>(d.flags[i]), static_cast<double>(d.assignments)));
  }
  out += fmt::format("<tr><td>relabelled by AS</td><td>{}</td><td>{}</td></tr>\n", d.relabelled,
                     share(static_cast<double>(d.relabelled), static_cast<double>(d.assignments)));
  out += fmt::format(
      "<tr><td>no provider ID</td><td>{}</td><td>{}</td></tr>\n", d.assignments_without_id,
      share(static_cast<double>(d.assignments_without_id), static_cast<double>(d.assignments)));
  out += "</tbody></table>\n</section>\n";

  out += "<section id=\"tls\"><h2>STARTTLS and certificate trust</h2>\n";
  if (!d.has_hosts) {
    out += "<p class=\"empty\">This folder has no hosts.jsonl.</p>\n";
  } else {
    out += chart_of(figures, "tls");
    out +=
        "<h3>SMTP sessions by status</h3>\n<table "
        "class=\"data\"><thead><tr><th>status</th><th>addresses"
        "</th><th>share</th></tr></thead><tbody>\n";
    for (const auto& [status, n] : d.hosts.by_status) {
      out += fmt::format("<tr><td>{}</td><td>{}</td><td>{}</td></tr>\n", html_escape(status), n,
                         share(static_cast<double>(n), static_cast<double>(d.hosts.hosts)));
    }
    out += "</tbody></table>\n";
  }
  out += "</section>\n";

  out += "<section id=\"ases\"><h2>Top autonomous systems</h2>\n";
  if (d.ases.empty()) {
    // Blaming a missing file when one was given would hide a file that covers none of the
    // addresses.
    const std::string mmdb = manifest_value(d, "configuration.asn.mmdb");
    const std::string pfx2as = manifest_value(d, "configuration.asn.pfx2as");
    const auto given = [](const std::string& v) { return !v.empty() && v != "-"; };
    if (d.hosts.hosts == 0) {
      out += "<p class=\"empty\">No AS numbers: no address was met (see Domains by status).</p>\n";
    } else if (given(mmdb) || given(pfx2as)) {
      out += fmt::format(
          "<p class=\"empty\">No AS numbers in hosts.jsonl although an ASN source was given ({}): "
          "no contacted address matched an entry of it, and the AS checks had nothing to "
          "compare.</p>\n",
          html_escape(given(mmdb) ? mmdb : pfx2as));
    } else {
      out +=
          "<p class=\"empty\">No AS numbers in hosts.jsonl (scan without --asn-db or "
          "--pfx2as).</p>\n";
    }
  } else {
    out += chart_of(figures, "ases");
    out +=
        "<table class=\"data\" id=\"as-table\"><thead><tr><th>#</th><th>AS</th><th>name</th>"
        "<th>addresses</th><th>answered SMTP</th><th>share of addresses</th></tr></thead>"
        "<tbody>\n";
    for (std::size_t i = 0; i < d.ases.size() && i < rows; ++i) {
      const auto& a = d.ases[i];
      out += fmt::format(
          "<tr><td>{}</td><td>AS{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>\n", i + 1,
          a.asn, html_escape(a.name.empty() ? "-" : a.name), a.hosts, a.live,
          share(static_cast<double>(a.hosts), static_cast<double>(d.hosts.hosts)));
    }
    out += "</tbody></table>\n";
    out += fmt::format("<p class=\"note\">{} of {} addresses have an AS number.</p>\n",
                       d.hosts.with_asn, d.hosts.hosts);
  }
  out += "</section>\n";

  out += drill_section(d, rows);
  out += domains_section(d);

  if (comparison != nullptr) out += comparison_section(*comparison, rows);

  if (d.malformed_lines > 0) {
    out += fmt::format("<section id=\"problems\"><h2>Malformed lines skipped ({})</h2><ul>\n",
                       d.malformed_lines);
    for (const auto& p : d.problems) {
      out += fmt::format("<li><code>{}:{}</code>: {}</li>\n", html_escape(p.file), p.line,
                         html_escape(p.reason));
    }
    out += "</ul></section>\n";
  }

  out += "<section id=\"manifest\"><h2>Scan manifest</h2>\n";
  if (d.manifest.empty()) {
    out += "<p class=\"empty\">This folder has no manifest.json.</p>\n";
  } else {
    out += "<table class=\"kv\"><tbody>\n";
    for (const auto& [k, v] : d.manifest) out += kv_row(k, v);
    out += "</tbody></table>\n";
  }
  out +=
      "</section>\n</main>\n<footer>Written by <code>mxscan report</code>; self-contained: no "
      "external resource; one script, the domain filter.</footer>\n</body></html>\n";
  return out;
}

std::string render_text(const ReportData& d, std::size_t rows) {
  std::string out = fmt::format("Results folder: {}\n", d.folder);
  if (!d.manifest.empty()) {
    for (const char* key :
         {"state", "started", "ended", "domains_file", "shard", "ehlo_name", "resumes"}) {
      out += fmt::format("  {:<26} {}\n", key, manifest_value(d, key));
    }
    // Configuration highlights: data sources, rates and politeness limits.
    static const std::set<std::string_view> kHighlights = {
        "configuration.dns.resolvers[0]",   "configuration.dns.rate",
        "configuration.smtp.port",          "configuration.smtp.rate",
        "configuration.smtp.concurrency",   "configuration.smtp.per24_in_flight",
        "configuration.smtp.per24_rate",    "configuration.asn.mmdb",
        "configuration.asn.pfx2as",         "configuration.conduct.allow[0]",
        "configuration.inference.providers"};
    for (const auto& [k, v] : d.manifest) {
      if (kHighlights.contains(k) && !v.empty()) {
        out +=
            fmt::format("  {:<26} {}\n",
                        std::string_view(k).substr(std::string_view("configuration.").size()), v);
      }
    }
  } else {
    out += "  (no manifest.json)\n";
  }
  const double total = static_cast<double>(d.domains_total);
  const double with = static_cast<double>(d.domains_with_provider);
  out += fmt::format("\nDomains: {}, with a provider: {} ({}){}\n", valid_domains(d),
                     d.domains_with_provider, share(with, valid_domains(d)), left_out(d, "; "));
  for (std::size_t i = 0; i < kDomainOutcomeCount; ++i) {
    out += fmt::format("  {:<10} {:>10} {:>8}\n", to_string(static_cast<DomainOutcome>(i)),
                       d.by_status[i], share(static_cast<double>(d.by_status[i]), total));
  }
  if (const auto errors = d.by_status[static_cast<std::size_t>(DomainOutcome::dns_error)];
      errors > 0) {
    out += fmt::format("\n{}\n",
                       dns_error_sentence(errors, static_cast<std::uint64_t>(valid_domains(d)),
                                          d.dns_error_causes));
  }
  auto table = [&](std::string_view title, const std::vector<CreditRow>& rows_in) {
    out += fmt::format("\nTop {} by credit (share of domains with a provider):\n", title);
    for (std::size_t i = 0; i < rows_in.size() && i < rows; ++i) {
      const auto& r = rows_in[i];
      out += fmt::format("  {:>3}. {:<36} {:>10.2f} {:>8}{}\n", i + 1, r.key, r.credit,
                         share(r.credit, with),
                         r.company.empty() || r.company == r.key ? "" : "  " + r.company);
    }
  };
  table("companies", d.by_company);
  table("provider IDs", d.by_id);
  out += "\nOutside the catalog (credit, domains):\n";
  for (std::size_t i = 0; i < kCompanyClassCount; ++i) {
    const auto& c = d.by_class[i];
    out += fmt::format("  {:<40} {:>10.2f} {:>8} {:>8}\n", label(static_cast<CompanyClass>(i)),
                       c.credit, share(c.credit, with), c.domains);
  }
  if (!d.candidates.empty()) {
    out += "\nProvider IDs not in the catalog, candidates to add (other domains served):\n";
    for (std::size_t i = 0; i < d.candidates.size() && i < rows; ++i) {
      out += fmt::format("  {:>3}. {:<36} {:>8}\n", i + 1, d.candidates[i].key,
                         d.candidates[i].domains);
    }
  }
  out += "\nSources (credit):";
  for (std::size_t i = 0; i < kSourceCount; ++i) {
    out += fmt::format(" {} {}", to_string(static_cast<Source>(i)), number(d.credit_by_source[i]));
  }
  out += fmt::format("; flagged vps {}, unseen_as {}; relabelled by AS {}\n", d.flags[0],
                     d.flags[1], d.relabelled);
  if (d.has_hosts) {
    out += fmt::format("\nHosts: {} addresses, {} contacted, {} answered SMTP\n", d.hosts.hosts,
                       d.hosts.contacted, d.hosts.live);
    for (const auto& r : tls_rates(d.hosts)) {
      out += fmt::format("  {:<40} {:>8} ({} of {})\n", r.label,
                         share(static_cast<double>(r.part), static_cast<double>(r.whole)), r.part,
                         r.whole);
    }
    if (!d.ases.empty()) {
      out += "\nTop ASes (addresses):\n";
      for (std::size_t i = 0; i < d.ases.size() && i < rows; ++i) {
        const auto& a = d.ases[i];
        out += fmt::format("  AS{:<10} {:>8} {:>8} live  {}\n", a.asn, a.hosts, a.live, a.name);
      }
    }
  }
  if (d.malformed_lines > 0) {
    out += fmt::format("\n{} malformed lines skipped, first: {}:{}: {}\n", d.malformed_lines,
                       d.problems[0].file, d.problems[0].line, d.problems[0].reason);
  }
  return out;
}

}  // namespace mxscan
