// P(d), the batch counts and step 1 (certificate groups) in one pass over the
// kept domains. Why it is shaped so: primary_sets.hpp.
#include "primary_sets.hpp"

#include <algorithm>
#include <string_view>
#include <utility>

#include "mxscan/inference/cert_groups.hpp"

namespace mxscan::detail {
namespace {

template <typename T>
void grow(std::vector<T>& v, std::size_t size) {
  if (v.size() < size) v.resize(size, T{});
}

}  // namespace

void PrimarySets::build(const BatchStore& store, const std::vector<std::uint32_t>& order,
                        BatchStats& stats) {
  primary_begin.assign(store.domains.size() + 1, 0);
  primary_count.assign(store.domains.size(), 0);
  for (auto di : order) add(store, di, 1);
  group(store, stats);
}

void PrimarySets::add(const BatchStore& store, std::uint32_t di, int delta) {
  const auto& d = store.domains[di];
  const auto& mxs = store.mxs;
  const auto& mx_addrs = store.mx_addrs;
  const auto& hosts = store.hosts;
  grow(cnt_mx, store.exchanges.size());
  grow(cnt_ip, store.addresses.size());
  grow(cert_uses_, store.certificates());
  grow(primary_begin, std::size_t{di} + 1);
  grow(primary_count, std::size_t{di} + 1);
  primary_begin[di] = static_cast<std::uint32_t>(primaries.size());
  primary_count[di] = 0;
  if (d.status != DnsStatus::ok || store.is_null_mx(d) || d.mx_count == 0) return;
  // p*: the lowest preference among live MXes.
  std::uint32_t best = kNone;
  for (std::uint32_t i = 0; i < d.mx_count; ++i) {
    const auto& m = mxs[d.mx_begin + i];
    if (m.exchange == kNone) continue;
    for (std::uint32_t j = 0; j < m.addr_count; ++j) {
      if (store.live(mx_addrs[m.addr_begin + j])) {
        best = std::min<std::uint32_t>(best, m.preference);
        break;
      }
    }
  }
  if (best == kNone) return;
  auto& members = members_;
  members.clear();
  for (std::uint32_t i = 0; i < d.mx_count; ++i) {
    const auto& m = mxs[d.mx_begin + i];
    if (m.exchange != kNone && m.preference == best) {
      members.emplace_back(store.exchanges.view(m.exchange), d.mx_begin + i);
    }
  }
  std::sort(members.begin(), members.end());
  auto& domain_ips = domain_ips_;
  domain_ips.clear();
  for (std::size_t k = 0; k < members.size();) {
    // Records naming the same exchange twice merge into one MX of P(d).
    PrimaryMx p;
    p.exchange = mxs[members[k].second].exchange;
    p.live_begin = static_cast<std::uint32_t>(primary_live.size());
    std::size_t end = k;
    while (end < members.size() && members[end].first == members[k].first) {
      const auto& m = mxs[members[end].second];
      for (std::uint32_t j = 0; j < m.addr_count; ++j) {
        auto a = mx_addrs[m.addr_begin + j];
        if (store.live(a)) primary_live.push_back(a);
      }
      ++end;
    }
    std::sort(primary_live.begin() + p.live_begin, primary_live.end());
    primary_live.erase(std::unique(primary_live.begin() + p.live_begin, primary_live.end()),
                       primary_live.end());
    p.live_count = static_cast<std::uint32_t>(primary_live.size()) - p.live_begin;
    domain_ips.insert(domain_ips.end(), primary_live.begin() + p.live_begin, primary_live.end());
    cnt_mx[p.exchange] += static_cast<std::uint64_t>(delta);
    primaries.push_back(p);
    k = end;
  }
  primary_count[di] = static_cast<std::uint32_t>(primaries.size()) - primary_begin[di];
  if (delta == 0) return;
  // Counts at most once per domain.
  std::sort(domain_ips.begin(), domain_ips.end());
  domain_ips.erase(std::unique(domain_ips.begin(), domain_ips.end()), domain_ips.end());
  auto& domain_rds = domain_rds_;
  domain_rds.clear();
  for (auto a : domain_ips) {
    cnt_ip[a] += static_cast<std::uint64_t>(delta);
    auto c = hosts[a].cert;
    if (c == kNone) continue;
    cert_uses_[c] += delta;
    domain_rds.insert(domain_rds.end(), store.cert_rds.begin() + store.cert_rd_begin[c],
                      store.cert_rds.begin() + store.cert_rd_begin[c + 1]);
  }
  std::sort(domain_rds.begin(), domain_rds.end());
  domain_rds.erase(std::unique(domain_rds.begin(), domain_rds.end()), domain_rds.end());
  grow(cnt_cert_rd, store.names.size());
  for (auto rd : domain_rds) cnt_cert_rd[rd] += static_cast<std::uint64_t>(delta);
}

void PrimarySets::truncate(std::uint32_t domains) {
  if (primary_begin.size() <= domains) return;
  const std::uint32_t first = primary_begin[domains];
  if (first < primaries.size()) primary_live.resize(primaries[first].live_begin);
  primaries.resize(first);
  primary_begin.resize(domains);
  primary_count.resize(domains);
}

// Step 1: the names of the certificates P(d) uses, grouped (CertificateGrouper).
void PrimarySets::group(const BatchStore& store, BatchStats& stats) {
  cnt_mx.resize(store.exchanges.size(), 0);
  cnt_ip.resize(store.addresses.size(), 0);
  cnt_cert_rd.resize(store.names.size(), 0);
  cert_uses_.resize(store.certificates(), 0);
  CertificateGrouper grouper(store.names.size());
  std::vector<std::uint32_t> added;
  for (std::uint32_t c = 0; c < cert_uses_.size(); ++c) {
    if (cert_uses_[c] <= 0) continue;
    grouper.add(
        std::span<const std::uint32_t>(store.cert_names.data() + store.cert_name_begin[c],
                                       store.cert_name_begin[c + 1] - store.cert_name_begin[c]));
    added.push_back(c);
  }
  auto group_names = grouper.group_names(
      store.rd_of_name, cnt_cert_rd,
      [&](std::uint32_t a, std::uint32_t b) { return store.names.view(a) < store.names.view(b); });
  cert_group.assign(store.certificates(), kNone);
  for (std::size_t i = 0; i < added.size(); ++i) cert_group[added[i]] = group_names[i];
  stats.certificate_groups = grouper.group_count();
}

}  // namespace mxscan::detail
