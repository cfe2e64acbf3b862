#include "mxscan/inference/result.hpp"

#include <algorithm>
#include <utility>

#include "mxscan/inference/catalog.hpp"
#include "mxscan/inference/dns_errors.hpp"

namespace mxscan {

namespace {
constexpr std::array<std::string_view, kDomainOutcomeCount> kOutcomeNames = {
    "ok", "no_mx", "null_mx", "nxdomain", "dns_error", "no_smtp", "blocked", "invalid"};

bool by_credit_then_key(const ShareRow& a, const ShareRow& b) {
  if (a.credit != b.credit) return a.credit > b.credit;
  if (a.key != b.key) return a.key < b.key;
  return a.known_company > b.known_company;  // a company named like an ID: company first
}
}  // namespace

std::string_view to_string(DomainOutcome o) noexcept {
  auto i = static_cast<std::size_t>(o);
  return i < kOutcomeNames.size() ? kOutcomeNames[i] : std::string_view("invalid");
}

std::string_view to_string(Source s) noexcept {
  switch (s) {
    case Source::tls:
      return "tls";
    case Source::banner:
      return "banner";
    case Source::mx:
      return "mx";
  }
  return "mx";
}

std::string_view to_string(Flag f) noexcept {
  switch (f) {
    case Flag::vps:
      return "vps";
    case Flag::unseen_as:
      return "unseen_as";
  }
  return "vps";
}

std::optional<DomainOutcome> parse_domain_outcome(std::string_view s) noexcept {
  for (std::size_t i = 0; i < kOutcomeNames.size(); ++i) {
    if (kOutcomeNames[i] == s) return static_cast<DomainOutcome>(i);
  }
  return std::nullopt;
}

SummaryBuilder::SummaryBuilder(const Catalog& catalog) : catalog_(&catalog) {}

void SummaryBuilder::credit(Table& table, std::string_view key, double amount) {
  auto it = table.find(key);
  if (it == table.end()) it = table.emplace(std::string(key), Acc{}).first;
  it->second.credit += amount;
  ++it->second.domains;
}

void SummaryBuilder::add(const DomainResult& result) {
  ++base_.domains_total;
  ++base_.by_status[static_cast<std::size_t>(result.status)];
  if (result.status == DomainOutcome::dns_error) ++base_.dns_error_causes[dns_error_cause(result)];
  signals_.add(result);
  if (result.status != DomainOutcome::ok || result.providers.empty()) return;
  ++base_.domains_with_provider;
  // Credit per ID and per company of this domain (an ID may sit on several MXes,
  // a company may own several IDs): each counts the domain once.
  std::vector<std::pair<std::string_view, double>> ids;
  std::vector<std::pair<std::string_view, double>> companies;
  auto add_to = [](auto& list, std::string_view key, double amount) {
    auto it = std::find_if(list.begin(), list.end(), [&](const auto& e) { return e.first == key; });
    if (it == list.end()) {
      list.emplace_back(key, amount);
    } else {
      it->second += amount;
    }
  };
  for (const auto& p : result.providers) {
    if (p.flag) ++base_.flagged_assignments;
    if (p.id.empty()) {
      base_.credit_without_id += p.credit;
      continue;
    }
    add_to(ids, p.id, p.credit);
    if (auto company = catalog_->company_of(p.id)) add_to(companies, *company, p.credit);
  }
  for (const auto& [id, amount] : ids) credit(ids_, id, amount);
  for (const auto& [company, amount] : companies) credit(companies_, company, amount);
}

Summary SummaryBuilder::build() {
  Summary s = base_;
  s.signals = signals_.build();
  auto row_of = [&](std::string key, bool known, const Acc& acc) {
    ShareRow row{std::move(key), known, acc.credit, acc.domains, 0, 0};
    row.share_of_with_provider =
        s.domains_with_provider ? row.credit / static_cast<double>(s.domains_with_provider) : 0;
    row.share_of_all = s.domains_total ? row.credit / static_cast<double>(s.domains_total) : 0;
    return row;
  };
  s.by_id.reserve(ids_.size());
  for (auto it = ids_.begin(); it != ids_.end(); it = ids_.erase(it)) {
    const auto& [id, acc] = *it;
    if (!catalog_->company_of(id)) s.by_company.push_back(row_of(id, false, acc));
    s.by_id.push_back(row_of(id, false, acc));
  }
  for (const auto& [company, acc] : companies_) s.by_company.push_back(row_of(company, true, acc));
  companies_.clear();
  std::sort(s.by_id.begin(), s.by_id.end(), by_credit_then_key);
  std::sort(s.by_company.begin(), s.by_company.end(), by_credit_then_key);
  return s;
}

Summary summarise(const Results& results, const Catalog& catalog) {
  SummaryBuilder builder(catalog);
  for (const auto& r : results.domains) builder.add(r);
  return builder.build();
}

}  // namespace mxscan
