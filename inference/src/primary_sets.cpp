// P(d), the batch counts and step 1 (certificate groups) in one pass over the
// kept domains. Why it is shaped so: primary_sets.hpp.
#include "primary_sets.hpp"

#include <algorithm>
#include <string_view>
#include <utility>

#include "mxscan/inference/cert_groups.hpp"

namespace mxscan::detail {

void PrimarySets::build(const BatchStore& store, const std::vector<std::uint32_t>& order,
                        BatchStats& stats) {
  const auto& domains = store.domains;
  const auto& mxs = store.mxs;
  const auto& mx_addrs = store.mx_addrs;
  const auto& hosts = store.hosts;
  cnt_mx.assign(store.exchanges.size(), 0);
  cnt_ip.assign(store.addresses.size(), 0);
  primary_begin.assign(domains.size() + 1, 0);
  std::vector<char> cert_used(store.cert_keys.size(), 0);
  std::vector<std::uint32_t> domain_ips, domain_rds;
  std::vector<std::pair<std::string_view, std::uint32_t>> members;  // exchange text, mx index
  primary_count.assign(domains.size(), 0);
  for (auto di : order) {
    const auto& d = domains[di];
    primary_begin[di] = static_cast<std::uint32_t>(primaries.size());
    if (d.status != DnsStatus::ok || store.is_null_mx(d) || d.mx_count == 0) continue;
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
    if (best == kNone) continue;
    members.clear();
    for (std::uint32_t i = 0; i < d.mx_count; ++i) {
      const auto& m = mxs[d.mx_begin + i];
      if (m.exchange != kNone && m.preference == best) {
        members.emplace_back(store.exchanges.view(m.exchange), d.mx_begin + i);
      }
    }
    std::sort(members.begin(), members.end());
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
      ++cnt_mx[p.exchange];
      primaries.push_back(p);
      k = end;
    }
    primary_count[di] = static_cast<std::uint32_t>(primaries.size()) - primary_begin[di];
    // Counts at most once per domain.
    std::sort(domain_ips.begin(), domain_ips.end());
    domain_ips.erase(std::unique(domain_ips.begin(), domain_ips.end()), domain_ips.end());
    domain_rds.clear();
    for (auto a : domain_ips) {
      ++cnt_ip[a];
      auto c = hosts[a].cert;
      if (c == kNone) continue;
      cert_used[c] = 1;
      domain_rds.insert(domain_rds.end(), store.cert_rds.begin() + store.cert_rd_begin[c],
                        store.cert_rds.begin() + store.cert_rd_begin[c + 1]);
    }
    std::sort(domain_rds.begin(), domain_rds.end());
    domain_rds.erase(std::unique(domain_rds.begin(), domain_rds.end()), domain_rds.end());
    if (cnt_cert_rd.size() < store.names.size()) cnt_cert_rd.resize(store.names.size(), 0);
    for (auto rd : domain_rds) ++cnt_cert_rd[rd];
  }
  cnt_cert_rd.resize(store.names.size(), 0);
  group_certificates(store, cert_used, stats);
}

// Step 1: the names of the certificates P(d) uses, grouped (CertificateGrouper).
void PrimarySets::group_certificates(const BatchStore& store, const std::vector<char>& cert_used,
                                     BatchStats& stats) {
  CertificateGrouper grouper(store.names.size());
  std::vector<std::uint32_t> added;
  for (std::uint32_t c = 0; c < cert_used.size(); ++c) {
    if (!cert_used[c]) continue;
    grouper.add(
        std::span<const std::uint32_t>(store.cert_names.data() + store.cert_name_begin[c],
                                       store.cert_name_begin[c + 1] - store.cert_name_begin[c]));
    added.push_back(c);
  }
  auto group_names = grouper.group_names(
      store.rd_of_name, cnt_cert_rd,
      [&](std::uint32_t a, std::uint32_t b) { return store.names.view(a) < store.names.view(b); });
  cert_group.assign(store.cert_keys.size(), kNone);
  for (std::size_t i = 0; i < added.size(); ++i) cert_group[added[i]] = group_names[i];
  stats.certificate_groups = grouper.group_count();
}

}  // namespace mxscan::detail
