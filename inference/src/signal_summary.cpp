// Aggregation of the signals beside the paper's result. Why it is shaped so:
// signal_summary.hpp.
#include "mxscan/inference/signal_summary.hpp"

#include <algorithm>

#include "mxscan/inference/catalog.hpp"
#include "mxscan/inference/result.hpp"

namespace mxscan {
namespace {

bool is_filtering(const SignalView& v, const std::optional<std::string>& company) {
  if (!company) return false;
  for (const auto& c : v.inbound) {
    if (c.company == *company) return c.kind == CompanyKind::filtering;
  }
  return false;
}

template <typename List>
void add_once(List& list, std::string_view key) {
  if (std::find(list.begin(), list.end(), key) == list.end()) list.emplace_back(key);
}

}  // namespace

void SignalSummaryBuilder::add(const DomainResult& result) {
  if (!result.signals || result.status != DomainOutcome::ok || result.providers.empty()) return;
  const auto& v = *result.signals;
  ++base_.domains;
  std::vector<std::string_view> keys, gateways, mailboxes_seen, mx_seen;
  std::vector<std::string_view> mailboxes;
  if (v.mailbox) {
    for (const auto& m : *v.mailbox) add_once(mailboxes, m.company);
  }
  for (const auto& p : result.providers) {
    if (p.id.empty()) continue;
    const std::string_view key = p.company ? std::string_view(*p.company) : std::string_view(p.id);
    add_once(keys, key);
    auto& mx = by_mx_[std::string(key)];
    mx.credit += p.credit;
    if (std::find(mx_seen.begin(), mx_seen.end(), key) == mx_seen.end()) {
      ++mx.domains;
      mx_seen.push_back(key);
    }
    const bool gateway = is_filtering(v, p.company);
    if (gateway) add_once(gateways, key);
    if (gateway && !mailboxes.empty()) {
      const double part = p.credit / static_cast<double>(mailboxes.size());
      for (auto m : mailboxes) {
        auto& acc = by_mailbox_[std::string(m)];
        acc.credit += part;
        if (std::find(mailboxes_seen.begin(), mailboxes_seen.end(), m) == mailboxes_seen.end()) {
          ++acc.domains;
          mailboxes_seen.push_back(m);
        }
      }
    } else {
      auto& acc = by_mailbox_[std::string(key)];
      acc.credit += p.credit;
      if (std::find(mailboxes_seen.begin(), mailboxes_seen.end(), key) == mailboxes_seen.end()) {
        ++acc.domains;
        mailboxes_seen.push_back(key);
      }
    }
  }
  if (!gateways.empty()) {
    ++base_.behind_gateway;
    if (!mailboxes.empty()) ++base_.gateway_with_mailbox;
    const std::vector<std::string_view> none{std::string_view()};
    const auto& ms = mailboxes.empty() ? none : mailboxes;
    const double part = 1.0 / static_cast<double>(gateways.size() * ms.size());
    for (auto g : gateways) {
      for (auto m : ms) {
        auto& cell = cells_[{std::string(g), std::string(m)}];
        cell.credit += part;
        ++cell.domains;
      }
    }
  }
  const auto& f = v.facts;
  for (auto key : keys) {
    auto it = inbound_.find(key);
    if (it == inbound_.end()) it = inbound_.emplace(std::string(key), InboundSignalRow{}).first;
    auto& row = it->second;
    ++row.domains;
    if (v.agreement) {
      ++row.spf_compared;
      if (*v.agreement) ++row.spf_agree;
    }
    if (f.mta_sts && !f.mta_sts->id.empty()) {
      ++row.mta_sts_txt;
      if (f.mta_sts->policy_status == "ok") {
        if (f.mta_sts->mode == "enforce") ++row.mta_sts_enforce;
        if (f.mta_sts->mode == "testing") ++row.mta_sts_testing;
        if (f.mta_sts->mode == "none") ++row.mta_sts_none;
      }
    }
    if (f.tls_rpt && f.tls_rpt->record) ++row.tls_rpt;
    if (f.dmarc && f.dmarc->record) ++row.dmarc;
    if (f.dane && f.dane->with_tlsa > 0) ++row.dane;
  }
}

std::optional<SignalSummary> SignalSummaryBuilder::build() const {
  if (base_.domains == 0) return std::nullopt;
  SignalSummary s = base_;
  const auto n = static_cast<double>(s.domains);
  s.gateway_share = static_cast<double>(s.behind_gateway) / n;
  auto rows = [&](const auto& table) {
    std::vector<SignalShareRow> out;
    out.reserve(table.size());
    for (const auto& [key, acc] : table)
      out.push_back({key, acc.credit, acc.domains, acc.credit / n});
    std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) {
      return a.credit != b.credit ? a.credit > b.credit : a.key < b.key;
    });
    return out;
  };
  s.by_mx = rows(by_mx_);
  s.by_mailbox = rows(by_mailbox_);
  s.gateway_mailbox.reserve(cells_.size());
  for (const auto& [k, acc] : cells_) {
    s.gateway_mailbox.push_back({k.first, k.second, acc.credit, acc.domains});
  }
  std::sort(s.gateway_mailbox.begin(), s.gateway_mailbox.end(), [](const auto& a, const auto& b) {
    if (a.credit != b.credit) return a.credit > b.credit;
    return std::tie(a.gateway, a.mailbox) < std::tie(b.gateway, b.mailbox);
  });
  s.by_inbound.reserve(inbound_.size());
  for (const auto& [key, row] : inbound_) {
    s.by_inbound.push_back(row);
    s.by_inbound.back().key = key;
  }
  std::stable_sort(s.by_inbound.begin(), s.by_inbound.end(),
                   [](const auto& a, const auto& b) { return a.domains > b.domains; });
  return s;
}

}  // namespace mxscan
