#include "mxscan/inference/result.hpp"

#include <algorithm>

#include "mxscan/inference/catalog.hpp"

namespace mxscan::inference {

namespace {
constexpr std::array<std::string_view, kDomainOutcomeCount> kOutcomeNames = {
    "ok", "no_mx", "null_mx", "nxdomain", "dns_error", "no_smtp", "blocked", "invalid"};

bool by_credit_then_key(const ShareRow& a, const ShareRow& b) {
  if (a.credit != b.credit) return a.credit > b.credit;
  return a.key < b.key;
}
}  // namespace

std::string_view to_string(DomainOutcome o) noexcept {
  auto i = static_cast<std::size_t>(o);
  return i < kOutcomeNames.size() ? kOutcomeNames[i] : std::string_view("invalid");
}

std::string_view to_string(Source s) noexcept {
  switch (s) {
    case Source::tls: return "tls";
    case Source::banner: return "banner";
    case Source::mx: return "mx";
  }
  return "mx";
}

std::string_view to_string(Flag f) noexcept {
  switch (f) {
    case Flag::vps: return "vps";
    case Flag::unseen_as: return "unseen_as";
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

void SummaryBuilder::add(const DomainResult& result) {
  ++base_.domains_total;
  ++base_.by_status[static_cast<std::size_t>(result.status)];
  if (result.status != DomainOutcome::ok || result.providers.empty()) return;
  ++base_.domains_with_provider;
  // Credit per ID and per company of this domain (an ID may sit on several MXes,
  // a company may own several IDs): each counts the domain once.
  std::vector<std::pair<std::string_view, double>> ids;
  std::vector<std::pair<std::string, double>> companies;
  for (const auto& p : result.providers) {
    if (p.flag) ++base_.flagged_assignments;
    if (p.id.empty()) {
      base_.credit_without_id += p.credit;
      continue;
    }
    auto it = std::find_if(ids.begin(), ids.end(), [&](const auto& e) { return e.first == p.id; });
    if (it == ids.end()) {
      ids.emplace_back(p.id, p.credit);
    } else {
      it->second += p.credit;
    }
    auto company = catalog_->company_of(p.id);
    std::string key;  // known companies carry a '\x01' prefix, so no ID can collide
    if (company) {
      key.push_back('\x01');
      key.append(*company);
    } else {
      key = p.id;
    }
    auto ct = std::find_if(companies.begin(), companies.end(),
                           [&](const auto& e) { return e.first == key; });
    if (ct == companies.end()) {
      companies.emplace_back(std::move(key), p.credit);
    } else {
      ct->second += p.credit;
    }
  }
  for (const auto& [id, credit] : ids) {
    auto& acc = ids_[std::string(id)];
    acc.credit += credit;
    ++acc.domains;
  }
  for (auto& [key, credit] : companies) {
    auto& acc = companies_[key];
    acc.credit += credit;
    ++acc.domains;
  }
}

Summary SummaryBuilder::build() const {
  Summary s = base_;
  auto row_of = [&](std::string key, bool known, const Acc& acc) {
    ShareRow row{std::move(key), known, acc.credit, acc.domains, 0, 0};
    row.share_of_with_provider =
        s.domains_with_provider ? row.credit / static_cast<double>(s.domains_with_provider) : 0;
    row.share_of_all = s.domains_total ? row.credit / static_cast<double>(s.domains_total) : 0;
    return row;
  };
  for (const auto& [id, acc] : ids_) s.by_id.push_back(row_of(id, false, acc));
  for (const auto& [key, acc] : companies_) {
    bool known = !key.empty() && key.front() == '\x01';
    s.by_company.push_back(row_of(known ? key.substr(1) : key, known, acc));
  }
  std::sort(s.by_id.begin(), s.by_id.end(), by_credit_then_key);
  std::sort(s.by_company.begin(), s.by_company.end(), by_credit_then_key);
  return s;
}

Summary summarise(const Results& results, const Catalog& catalog) {
  SummaryBuilder builder(catalog);
  for (const auto& r : results.domains) builder.add(r);
  return builder.build();
}

}  // namespace mxscan::inference
