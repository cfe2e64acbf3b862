#include "dry_run_report.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <iterator>
#include <vector>

#include "mxscan/common/ip_address.hpp"
#include "mxscan/common/json_text.hpp"

namespace mxscan {

void DryRunReport::add(const std::string& address) {
  auto ip = IpAddress::parse(address);
  if (!ip) {
    ++invalid_;
    return;
  }
  if (blocklist_.is_blocked(*ip)) {
    ++blocked_;
    return;
  }
  ++addresses_;
  prefixes_.insert(ip->masked(ip->v6 ? 48 : 24).to_string());
  if (asn_) {
    auto info = asn_->lookup(*ip);
    if (info) {
      auto& entry = ases_[info->asn];
      ++entry.first;
      entry.second = info->name;
    } else {
      ++no_asn_;
    }
  }
}

std::string DryRunReport::text(bool have_asn) const {
  std::string out = fmt::format(
      "dry run: would contact {} addresses in {} /24 (IPv4) or /48 (IPv6) prefixes{}; "
      "{} blocked, {} not addresses\n",
      addresses_, prefixes_.size(),
      have_asn ? fmt::format(" and {} ASes ({} addresses without an AS)", ases_.size(), no_asn_)
               : std::string(" (no ASN source: ASes not counted)"),
      blocked_, invalid_);
  std::vector<std::pair<std::uint64_t, std::uint32_t>> top;
  for (const auto& [asn, entry] : ases_) top.emplace_back(entry.first, asn);
  std::sort(top.begin(), top.end(), [](auto a, auto b) {
    return a.first != b.first ? a.first > b.first : a.second < b.second;
  });
  for (std::size_t i = 0; i < top.size() && i < 10; ++i) {
    out += fmt::format("  AS{:<10} {:>8} addresses  {}\n", top[i].second, top[i].first,
                       ases_.at(top[i].second).second);
  }
  return out;
}

std::string DryRunReport::json() const {
  std::string out = fmt::format(
      "{{\"schema\":\"mxscan/dry-run/1\",\"addresses\":{},\"prefixes\":{},\"ases\":{},"
      "\"blocked\":{},\"not_addresses\":{},\"addresses_without_as\":{},\"by_as\":",
      addresses_, prefixes_.size(), ases_.size(), blocked_, invalid_, no_asn_);
  json::append_array(out, ases_, [](std::string& o, const auto& as) {
    fmt::format_to(std::back_inserter(o), "{{\"asn\":{},\"addresses\":{}}}", as.first,
                   as.second.first);
  });
  return out + "}\n";
}

}  // namespace mxscan
