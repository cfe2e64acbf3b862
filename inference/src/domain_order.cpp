// One record per domain, in (line, name) order. Why it is shaped so: domain_order.hpp.
#include "domain_order.hpp"

#include <algorithm>
#include <utility>

#include "mxscan/common/hash.hpp"

namespace mxscan::detail {
namespace {

using HashIndex = std::pair<std::uint64_t, std::uint32_t>;

// Deterministic choice among records of the same domain: lowest line, then the
// most informative record, then the content itself.
bool keep_first(const BatchStore& s, const DomainRec& a, const DomainRec& b) {
  if (a.line != b.line) return a.line < b.line;
  bool aok = a.status == DnsStatus::ok, bok = b.status == DnsStatus::ok;
  if (aok != bok) return aok;
  if (a.status != b.status) return a.status < b.status;
  if (a.mx_count != b.mx_count) return a.mx_count > b.mx_count;
  for (std::uint32_t i = 0; i < a.mx_count; ++i) {
    const auto& x = s.mxs[a.mx_begin + i];
    const auto& y = s.mxs[b.mx_begin + i];
    auto ex = [&](const MxRec& m) {
      return m.exchange == kNone ? std::string_view() : s.exchanges.view(m.exchange);
    };
    if (ex(x) != ex(y)) return ex(x) < ex(y);
    if (x.preference != y.preference) return x.preference < y.preference;
    if (x.addr_count != y.addr_count) return x.addr_count > y.addr_count;
    for (std::uint32_t j = 0; j < x.addr_count; ++j) {
      auto ax = s.addresses.view(s.mx_addrs[x.addr_begin + j]);
      auto ay = s.addresses.view(s.mx_addrs[y.addr_begin + j]);
      if (ax != ay) return ax < ay;
    }
  }
  return a.error < b.error;
}

// Within records [i, j) of equal hash, keep one record per distinct name.
void drop_duplicates(BatchStore& s, const std::vector<HashIndex>& by_hash, std::size_t i,
                     std::size_t j, BatchStats& stats) {
  auto& domains = s.domains;
  std::vector<std::uint32_t> run;
  for (std::size_t k = i; k < j; ++k) run.push_back(by_hash[k].second);
  std::sort(run.begin(), run.end(), [&](std::uint32_t a, std::uint32_t b) {
    if (domains[a].name != domains[b].name) return domains[a].name < domains[b].name;
    return keep_first(s, domains[a], domains[b]);
  });
  for (std::size_t k = 1; k < run.size(); ++k) {
    if (domains[run[k]].name == domains[run[k - 1]].name) {
      domains[run[k]].dropped = true;
      ++stats.duplicate_domains;
    }
  }
}

}  // namespace

std::vector<std::uint32_t> ordered_domains(BatchStore& store, BatchStats& stats) {
  const auto& domains = store.domains;
  std::vector<HashIndex> by_hash(domains.size());
  for (std::uint32_t i = 0; i < domains.size(); ++i) by_hash[i] = {fnv1a_64(domains[i].name), i};
  std::sort(by_hash.begin(), by_hash.end());
  for (std::size_t i = 0; i < by_hash.size();) {
    std::size_t j = i + 1;
    while (j < by_hash.size() && by_hash[j].first == by_hash[i].first) ++j;
    if (j - i > 1) drop_duplicates(store, by_hash, i, j, stats);
    i = j;
  }
  std::vector<std::pair<std::uint64_t, std::uint32_t>> by_line;
  by_line.reserve(domains.size());
  for (std::uint32_t i = 0; i < domains.size(); ++i) {
    if (!domains[i].dropped) by_line.emplace_back(domains[i].line, i);
  }
  auto less = [&](const auto& a, const auto& b) {
    if (a.first != b.first) return a.first < b.first;
    return domains[a.second].name < domains[b.second].name;
  };
  if (!std::is_sorted(by_line.begin(), by_line.end(), less))
    std::sort(by_line.begin(), by_line.end(), less);
  std::vector<std::uint32_t> order;
  order.reserve(by_line.size());
  for (const auto& p : by_line) order.push_back(p.second);
  return order;
}

}  // namespace mxscan::detail
