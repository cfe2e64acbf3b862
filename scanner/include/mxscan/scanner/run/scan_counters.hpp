// Counters of a running scan, read by the progress line and the manifest.
//
// Design note. Stages bump relaxed atomics (the engine may run more than one
// event-loop thread); readers take a Snapshot, a plain copy, and derive rates
// from two snapshots. Statuses are counted by enum index, so adding a status to
// observation.hpp needs no change here.
#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <optional>

#include "mxscan/common/observation.hpp"

namespace mxscan {

inline constexpr std::size_t kDnsStatusCount = static_cast<std::size_t>(DnsStatus::not_queried) + 1;
inline constexpr std::size_t kSmtpStatusCount =
    static_cast<std::size_t>(SmtpStatus::not_contacted) + 1;

struct ScanSnapshot {
  std::optional<std::uint64_t> domains_total;  // unknown when reading a stream
  std::uint64_t domains_done = 0;
  std::uint64_t domains_invalid = 0;
  std::uint64_t dns_queries = 0;
  std::uint64_t dns_in_flight = 0;
  std::uint64_t smtp_started = 0;  // addresses submitted to the SMTP stage
  std::uint64_t smtp_done = 0;
  std::uint64_t smtp_in_flight = 0;       // submitted, not yet recorded (queued or in a session)
  std::uint64_t smtp_connects = 0;        // TCP connects begun
  std::optional<double> smtp_rate_limit;  // configured sessions/s, 0: unlimited; unset: no SMTP
  std::array<std::uint64_t, kDnsStatusCount> domains_by_status{};
  std::array<std::uint64_t, kSmtpStatusCount> hosts_by_status{};
};

class ScanCounters {
 public:
  void set_total(std::uint64_t total) { total_.store(total, std::memory_order_relaxed); }
  void domain_done(DnsStatus s) {
    domains_done_.fetch_add(1, std::memory_order_relaxed);
    by_dns_[static_cast<std::size_t>(s)].fetch_add(1, std::memory_order_relaxed);
  }
  void domain_invalid() { invalid_.fetch_add(1, std::memory_order_relaxed); }
  void dns_query_sent() { dns_queries_.fetch_add(1, std::memory_order_relaxed); }
  void dns_in_flight(std::int64_t delta) { add(dns_in_flight_, delta); }
  void smtp_started() {
    smtp_started_.fetch_add(1, std::memory_order_relaxed);
    add(smtp_in_flight_, 1);
  }
  void smtp_done(SmtpStatus s) {
    smtp_done_.fetch_add(1, std::memory_order_relaxed);
    by_smtp_[static_cast<std::size_t>(s)].fetch_add(1, std::memory_order_relaxed);
  }
  void smtp_finished_in_flight() { add(smtp_in_flight_, -1); }
  // A submitted address the SMTP stage did not take (the scan was stopping).
  void smtp_withdrawn() {
    add(smtp_started_, -1);
    add(smtp_in_flight_, -1);
  }
  // A TCP connect begun (retries included): what the servers see.
  void smtp_connect() { smtp_connects_.fetch_add(1, std::memory_order_relaxed); }
  // The configured --rate (new sessions/s, 0: unlimited), shown beside the real one.
  void set_smtp_rate_limit(double per_s) {
    smtp_rate_limit_.store(per_s, std::memory_order_relaxed);
  }

  ScanSnapshot snapshot() const;

 private:
  static void add(std::atomic<std::uint64_t>& a, std::int64_t delta) {
    a.fetch_add(static_cast<std::uint64_t>(delta), std::memory_order_relaxed);
  }
  std::atomic<std::uint64_t> total_{UINT64_MAX};
  std::atomic<std::uint64_t> domains_done_{0};
  std::atomic<std::uint64_t> invalid_{0};
  std::atomic<std::uint64_t> dns_queries_{0};
  std::atomic<std::uint64_t> dns_in_flight_{0};
  std::atomic<std::uint64_t> smtp_started_{0};
  std::atomic<std::uint64_t> smtp_done_{0};
  std::atomic<std::uint64_t> smtp_in_flight_{0};
  std::atomic<std::uint64_t> smtp_connects_{0};
  std::atomic<double> smtp_rate_limit_{-1};
  std::array<std::atomic<std::uint64_t>, kDnsStatusCount> by_dns_{};
  std::array<std::atomic<std::uint64_t>, kSmtpStatusCount> by_smtp_{};
};

}  // namespace mxscan
