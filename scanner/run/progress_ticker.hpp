// The live progress of a scan: once a second, the progress line (stderr and
// scan.log) and a flush of the journal, so that a killed scan loses at most a
// second of work; and the resolver's figures (queries sent, in flight) fed into
// the counters the line is made from.
//
// Design note. The ticker owns its thread and reads only the counters'
// snapshot (atomics), so it never waits on a stage. stop() joins it and writes
// a final line whose rates are the whole run's averages: the last interval is a
// fraction of a second, too short for a rate. Formatting lives in
// progress_line.hpp; this file only decides when and where.
#pragma once

#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <thread>

#include "mxscan/scanner/dns/dns_options.hpp"
#include "mxscan/scanner/run/scan_counters.hpp"
#include "scan_log.hpp"

namespace mxscan {

class DnsProgressToCounters final : public DnsProgress {
 public:
  explicit DnsProgressToCounters(ScanCounters& counters) : counters_(counters) {}
  void query_sent() noexcept override {
    counters_.dns_query_sent();
    counters_.dns_in_flight(1);
  }
  void query_finished() noexcept override { counters_.dns_in_flight(-1); }

 private:
  ScanCounters& counters_;
};

class ProgressTicker {
 public:
  // Progress goes to stderr unless `quiet`; `flush` runs before each line.
  ProgressTicker(const ScanCounters& counters, bool quiet, ScanLog& log,
                 std::function<void()> flush);
  ~ProgressTicker() { stop(); }
  ProgressTicker(const ProgressTicker&) = delete;
  ProgressTicker& operator=(const ProgressTicker&) = delete;

  // Ends the ticks with the final figures; later calls do nothing.
  void stop();

 private:
  using Clock = std::chrono::steady_clock;
  void run();
  void report(bool final = false);

  const ScanCounters& counters_;
  bool quiet_;
  bool terminal_;
  ScanLog& log_;
  std::function<void()> flush_;
  Clock::time_point start_;
  ScanSnapshot last_;
  Clock::time_point last_time_{};
  std::mutex mutex_;
  std::condition_variable cv_;
  bool stopped_ = false;
  std::thread thread_;
};

}  // namespace mxscan
