// The signals part of summary.json and summary.csv. Why it is shaped so:
// signal_summary_report.hpp.
#include "mxscan/results/signal_summary_report.hpp"

#include "mxscan/common/json_text.hpp"
#include "mxscan/results/csv_text.hpp"

namespace mxscan {
namespace {

using json::append_key;

void append_rows(std::string& out, const std::vector<SignalShareRow>& rows) {
  json::append_array(out, rows, [](std::string& o, const SignalShareRow& r) {
    o.append("\n {\"key\":");
    json::append_string(o, r.key);
    append_key(o, "credit");
    json::append_double(o, r.credit);
    append_key(o, "domains");
    json::append_uint(o, r.domains);
    append_key(o, "share");
    json::append_double(o, r.share);
    o.push_back('}');
  });
}

double rate(std::uint64_t n, std::uint64_t d) {
  return d == 0 ? 0 : static_cast<double>(n) / static_cast<double>(d);
}

}  // namespace

void append_signal_summary_json(std::string& out, const SignalSummary& s) {
  out.append("{\"domains\":");
  json::append_uint(out, s.domains);
  append_key(out, "behind_gateway");
  json::append_uint(out, s.behind_gateway);
  append_key(out, "gateway_share");
  json::append_double(out, s.gateway_share);
  append_key(out, "gateway_with_mailbox");
  json::append_uint(out, s.gateway_with_mailbox);
  append_key(out, "gateway_mailbox");
  json::append_array(out, s.gateway_mailbox, [](std::string& o, const GatewayMailboxCell& c) {
    o.append("\n {\"gateway\":");
    json::append_string(o, c.gateway);
    append_key(o, "mailbox");
    json::append_string_or_null(o, c.mailbox);
    append_key(o, "credit");
    json::append_double(o, c.credit);
    append_key(o, "domains");
    json::append_uint(o, c.domains);
    o.push_back('}');
  });
  append_key(out, "by_mx");
  append_rows(out, s.by_mx);
  append_key(out, "by_mailbox");
  append_rows(out, s.by_mailbox);
  append_key(out, "by_inbound");
  json::append_array(out, s.by_inbound, [](std::string& o, const InboundSignalRow& r) {
    o.append("\n {\"key\":");
    json::append_string(o, r.key);
    append_key(o, "domains");
    json::append_uint(o, r.domains);
    append_key(o, "spf_compared");
    json::append_uint(o, r.spf_compared);
    append_key(o, "spf_agree");
    json::append_uint(o, r.spf_agree);
    append_key(o, "spf_agreement_rate");
    json::append_double(o, rate(r.spf_agree, r.spf_compared));
    append_key(o, "mta_sts");
    o.append("{\"txt\":");
    json::append_uint(o, r.mta_sts_txt);
    append_key(o, "enforce");
    json::append_uint(o, r.mta_sts_enforce);
    append_key(o, "testing");
    json::append_uint(o, r.mta_sts_testing);
    append_key(o, "none");
    json::append_uint(o, r.mta_sts_none);
    o.push_back('}');
    append_key(o, "tls_rpt");
    json::append_uint(o, r.tls_rpt);
    append_key(o, "dmarc");
    json::append_uint(o, r.dmarc);
    append_key(o, "dane");
    json::append_uint(o, r.dane);
    o.push_back('}');
  });
  out.push_back('}');
}

// The file's denominators, so a mailbox row reads like a company row.
void append_signal_summary_csv(std::string& out, const SignalSummary& s,
                               std::uint64_t domains_with_provider, std::uint64_t domains_total) {
  auto tail = [&](double credit, std::uint64_t domains) {
    out.push_back(',');
    json::append_double(out, credit);
    out.push_back(',');
    json::append_uint(out, domains);
    out.push_back(',');
    json::append_double(
        out, (domains_with_provider ? credit / static_cast<double>(domains_with_provider) : 0));
    out.push_back(',');
    json::append_double(out, domains_total ? credit / static_cast<double>(domains_total) : 0);
    out.push_back(',');
    json::append_uint(out, domains_with_provider);
    out.push_back(',');
    json::append_uint(out, domains_total);
    out.push_back('\n');
  };
  for (const auto& r : s.by_mailbox) {
    out.append("mailbox,");
    append_csv_field(out, r.key);
    out.push_back(',');
    tail(r.credit, r.domains);
  }
  for (const auto& c : s.gateway_mailbox) {
    out.append("gateway_mailbox,");
    append_csv_field(out, c.gateway);
    out.push_back(',');
    append_csv_field(out, c.mailbox);
    tail(c.credit, c.domains);
  }
}

}  // namespace mxscan
