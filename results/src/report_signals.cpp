// The report's part beside the paper's result. Why it is shaped so:
// report_signals.hpp.
#include "mxscan/results/report_signals.hpp"

#include <fmt/format.h>

#include <map>

#include "mxscan/results/report_html.hpp"

namespace mxscan {
namespace {

std::string number(double v) { return fmt::format("{:.4g}", v); }

double of(std::uint64_t n) { return static_cast<double>(n); }

// By MX and by mailbox side by side, keyed by company, in by-mailbox order.
struct SideBySide {
  std::string key;
  double mx = 0, mailbox = 0;
};

std::vector<SideBySide> side_by_side(const SignalSummary& s) {
  std::map<std::string, double> mx;
  for (const auto& r : s.by_mx) mx[r.key] = r.credit;
  std::vector<SideBySide> out;
  for (const auto& r : s.by_mailbox) out.push_back({r.key, mx[r.key], r.credit});
  for (const auto& r : s.by_mx) {
    bool seen = false;
    for (const auto& o : out) seen = seen || o.key == r.key;
    if (!seen) out.push_back({r.key, r.credit, 0});
  }
  return out;
}

std::string mta_sts_text(const InboundSignalRow& r) {
  return fmt::format("{} ({} enforce, {} testing)", percent(of(r.mta_sts_txt), of(r.domains)),
                     r.mta_sts_enforce, r.mta_sts_testing);
}

}  // namespace

std::string signals_section(const ReportData& d, std::size_t rows) {
  if (!d.signals) return {};
  const auto& s = *d.signals;
  std::string out =
      "<section id=\"beyond-mx\"><h2>Beyond the MX: gateways and mailboxes</h2>\n<p "
      "class=\"note\">From records the domains publish themselves (SPF, MTA-STS, TLS-RPT, DMARC, "
      "TLSA), beside the paper's result and never changing it (docs/method.md, \"Beyond the "
      "paper\"). Over the ";
  out += fmt::format(
      "{} domains with a provider and signals: <b>{}</b> are behind a filtering gateway ({}), and "
      "the SPF record of {} of those names a mailbox provider. SPF names senders, not mailboxes: "
      "read <b>by mailbox</b> as the best public evidence, not as ground truth.</p>\n",
      s.domains, s.behind_gateway, percent(of(s.behind_gateway), of(s.domains)),
      s.gateway_with_mailbox);
  out +=
      "<h3>Gateway x mailbox</h3>\n<table class=\"data\" id=\"gateway-mailbox\"><thead><tr>"
      "<th>gateway</th><th>mailbox (SPF)</th><th>domains</th><th>credit</th></tr></thead><tbody>\n";
  for (std::size_t i = 0; i < s.gateway_mailbox.size() && i < rows; ++i) {
    const auto& c = s.gateway_mailbox[i];
    out += fmt::format(
        "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>\n", html_escape(c.gateway),
        c.mailbox.empty() ? "(none named)" : html_escape(c.mailbox), c.domains, number(c.credit));
  }
  out += "</tbody></table>\n";
  out +=
      "<h3>Market share by mailbox next to by MX</h3>\n<table class=\"data\" "
      "id=\"by-mailbox\"><thead><tr><th>company</th><th>by MX</th><th>by mailbox</th></tr>"
      "</thead><tbody>\n";
  const auto rows_mb = side_by_side(s);
  for (std::size_t i = 0; i < rows_mb.size() && i < rows; ++i) {
    const auto& r = rows_mb[i];
    out += fmt::format("<tr><td>{}</td><td>{}</td><td>{}</td></tr>\n", html_escape(r.key),
                       percent(r.mx, of(s.domains)), percent(r.mailbox, of(s.domains)));
  }
  out += "</tbody></table>\n";
  out +=
      "<h3>Per inbound company</h3>\n<table class=\"data\" id=\"inbound-signals\"><thead><tr>"
      "<th>company</th><th>domains</th><th>SPF agrees</th><th>MTA-STS</th><th>TLS-RPT</th>"
      "<th>DANE</th></tr></thead><tbody>\n";
  for (std::size_t i = 0; i < s.by_inbound.size() && i < rows; ++i) {
    const auto& r = s.by_inbound[i];
    out += fmt::format(
        "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>\n",
        html_escape(r.key), r.domains, percent(of(r.spf_agree), of(r.spf_compared)),
        mta_sts_text(r), percent(of(r.tls_rpt), of(r.domains)), percent(of(r.dane), of(r.domains)));
  }
  out += "</tbody></table>\n</section>\n";
  return out;
}

void append_signal_tables(const ReportData& d, std::size_t rows, std::vector<NamedTable>& out) {
  if (!d.signals) return;
  const auto& s = *d.signals;
  LatexTable mailbox{
      "Market share by mailbox next to by MX (share of the domains with a provider and signals); "
      "mxscan report",
      {"#", "Company", "By MX", "By mailbox"},
      "rlrr",
      {}};
  const auto rows_mb = side_by_side(s);
  for (std::size_t i = 0; i < rows_mb.size() && i < rows; ++i) {
    mailbox.rows.push_back({std::to_string(i + 1), rows_mb[i].key,
                            percent(rows_mb[i].mx, of(s.domains)),
                            percent(rows_mb[i].mailbox, of(s.domains))});
  }
  out.push_back({"mailbox", std::move(mailbox)});
  LatexTable matrix{
      "Domains behind a filtering gateway by the mailbox company their SPF names; "
      "mxscan report",
      {"Gateway", "Mailbox", "Domains", "Credit"},
      "llrr",
      {}};
  for (std::size_t i = 0; i < s.gateway_mailbox.size() && i < rows; ++i) {
    const auto& c = s.gateway_mailbox[i];
    matrix.rows.push_back({c.gateway, c.mailbox.empty() ? "--" : c.mailbox,
                           std::to_string(c.domains), number(c.credit)});
  }
  out.push_back({"gateway_mailbox", std::move(matrix)});
  LatexTable inbound{
      "Per inbound company: SPF agreement and MTA-STS, TLS-RPT and DANE adoption; mxscan report",
      {"Company", "Domains", "SPF agrees", "MTA-STS", "Enforce", "TLS-RPT", "DANE"},
      "lrrrrrr",
      {}};
  for (std::size_t i = 0; i < s.by_inbound.size() && i < rows; ++i) {
    const auto& r = s.by_inbound[i];
    inbound.rows.push_back(
        {r.key, std::to_string(r.domains), percent(of(r.spf_agree), of(r.spf_compared)),
         percent(of(r.mta_sts_txt), of(r.domains)), std::to_string(r.mta_sts_enforce),
         percent(of(r.tls_rpt), of(r.domains)), percent(of(r.dane), of(r.domains))});
  }
  out.push_back({"inbound_signals", std::move(inbound)});
}

}  // namespace mxscan
