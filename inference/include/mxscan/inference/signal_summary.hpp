// The batch aggregation of the signals beside the paper's result (summary.json,
// summary.csv, report): gateway share, gateway x mailbox matrix, market share by
// mailbox next to by MX, and per inbound company SPF agreement and MTA-STS,
// TLS-RPT, DMARC and DANE adoption.
//
// Design note. Streams like SummaryBuilder (one result at a time, tables keyed
// by company) and counts only domains with providers and observed signals, so
// every rate has one denominator: `domains`. A domain behind a filtering gateway
// whose SPF names mailbox companies gives its gateway's credit to them in
// by_mailbox (split evenly); every other credit stays with the MX's company, so
// by_mailbox and by_mx add up to the same total.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace mxscan {

struct DomainResult;

struct SignalShareRow {
  std::string key;  // company, or provider ID of no company
  double credit = 0;
  std::uint64_t domains = 0;
  double share = 0;  // credit / SignalSummary::domains
  bool operator==(const SignalShareRow&) const = default;
};

struct GatewayMailboxCell {
  std::string gateway;
  std::string mailbox;  // "" when the SPF record names no mailbox company
  double credit = 0;
  std::uint64_t domains = 0;
  bool operator==(const GatewayMailboxCell&) const = default;
};

// Per inbound company (each domain counted once per company among its providers).
struct InboundSignalRow {
  std::string key;
  std::uint64_t domains = 0;
  std::uint64_t spf_compared = 0;  // agreement set
  std::uint64_t spf_agree = 0;
  std::uint64_t mta_sts_txt = 0;                                             // a v=STSv1 record
  std::uint64_t mta_sts_enforce = 0, mta_sts_testing = 0, mta_sts_none = 0;  // policy mode
  std::uint64_t tls_rpt = 0;
  std::uint64_t dmarc = 0;
  std::uint64_t dane = 0;  // a primary exchange publishes TLSA
  bool operator==(const InboundSignalRow&) const = default;
};

struct SignalSummary {
  std::uint64_t domains = 0;  // status ok, with signals: the denominator
  std::uint64_t behind_gateway = 0;
  std::uint64_t gateway_with_mailbox = 0;           // of them, SPF names a mailbox company
  double gateway_share = 0;                         // behind_gateway / domains
  std::vector<GatewayMailboxCell> gateway_mailbox;  // by credit desc, then names
  std::vector<SignalShareRow> by_mx;                // the same domains, by MX company
  std::vector<SignalShareRow> by_mailbox;
  std::vector<InboundSignalRow> by_inbound;  // by domains desc, then key
  bool operator==(const SignalSummary&) const = default;
};

class SignalSummaryBuilder {
 public:
  // Kinds come from each result's SignalView::inbound: no catalog needed, so
  // `mxscan report` aggregates a providers.jsonl alone.
  void add(const DomainResult& result);
  // nullopt when no domain with providers carried signals.
  std::optional<SignalSummary> build() const;

 private:
  struct Acc {
    double credit = 0;
    std::uint64_t domains = 0;
  };
  SignalSummary base_;
  std::map<std::string, Acc, std::less<>> by_mx_, by_mailbox_;
  std::map<std::pair<std::string, std::string>, Acc> cells_;
  std::map<std::string, InboundSignalRow, std::less<>> inbound_;
};

}  // namespace mxscan
