#include "mxscan/scanner/dns/dns_health.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <exception>
#include <stdexcept>

#include "mxscan/scanner/dns/resolver_probe.hpp"

namespace mxscan {

using Clock = std::chrono::steady_clock;

DnsHealth::Settings dns_health_settings(const ScanConfig& config, const DnsOptions& probe) {
  if (config.dns.outage_window < 10) {
    throw std::runtime_error("dns.outage_window must be at least 10 queries");
  }
  if (config.dns.outage_wait_ms < 1) {
    throw std::runtime_error("dns.outage_wait_ms must be at least 1 ms");
  }
  if (std::string problem = probe_name_problem(config.dns.probe_name); !problem.empty()) {
    throw std::runtime_error(problem);
  }
  DnsHealth::Settings s;
  s.window = static_cast<std::size_t>(config.dns.outage_window);
  s.wait = std::chrono::milliseconds(config.dns.outage_wait_ms);
  s.probe_options = probe;
  s.probe_name = config.dns.probe_name;
  return s;
}

DnsHealth::DnsHealth(Settings settings, Log log)
    : settings_(std::move(settings)), log_(std::move(log)) {
  if (settings_.window < 10) {
    throw std::invalid_argument("dns.outage_window must be at least 10 queries");
  }
  settings_.probe_options.health = nullptr;
  settings_.probe_options.progress = nullptr;
  ring_.resize(settings_.window, DnsOutcome::answer);
  supervisor_ = std::thread([this] { supervise(); });
}

DnsHealth::~DnsHealth() { stop(); }

void DnsHealth::stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  cv_.notify_all();
  if (supervisor_.joinable()) supervisor_.join();
}

void DnsHealth::cancel() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
    if (state_ != State::failed) set_state_locked(State::failed);
  }
  cv_.notify_all();
}

void DnsHealth::record(DnsOutcome outcome) {
  if (state_.load(std::memory_order_relaxed) != State::running) return;
  if (outcome == DnsOutcome::answer && failures_.load(std::memory_order_relaxed) == 0) {
    if (filled_.load(std::memory_order_relaxed) < ring_.size()) {
      filled_.fetch_add(1, std::memory_order_relaxed);
    }
    return;
  }
  bool tripped = false;
  {
    std::lock_guard lock(mutex_);
    if (state_ != State::running) return;  // judged by the re-probes meanwhile
    if (filled_.load() >= ring_.size()) {
      const DnsOutcome old = ring_[next_];
      if (old != DnsOutcome::answer) {
        --counts_[static_cast<std::size_t>(old)];
        --failures_;
      }
    } else {
      ++filled_;
    }
    ring_[next_] = outcome;
    if (outcome != DnsOutcome::answer) {
      ++counts_[static_cast<std::size_t>(outcome)];
      ++failures_;
    }
    next_ = (next_ + 1) % ring_.size();
    const std::size_t filled = std::min(filled_.load(), ring_.size());
    if (filled == ring_.size() && failures_.load() * 10 >= filled * 9) {
      state_ = State::paused;
      ++pauses_;
      tripped = true;
    }
  }
  if (tripped) cv_.notify_all();
}

DnsHealth::State DnsHealth::state() const { return state_.load(); }

std::uint64_t DnsHealth::pauses() const { return pauses_.load(); }

std::uint64_t DnsHealth::add_waker(std::function<void()> wake) {
  std::lock_guard lock(mutex_);
  wakers_.emplace(next_waker_, std::move(wake));
  return next_waker_++;
}

void DnsHealth::remove_waker(std::uint64_t key) {
  std::lock_guard lock(mutex_);
  wakers_.erase(key);
}

std::string DnsHealth::window_text() const {
  std::lock_guard lock(mutex_);
  return window_text_locked();
}

std::string DnsHealth::window_text_locked() const {
  return fmt::format(
      "{} of the last {} DNS queries failed ({} timed out, {} refused, {} could "
      "not reach the resolver)",
      failures_.load(), std::min(filled_.load(), ring_.size()), counts_[1], counts_[2], counts_[3]);
}

void DnsHealth::set_state_locked(State s) {
  state_ = s;
  if (s == State::running) {
    std::fill(ring_.begin(), ring_.end(), DnsOutcome::answer);
    next_ = 0;
    filled_ = 0;
    failures_ = 0;
    counts_ = {};
  }
  for (auto& [key, wake] : wakers_) wake();
}

// Logs outside the lock: a slow stderr must not hold up the resolver threads'
// record().
void DnsHealth::supervise() {
  std::unique_lock lock(mutex_);
  while (true) {
    cv_.wait(lock, [this] { return stopping_ || state_ == State::paused; });
    if (stopping_) return;
    const auto since = Clock::now();
    std::string event = fmt::format(
        "DNS outage: {}; no new domains admitted; asking the resolvers {} again",
        window_text_locked(),
        settings_.probe_name == "." ? "the root's SOA" : "the SOA of " + settings_.probe_name);
    while (true) {
      lock.unlock();
      if (!event.empty()) log_(event);
      std::size_t answering = 0;
      std::string silent;
      try {
        const ResolverProbeReport r =
            probe_resolvers(settings_.probe_options, settings_.probe_name);
        answering = r.answering();
        silent = r.silent_list();
      } catch (const std::exception& e) {
        silent = e.what();
      }
      lock.lock();
      if (stopping_) return;
      const double waited = std::chrono::duration<double>(Clock::now() - since).count();
      if (answering > 0) {
        set_state_locked(State::running);
        lock.unlock();
        log_(
            fmt::format("DNS outage over after {:.1f} s: the resolvers answer again; admission "
                        "resumed, domains whose lookups failed meanwhile are asked again",
                        waited));
        lock.lock();
        break;
      }
      if (Clock::now() - since >= settings_.wait) {
        set_state_locked(State::failed);
        lock.unlock();
        log_(
            fmt::format("DNS outage: the resolvers still do not answer after {:.1f} s ({}); "
                        "the scan ends as failed, domains whose lookups failed are not recorded",
                        waited, silent));
        return;
      }
      event.clear();
      cv_.wait_for(lock, settings_.probe_interval, [this] { return stopping_; });
      if (stopping_) return;
    }
  }
}

}  // namespace mxscan
