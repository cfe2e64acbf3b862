// What a domain's own records say beyond its MX (docs/method.md, "Beyond the
// paper"): SPF companies, MTA-STS, TLS-RPT, DMARC and DANE facts, and what they
// add to the paper's result (gateway, mailbox, agreement).
//
// Design note. The facts are a pure function of one domain's observation, the
// catalog and the PSL, so a batch computes them at add() and a streaming reader
// can compute them per domain in any pass: nothing batch-wide enters. Only the
// derived view needs the inbound companies, known once the paper's method has
// run; it never changes that result, it sits beside it.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "mxscan/common/observation.hpp"
#include "mxscan/inference/catalog.hpp"

namespace mxscan {

class PublicSuffixList;
struct DomainResult;

// A catalog company reached through a domain's SPF record.
struct SpfCompany {
  std::string company;
  CompanyKind kind = CompanyKind::other;
  std::string include;  // the first reached name that names the company
  bool operator==(const SpfCompany&) const = default;
};

struct SpfFacts {
  std::string result;                 // ok | none | permerror | temperror
  std::string error;                  // detail of a permerror/temperror
  std::string record;                 // the domain's v=spf1 record ("" if none)
  std::vector<SpfCompany> companies;  // in the order their names were reached
  bool operator==(const SpfFacts&) const = default;
};

struct MtaStsFacts {
  std::string id;  // "" when no v=STSv1 record
  // Set only when the policy was fetched (--mta-sts).
  std::optional<std::string> policy_status;
  std::string mode;  // of an "ok" policy
  bool covers_mx = false;
  bool operator==(const MtaStsFacts&) const = default;
};

struct TlsRptFacts {
  bool record = false;
  std::vector<std::string> rua_domains;  // registered domains of the rua URIs, sorted, unique
  bool operator==(const TlsRptFacts&) const = default;
};

struct DmarcFacts {
  std::string policy;  // p= ("" when no record)
  bool record = false;
  std::vector<std::string> rua_domains;
  std::vector<std::string> ruf_domains;
  bool operator==(const DmarcFacts&) const = default;
};

struct DaneFacts {
  std::uint32_t exchanges = 0;  // primary exchanges whose TLSA was asked
  std::uint32_t with_tlsa = 0;  // of which publish TLSA records
  bool authenticated = false;   // every exchange with TLSA had the AD bit
  bool operator==(const DaneFacts&) const = default;
};

struct SignalFacts {
  std::optional<SpfFacts> spf;  // each unset when that signal was not collected
  std::optional<MtaStsFacts> mta_sts;
  std::optional<TlsRptFacts> tls_rpt;
  std::optional<DmarcFacts> dmarc;
  std::optional<DaneFacts> dane;
  bool operator==(const SignalFacts&) const = default;
};

// nullopt when the observation carries no signals (not collected).
std::optional<SignalFacts> signal_facts(const DomainObs& domain, const Catalog& catalog,
                                        const PublicSuffixList& psl);

// Registered domain of a report URI (mailto:a@b.example!10m, https://host/path);
// "" when it has none.
std::string report_uri_domain(std::string_view uri, const PublicSuffixList& psl);

// A company of the domain's providers (the paper's result) with its catalog kind.
struct InboundCompany {
  std::string company;
  CompanyKind kind = CompanyKind::other;
  bool operator==(const InboundCompany&) const = default;
};

// The facts read beside the paper's result of one domain.
struct SignalView {
  SignalFacts facts;
  // The companies of the providers, in provider order, once each (set with gateway).
  std::vector<InboundCompany> inbound;
  // Set when the domain has inbound companies (status ok): true when one of them
  // is of kind filtering.
  std::optional<bool> gateway;
  // Mailbox-kind companies of the SPF facts; set with them.
  std::optional<std::vector<SpfCompany>> mailbox;
  // Set when the SPF record was followed without error and the domain has an
  // inbound company: whether the SPF companies include one of them.
  std::optional<bool> agreement;
  bool operator==(const SignalView&) const = default;
};

// `inbound`: the companies of the domain's providers (empty: none known);
// `has_inbound`: the domain got a result with providers.
SignalView signal_view(SignalFacts facts, const std::vector<std::string>& inbound, bool has_inbound,
                       const Catalog& catalog);

}  // namespace mxscan

namespace mxscan {

// Sets result.signals from the facts and the result's own providers (their
// companies are the inbound companies); the paper's fields are left as they are.
void attach_signals(DomainResult& result, SignalFacts facts, const Catalog& catalog);

}  // namespace mxscan
