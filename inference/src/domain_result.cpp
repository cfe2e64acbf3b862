// Step 5: status and credit of one domain. Why it is shaped so: domain_result.hpp.
#include "domain_result.hpp"

#include <string>
#include <utility>

namespace mxscan::detail {
namespace {

bool dns_failure(DnsStatus s) {
  switch (s) {
    case DnsStatus::servfail:
    case DnsStatus::refused:
    case DnsStatus::timeout:
    case DnsStatus::error:
    case DnsStatus::cname_loop:
    case DnsStatus::not_queried:
      return true;
    default:
      return false;
  }
}

}  // namespace

DomainResult result_of(const BatchStore& store, const PrimarySets& sets, ProviderIds& ids,
                       std::uint32_t di) {
  const auto& d = store.domains[di];
  DomainResult r;
  r.domain = std::string(d.name);
  r.line = d.line;
  auto detail = [&](std::string message) {
    if (!d.error.empty()) message += " (" + std::string(d.error) + ")";
    return message;
  };
  switch (d.status) {
    case DnsStatus::invalid_name:
    case DnsStatus::address_literal:
      r.status = DomainOutcome::invalid;
      r.reason = detail("not a valid domain name");
      return r;
    case DnsStatus::nxdomain:
      r.status = DomainOutcome::nxdomain;
      r.reason = detail("domain does not exist");
      return r;
    case DnsStatus::null_mx:
      r.status = DomainOutcome::null_mx;
      r.reason = "domain declares no mail (null MX)";
      return r;
    case DnsStatus::nodata:
      r.status = DomainOutcome::no_mx;
      r.reason = "no MX records";
      return r;
    default:
      break;
  }
  if (dns_failure(d.status)) {
    r.status = DomainOutcome::dns_error;
    r.reason = detail("MX lookup failed: " + std::string(to_string(d.status)));
    return r;
  }
  if (store.is_null_mx(d)) {
    r.status = DomainOutcome::null_mx;
    r.reason = "domain declares no mail (null MX)";
    return r;
  }
  if (d.mx_count == 0) {
    r.status = DomainOutcome::no_mx;
    r.reason = "no MX records";
    return r;
  }
  const auto primaries = sets.of(di);
  if (primaries.empty()) {
    std::uint32_t total = 0, blocked = 0;
    for (std::uint32_t i = 0; i < d.mx_count; ++i) {
      const auto& m = store.mxs[d.mx_begin + i];
      for (std::uint32_t j = 0; j < m.addr_count; ++j) {
        ++total;
        const auto& h = store.hosts[store.mx_addrs[m.addr_begin + j]];
        if (h.has(HostState::kPresent) && h.has(HostState::kBlocked)) ++blocked;
      }
    }
    if (total > 0 && blocked == total) {
      r.status = DomainOutcome::blocked;
      r.reason = "every MX address is blocklisted (" + std::to_string(total) + ")";
    } else {
      r.status = DomainOutcome::no_smtp;
      r.reason = total == 0
                     ? "no MX exchange resolved to an address"
                     : "no SMTP server answered on " + std::to_string(total) + " MX address(es)";
    }
    return r;
  }
  r.status = DomainOutcome::ok;
  double credit = 1.0 / static_cast<double>(primaries.size());
  for (const auto& p : primaries) {
    auto pa = ids.assign_cached(p.exchange, sets.live_ips(p));
    pa.credit = credit;
    r.providers.push_back(std::move(pa));
  }
  return r;
}

DomainResult result_with_signals(const BatchStore& store, const PrimarySets& sets, ProviderIds& ids,
                                 std::uint32_t di) {
  DomainResult r = result_of(store, sets, ids, di);
  if (const auto si = store.domains[di].signals; si != kNone)
    attach_signals(r, store.signals[si], store.catalog);
  return r;
}

}  // namespace mxscan::detail
