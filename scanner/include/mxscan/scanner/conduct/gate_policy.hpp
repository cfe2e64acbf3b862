// The conduct gate's decisions: which queued address may start a session now,
// under global and per-prefix caps on sessions in flight and new sessions/s.
//
// Design note. This is the pure half of the gate: no sockets, no timers, the
// clock is a parameter, so every cap is unit-tested with synthetic time. The
// event loop asks next(now) and either starts the admitted session, sleeps until
// the returned time, or sleeps until a session ends (release). Work is kept per
// prefix (/24 for IPv4, /48 for IPv6) and prefixes are served round-robin, so a
// prefix at its cap never blocks the others (no head-of-line blocking), and a
// provider's prefix holding thousands of queued addresses still sees a trickle.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>

#include "mxscan/common/ip_address.hpp"

namespace mxscan {

using GateClock = std::chrono::steady_clock;

// Classic token bucket; rate 0 means unlimited.
class TokenBucket {
 public:
  TokenBucket() = default;
  TokenBucket(double rate_per_s, double burst, GateClock::time_point now);
  bool unlimited() const noexcept { return rate_ <= 0; }
  bool available(GateClock::time_point now);
  void take() noexcept;
  // When the next token will be there (now when one is).
  GateClock::time_point next_token(GateClock::time_point now);
  // True when the bucket is full, i.e. forgetting it changes nothing.
  bool full(GateClock::time_point now);

 private:
  void refill(GateClock::time_point now);
  double rate_ = 0, burst_ = 1, tokens_ = 1;
  GateClock::time_point last_{};
};

// The global rate's bucket, shared by the worker threads of one stage: with a
// bucket per thread, n threads at rate/n each started together and kept in
// step, so --rate 1 on two threads was two connects at once every 2 s.
class SharedTokenBucket {
 public:
  SharedTokenBucket(double rate_per_s, double burst, GateClock::time_point now)
      : bucket_(rate_per_s, burst, now) {}
  bool available(GateClock::time_point now);
  bool try_take(GateClock::time_point now);  // false: none left (another thread took it)
  GateClock::time_point next_token(GateClock::time_point now);

 private:
  std::mutex mutex_;
  TokenBucket bucket_;
};

struct GateLimits {
  double sessions_per_s = 0;         // global, 0: unlimited
  std::size_t max_in_flight = 0;     // global, 0: unlimited
  double prefix_sessions_per_s = 0;  // per /24 or /48, 0: unlimited
  std::size_t prefix_max_in_flight = 0;
};

// The /24 (IPv4) or /48 (IPv6) an address belongs to.
IpAddress prefix_of(const IpAddress& a) noexcept;

// Which of `lanes` worker threads owns the address's /24 (/48): every address
// of a prefix lands in the same lane, and prefixes spread evenly over lanes.
std::size_t lane_of(const IpAddress& a, std::size_t lanes) noexcept;

struct GateTarget {
  IpAddress address;
  std::string text;      // canonical textual form
  std::string exchange;  // name to send as SNI when enabled ("" if unknown)
};

class GatePolicy {
 public:
  // `global`: the global rate's bucket when several policies share it (then
  // limits.sessions_per_s is not used); null: a bucket of its own.
  GatePolicy(GateLimits limits, GateClock::time_point now,
             std::shared_ptr<SharedTokenBucket> global = nullptr);

  void enqueue(GateTarget target);

  enum class Verdict { admit, wait_until, idle };
  struct Decision {
    Verdict verdict = Verdict::idle;
    GateTarget target;              // admit
    GateClock::time_point until{};  // wait_until
  };
  // admit: the session may start now (counted in flight until release());
  // wait_until: nothing may start before `until`; idle: nothing to do until a
  // release() or an enqueue().
  Decision next(GateClock::time_point now);
  void release(const IpAddress& address, GateClock::time_point now);
  // A token of the global rate for a session already admitted (a retry):
  // nullopt when taken, else when to ask again.
  std::optional<GateClock::time_point> take_rate_token(GateClock::time_point now);
  // Forgets every queued address (the scan is stopping); returns how many.
  // Sessions in flight stay counted until their release().
  std::size_t drop_queued();

  std::size_t queued() const noexcept { return queued_; }
  std::size_t in_flight() const noexcept { return in_flight_; }
  std::size_t tracked_prefixes() const noexcept { return prefixes_.size(); }
  // Highest number of sessions seen in flight in one prefix, and globally.
  std::size_t peak_prefix_in_flight() const noexcept { return peak_prefix_; }
  std::size_t peak_in_flight() const noexcept { return peak_global_; }

 private:
  struct Key {
    std::uint64_t hi, lo;
    bool v6;
    friend bool operator==(const Key&, const Key&) = default;
  };
  struct KeyHash {
    std::size_t operator()(const Key& k) const noexcept {
      return static_cast<std::size_t>((k.hi * 0x9E3779B97F4A7C15ULL) ^ k.lo ^
                                      (k.v6 ? 0x5bd1e995u : 0u));
    }
  };
  enum class Where { nowhere, ready, timed, parked };
  struct PrefixState {
    std::deque<GateTarget> queue;
    std::size_t in_flight = 0;
    TokenBucket bucket;
    Where where = Where::nowhere;
  };
  static Key key_of(const IpAddress& a) noexcept;
  PrefixState& state(const Key& k, GateClock::time_point now);
  void forget_if_idle(const Key& k, GateClock::time_point now);

  GateLimits limits_;
  std::shared_ptr<SharedTokenBucket> global_;
  std::unordered_map<Key, PrefixState, KeyHash> prefixes_;
  std::deque<Key> ready_;                                   // round-robin order
  std::multimap<GateClock::time_point, Key> timed_;         // waiting for a prefix token
  std::deque<std::pair<GateClock::time_point, Key>> idle_;  // candidates to forget
  std::size_t queued_ = 0, in_flight_ = 0, peak_prefix_ = 0, peak_global_ = 0;
};

}  // namespace mxscan
