#include "mxscan/scanner/run/scan_counters.hpp"

#include <catch2/catch.hpp>

#include <atomic>
#include <cstdint>
#include <thread>
#include <vector>

using namespace mxscan;

TEST_CASE("a fresh counter set reads as nothing done, total and rate limit unknown",
          "[scan_counters]") {
  const ScanCounters c;
  const ScanSnapshot s = c.snapshot();
  CHECK_FALSE(s.domains_total.has_value());
  CHECK_FALSE(s.smtp_rate_limit.has_value());
  CHECK(s.domains_done == 0);
  CHECK(s.domains_invalid == 0);
  CHECK(s.dns_queries == 0);
  CHECK(s.dns_in_flight == 0);
  CHECK(s.smtp_started == 0);
  CHECK(s.smtp_done == 0);
  CHECK(s.smtp_in_flight == 0);
  CHECK(s.smtp_connects == 0);
  for (auto n : s.domains_by_status) CHECK(n == 0);
  for (auto n : s.hosts_by_status) CHECK(n == 0);
}

TEST_CASE("each event lands in its own counter", "[scan_counters]") {
  ScanCounters c;
  c.set_total(0);  // an empty input has a known total of zero
  CHECK(c.snapshot().domains_total == 0u);
  c.set_total(5);
  c.domain_done(DnsStatus::ok);
  c.domain_done(DnsStatus::ok);
  c.domain_done(DnsStatus::not_queried);  // the last status has its slot too
  c.domain_invalid();
  c.dns_query_sent();
  c.dns_in_flight(3);
  c.dns_in_flight(-2);
  c.smtp_started();
  c.smtp_started();
  c.smtp_connect();
  c.smtp_done(SmtpStatus::success);
  c.smtp_done(SmtpStatus::not_contacted);
  c.smtp_finished_in_flight();
  c.set_smtp_rate_limit(0);  // 0: unlimited, still a configured value
  const ScanSnapshot s = c.snapshot();
  CHECK(s.domains_total == 5u);
  CHECK(s.domains_done == 3);
  CHECK(s.domains_invalid == 1);
  CHECK(s.domains_by_status[static_cast<std::size_t>(DnsStatus::ok)] == 2);
  CHECK(s.domains_by_status[static_cast<std::size_t>(DnsStatus::not_queried)] == 1);
  CHECK(s.domains_by_status[static_cast<std::size_t>(DnsStatus::nxdomain)] == 0);
  CHECK(s.dns_queries == 1);
  CHECK(s.dns_in_flight == 1);
  CHECK(s.smtp_started == 2);
  CHECK(s.smtp_in_flight == 1);
  CHECK(s.smtp_connects == 1);
  CHECK(s.smtp_done == 2);
  CHECK(s.hosts_by_status[static_cast<std::size_t>(SmtpStatus::success)] == 1);
  CHECK(s.hosts_by_status[static_cast<std::size_t>(SmtpStatus::not_contacted)] == 1);
  CHECK(s.smtp_rate_limit == 0.0);
}

TEST_CASE("a withdrawn address is neither started nor in flight", "[scan_counters]") {
  ScanCounters c;
  c.smtp_started();
  c.smtp_started();
  c.smtp_withdrawn();
  const ScanSnapshot s = c.snapshot();
  CHECK(s.smtp_started == 1);
  CHECK(s.smtp_in_flight == 1);
  CHECK(s.smtp_done == 0);
}

TEST_CASE("counters bumped from several threads at once lose nothing", "[scan_counters]") {
  ScanCounters c;
  constexpr int kThreads = 4;
  constexpr int kEach = 100'000;
  constexpr int kTight = 20'000'000;
  std::atomic<bool> go{false};
  std::atomic<bool> stop_reading{false};
  std::uint64_t last_done = 0;
  bool monotonic = true;
  // A reader snapshots while the writers run: counts only ever grow.
  std::thread reader([&] {
    while (!stop_reading.load()) {
      const std::uint64_t done = c.snapshot().domains_done;
      if (done < last_done) monotonic = false;
      last_done = done;
    }
  });
  std::vector<std::thread> writers;
  writers.reserve(kThreads);
  for (int t = 0; t < kThreads; ++t) {
    writers.emplace_back([&, t] {
      while (!go.load()) std::this_thread::yield();
      // A tight loop first: the window where a non-atomic bump loses counts is short.
      for (int i = 0; i < kTight; ++i) c.domain_done(DnsStatus::ok);
      for (int i = 0; i < kEach; ++i) {
        c.domain_done(t % 2 == 0 ? DnsStatus::ok : DnsStatus::timeout);
        c.dns_query_sent();
        c.dns_in_flight(1);
        c.dns_in_flight(-1);
        c.smtp_started();
        c.smtp_done(SmtpStatus::success);
        c.smtp_finished_in_flight();
      }
    });
  }
  go.store(true);
  for (auto& w : writers) w.join();
  stop_reading.store(true);
  reader.join();
  const ScanSnapshot s = c.snapshot();
  constexpr std::uint64_t kTotal = std::uint64_t{kThreads} * kEach;
  CHECK(monotonic);
  constexpr std::uint64_t kTightTotal = std::uint64_t{kThreads} * kTight;
  CHECK(s.domains_done == kTotal + kTightTotal);
  CHECK(s.domains_by_status[static_cast<std::size_t>(DnsStatus::ok)] == kTotal / 2 + kTightTotal);
  CHECK(s.domains_by_status[static_cast<std::size_t>(DnsStatus::timeout)] == kTotal / 2);
  CHECK(s.dns_queries == kTotal);
  CHECK(s.dns_in_flight == 0);
  CHECK(s.smtp_started == kTotal);
  CHECK(s.smtp_done == kTotal);
  CHECK(s.smtp_in_flight == 0);
  CHECK(s.hosts_by_status[static_cast<std::size_t>(SmtpStatus::success)] == kTotal);
}
