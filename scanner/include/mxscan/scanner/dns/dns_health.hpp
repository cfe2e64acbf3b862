// Resolver health during a scan: a window of the last query outcomes, a pause
// of admission when that window is mostly timeouts and refusals, re-probes of
// the resolvers while paused, and the verdict "failed" when they stay silent.
//
// Design note. The resolver threads record every query's end (record()); the
// window counts only what says the resolver itself is gone: no answer after all
// tries, REFUSED, a refused or failed connection. SERVFAIL, NXDOMAIN and
// malformed answers are answers (zones break; resolvers that answer are alive).
// The window trips when it is full and at least 90 % failures, so a scan
// shorter than the window never pauses and a few broken zones never trip it.
// A supervisor thread then re-probes the resolvers (resolver_probe.hpp) until
// one answers (admission resumes, the window starts afresh) or the outage has
// lasted the configured wait (state failed: the DNS stage admits nothing more
// and records no domain whose lookups failed, so --resume redoes them).
// Wakers, registered per DNS thread, are called under the lock whenever the
// state leaves `paused`, so a thread can unregister before its io_context dies.
#pragma once

#include <array>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "mxscan/common/scan_config.hpp"
#include "mxscan/scanner/dns/dns_options.hpp"

namespace mxscan {

// How one query ended, as far as the resolver's health goes.
enum class DnsOutcome : std::uint8_t { answer, timeout, refused, unreachable };

class DnsHealth {
 public:
  enum class State { running, paused, failed };
  struct Settings {
    std::size_t window = 1000;
    std::chrono::milliseconds wait{60000};
    DnsOptions probe_options;  // the resolvers, timeout and tries the probe uses
    std::string probe_name = ".";
    std::chrono::milliseconds probe_interval{1000};  // between failed re-probes
  };
  using Log = std::function<void(const std::string&)>;

  // Throws std::invalid_argument when the window is below 10 queries.
  DnsHealth(Settings settings, Log log);
  ~DnsHealth();  // stop()
  DnsHealth(const DnsHealth&) = delete;
  DnsHealth& operator=(const DnsHealth&) = delete;

  // One query's end; any thread.
  void record(DnsOutcome outcome);
  State state() const;
  // Outages declared so far (a domain that failed across one is asked again).
  std::uint64_t pauses() const;
  // `wake` runs (under the lock, from the supervisor) whenever the state leaves
  // `paused`; it must only post. Returns a key for remove_waker().
  std::uint64_t add_waker(std::function<void()> wake);
  void remove_waker(std::uint64_t key);
  // Ends the supervisor (a re-probe in progress runs to its end). Idempotent.
  void stop();
  // The scan is stopping (a signal): admission closes for good at once, also
  // during a pause, so nobody waits for the outage's verdict; results whose
  // lookups failed are not recorded (resume redoes them). Does not block.
  void cancel();

  // A one-line account of the failures in the window (for logs).
  std::string window_text() const;

 private:
  void supervise();
  std::string window_text_locked() const;
  void set_state_locked(State s);

  Settings settings_;
  Log log_;
  mutable std::mutex mutex_;
  std::condition_variable cv_;
  // The window: a ring of outcomes under mutex_, except that an answer while
  // the window holds no failure only counts towards its fill (lock-free: the
  // resolver threads record every query, and nearly all are such answers).
  std::vector<DnsOutcome> ring_;
  std::size_t next_ = 0;
  std::atomic<std::size_t> filled_{0};        // outcomes in the window; may pass its size
  std::atomic<std::size_t> failures_{0};      // failures in the window
  std::array<std::size_t, 4> counts_{};       // failures by DnsOutcome, over the window
  std::atomic<State> state_{State::running};  // written under mutex_
  std::atomic<std::uint64_t> pauses_{0};      // written under mutex_
  bool stopping_ = false;
  std::map<std::uint64_t, std::function<void()>> wakers_;
  std::uint64_t next_waker_ = 0;
  std::thread supervisor_;
};

// The settings of a scan's configuration (dns.outage_window, dns.outage_wait_ms,
// dns.probe_name, and the resolvers, timeout and tries of `probe`). Throws
// std::runtime_error naming the setting when one is unusable.
DnsHealth::Settings dns_health_settings(const ScanConfig& config, const DnsOptions& probe);

}  // namespace mxscan
