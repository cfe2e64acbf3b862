// The facts of one domain's signals and the view beside the paper's result.
// Why it is shaped so: signal_facts.hpp.
#include "mxscan/inference/signal_facts.hpp"

#include <algorithm>
#include <utility>

#include "mxscan/common/names.hpp"
#include "mxscan/inference/result.hpp"

namespace mxscan {
namespace {

std::vector<std::string> uri_domains(const std::vector<std::string>& uris,
                                     const PublicSuffixList& psl) {
  std::vector<std::string> out;
  for (const auto& u : uris) {
    auto rd = report_uri_domain(u, psl);
    if (!rd.empty()) out.push_back(std::move(rd));
  }
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

bool starts_with_nocase(std::string_view s, std::string_view prefix) {
  if (s.size() < prefix.size()) return false;
  for (std::size_t i = 0; i < prefix.size(); ++i) {
    char c = s[i];
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    if (c != prefix[i]) return false;
  }
  return true;
}

}  // namespace

std::string report_uri_domain(std::string_view uri, const PublicSuffixList& psl) {
  std::string_view host;
  if (starts_with_nocase(uri, "mailto:")) {
    uri.remove_prefix(7);
    const auto at = uri.rfind('@');
    if (at == std::string_view::npos) return {};
    host = uri.substr(at + 1);
    // RFC 7489 6.2: a size limit may follow the address after '!'.
    host = host.substr(0, host.find('!'));
  } else if (starts_with_nocase(uri, "https://")) {
    uri.remove_prefix(8);
    host = uri.substr(0, uri.find_first_of("/:?#"));
  } else {
    return {};
  }
  return psl.registered_domain(host);
}

std::optional<SignalFacts> signal_facts(const DomainObs& domain, const Catalog& catalog,
                                        const PublicSuffixList& psl) {
  if (!domain.signals) return std::nullopt;
  const auto& s = *domain.signals;
  SignalFacts f;
  if (s.spf.status != DnsStatus::not_queried) {
    SpfFacts spf;
    spf.result = s.spf.result;
    spf.error = s.spf.error;
    spf.record = s.spf.record;
    for (const auto& name : s.spf.reached) {
      const auto index = catalog.spf_company(name);
      if (!index) continue;
      const auto& c = catalog.companies()[*index];
      const bool seen = std::any_of(spf.companies.begin(), spf.companies.end(),
                                    [&](const SpfCompany& x) { return x.company == c.name; });
      if (!seen) spf.companies.push_back(SpfCompany{c.name, c.kind, name});
    }
    f.spf = std::move(spf);
  }
  if (s.mta_sts.status != DnsStatus::not_queried) {
    MtaStsFacts m;
    m.id = s.mta_sts.record.empty() ? std::string() : s.mta_sts.id;
    if (s.mta_sts.policy) {
      m.policy_status = s.mta_sts.policy->status;
      if (s.mta_sts.policy->status == "ok") {
        m.mode = s.mta_sts.policy->mode;
        m.covers_mx = s.mta_sts.policy->covers_mx;
      }
    }
    f.mta_sts = std::move(m);
  }
  if (s.tls_rpt.status != DnsStatus::not_queried) {
    f.tls_rpt = TlsRptFacts{!s.tls_rpt.record.empty(), uri_domains(s.tls_rpt.rua, psl)};
  }
  if (s.dmarc.status != DnsStatus::not_queried) {
    f.dmarc =
        DmarcFacts{s.dmarc.record.empty() ? std::string() : s.dmarc.policy, !s.dmarc.record.empty(),
                   uri_domains(s.dmarc.rua, psl), uri_domains(s.dmarc.ruf, psl)};
  }
  DaneFacts dane;
  bool all_ad = true;
  for (const auto& mx : domain.mx) {
    if (!mx.tlsa || mx.tlsa->status == DnsStatus::not_queried) continue;
    ++dane.exchanges;
    if (!mx.tlsa->records.empty()) {
      ++dane.with_tlsa;
      all_ad = all_ad && mx.tlsa->authenticated;
    }
  }
  if (dane.exchanges > 0) {
    dane.authenticated = dane.with_tlsa > 0 && all_ad;
    f.dane = dane;
  }
  return f;
}

SignalView signal_view(SignalFacts facts, const std::vector<std::string>& inbound, bool has_inbound,
                       const Catalog& catalog) {
  SignalView v;
  v.facts = std::move(facts);
  if (has_inbound) {
    bool gateway = false;
    for (const auto& name : inbound) {
      InboundCompany in{name, CompanyKind::other};
      for (const auto& c : catalog.companies()) {
        if (c.name == name) in.kind = c.kind;
      }
      gateway = gateway || in.kind == CompanyKind::filtering;
      v.inbound.push_back(std::move(in));
    }
    v.gateway = gateway;
  }
  if (v.facts.spf) {
    std::vector<SpfCompany> mailbox;
    for (const auto& c : v.facts.spf->companies) {
      if (c.kind == CompanyKind::mailbox) mailbox.push_back(c);
    }
    v.mailbox = std::move(mailbox);
    if (v.facts.spf->result == "ok" && !inbound.empty()) {
      v.agreement = std::any_of(inbound.begin(), inbound.end(), [&](const std::string& name) {
        return std::any_of(v.facts.spf->companies.begin(), v.facts.spf->companies.end(),
                           [&](const SpfCompany& c) { return c.company == name; });
      });
    }
  }
  return v;
}

void attach_signals(DomainResult& result, SignalFacts facts, const Catalog& catalog) {
  std::vector<std::string> inbound;
  for (const auto& p : result.providers) {
    if (p.company && std::find(inbound.begin(), inbound.end(), *p.company) == inbound.end())
      inbound.push_back(*p.company);
  }
  result.signals =
      signal_view(std::move(facts), inbound, result.status == DomainOutcome::ok, catalog);
}

}  // namespace mxscan
