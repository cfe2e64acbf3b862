#include "mxscan/scanner/run/scan_counters.hpp"

namespace mxscan {

ScanSnapshot ScanCounters::snapshot() const {
  ScanSnapshot s;
  auto total = total_.load(std::memory_order_relaxed);
  if (total != UINT64_MAX) s.domains_total = total;
  s.domains_done = domains_done_.load(std::memory_order_relaxed);
  s.domains_invalid = invalid_.load(std::memory_order_relaxed);
  s.dns_queries = dns_queries_.load(std::memory_order_relaxed);
  s.dns_in_flight = dns_in_flight_.load(std::memory_order_relaxed);
  s.smtp_started = smtp_started_.load(std::memory_order_relaxed);
  s.smtp_done = smtp_done_.load(std::memory_order_relaxed);
  s.smtp_in_flight = smtp_in_flight_.load(std::memory_order_relaxed);
  s.smtp_connects = smtp_connects_.load(std::memory_order_relaxed);
  if (const double limit = smtp_rate_limit_.load(std::memory_order_relaxed); limit >= 0) {
    s.smtp_rate_limit = limit;
  }
  for (std::size_t i = 0; i < kDnsStatusCount; ++i) {
    s.domains_by_status[i] = by_dns_[i].load(std::memory_order_relaxed);
  }
  for (std::size_t i = 0; i < kSmtpStatusCount; ++i) {
    s.hosts_by_status[i] = by_smtp_[i].load(std::memory_order_relaxed);
  }
  return s;
}

}  // namespace mxscan
