#include "mxscan/scanner/conduct/gate_policy.hpp"

#include <algorithm>

namespace mxscan {

TokenBucket::TokenBucket(double rate_per_s, double burst, GateClock::time_point now)
    : rate_(rate_per_s), burst_(std::max(1.0, burst)), tokens_(std::max(1.0, burst)), last_(now) {}

void TokenBucket::refill(GateClock::time_point now) {
  if (now <= last_) return;
  const double elapsed = std::chrono::duration<double>(now - last_).count();
  tokens_ = std::min(burst_, tokens_ + elapsed * rate_);
  last_ = now;
}

bool TokenBucket::available(GateClock::time_point now) {
  if (unlimited()) return true;
  refill(now);
  return tokens_ >= 1.0;
}

void TokenBucket::take() noexcept {
  if (!unlimited()) tokens_ -= 1.0;
}

bool SharedTokenBucket::available(GateClock::time_point now) {
  std::lock_guard lock(mutex_);
  return bucket_.available(now);
}

bool SharedTokenBucket::try_take(GateClock::time_point now) {
  std::lock_guard lock(mutex_);
  if (!bucket_.available(now)) return false;
  bucket_.take();
  return true;
}

GateClock::time_point SharedTokenBucket::next_token(GateClock::time_point now) {
  std::lock_guard lock(mutex_);
  return bucket_.next_token(now);
}

GateClock::time_point TokenBucket::next_token(GateClock::time_point now) {
  if (available(now)) return now;
  const double missing = 1.0 - tokens_;
  const auto wait = std::chrono::duration_cast<GateClock::duration>(
      std::chrono::duration<double>(missing / rate_));
  return now + wait + GateClock::duration(1);
}

bool TokenBucket::full(GateClock::time_point now) {
  if (unlimited()) return true;
  refill(now);
  return tokens_ >= burst_;
}

IpAddress prefix_of(const IpAddress& a) noexcept { return a.masked(a.v6 ? 48 : 24); }

std::size_t lane_of(const IpAddress& a, std::size_t lanes) noexcept {
  if (lanes <= 1) return 0;
  // A masked prefix has its low bits zero (an IPv4 /24 is hi() = a.b.c.0 << 32,
  // lo() = 0), so a plain modulo put every IPv4 prefix in lane 0 for any
  // power-of-two lane count. MurmurHash3's 64-bit finaliser mixes all bits in.
  const IpAddress p = prefix_of(a);
  std::uint64_t x = p.hi() ^ (p.lo() * 0x9E3779B97F4A7C15ULL);
  x ^= x >> 33;
  x *= 0xFF51AFD7ED558CCDULL;
  x ^= x >> 33;
  x *= 0xC4CEB9FE1A85EC53ULL;
  x ^= x >> 33;
  return static_cast<std::size_t>(x % lanes);
}

GatePolicy::GatePolicy(GateLimits limits, GateClock::time_point now,
                       std::shared_ptr<SharedTokenBucket> global)
    : limits_(limits), global_(std::move(global)) {
  // A tenth of a second's worth of burst globally keeps the rate smooth yet cheap to serve.
  if (!global_) {
    global_ = std::make_shared<SharedTokenBucket>(limits.sessions_per_s,
                                                  limits.sessions_per_s / 10.0, now);
  }
}

GatePolicy::Key GatePolicy::key_of(const IpAddress& a) noexcept {
  const IpAddress p = prefix_of(a);
  return Key{p.hi(), p.lo(), p.v6};
}

GatePolicy::PrefixState& GatePolicy::state(const Key& k, GateClock::time_point now) {
  auto it = prefixes_.find(k);
  if (it == prefixes_.end()) {
    it = prefixes_.emplace(k, PrefixState{}).first;
    // Burst of one: a prefix never gets more than its rate, even right at start.
    it->second.bucket = TokenBucket(limits_.prefix_sessions_per_s, 1.0, now);
  }
  return it->second;
}

void GatePolicy::enqueue(GateTarget target) {
  const Key k = key_of(target.address);
  // Enqueue does not know the time; a new prefix's bucket starts full either way.
  PrefixState& s = state(k, GateClock::time_point{});
  s.queue.push_back(std::move(target));
  ++queued_;
  if (s.where == Where::nowhere) {
    s.where = Where::ready;
    ready_.push_back(k);
  }
}

GatePolicy::Decision GatePolicy::next(GateClock::time_point now) {
  Decision d;
  // Forget prefixes that are idle and whose bucket has refilled: bounded memory.
  while (!idle_.empty() && idle_.front().first <= now) {
    forget_if_idle(idle_.front().second, now);
    idle_.pop_front();
  }
  if (limits_.max_in_flight && in_flight_ >= limits_.max_in_flight)
    return d;  // idle until a release
  while (!timed_.empty() && timed_.begin()->first <= now) {
    const Key k = timed_.begin()->second;
    timed_.erase(timed_.begin());
    auto it = prefixes_.find(k);
    if (it != prefixes_.end() && it->second.where == Where::timed) {
      it->second.where = Where::ready;
      ready_.push_back(k);
    }
  }
  if (!ready_.empty() && !global_->available(now)) {
    d.verdict = Verdict::wait_until;
    d.until = global_->next_token(now);
    return d;
  }
  while (!ready_.empty()) {
    const Key k = ready_.front();
    ready_.pop_front();
    PrefixState& s = prefixes_.at(k);
    if (s.queue.empty()) {
      s.where = Where::nowhere;
      continue;
    }
    if (limits_.prefix_max_in_flight && s.in_flight >= limits_.prefix_max_in_flight) {
      s.where = Where::parked;  // back to ready on release()
      continue;
    }
    if (!s.bucket.available(now)) {
      s.where = Where::timed;
      timed_.emplace(s.bucket.next_token(now), k);
      continue;
    }
    if (!global_->try_take(now)) {
      // Another thread sharing the global bucket took the token since the check above.
      ready_.push_front(k);
      d.verdict = Verdict::wait_until;
      d.until = global_->next_token(now);
      return d;
    }
    s.bucket.take();
    d.verdict = Verdict::admit;
    d.target = std::move(s.queue.front());
    s.queue.pop_front();
    --queued_;
    ++s.in_flight;
    ++in_flight_;
    peak_prefix_ = std::max(peak_prefix_, s.in_flight);
    peak_global_ = std::max(peak_global_, in_flight_);
    if (s.queue.empty()) {
      s.where = Where::nowhere;
    } else {
      ready_.push_back(k);  // round-robin: other prefixes go first
    }
    return d;
  }
  if (!timed_.empty()) {
    d.verdict = Verdict::wait_until;
    d.until = timed_.begin()->first;
  }
  return d;
}

void GatePolicy::release(const IpAddress& address, GateClock::time_point now) {
  const Key k = key_of(address);
  auto it = prefixes_.find(k);
  if (it == prefixes_.end()) return;
  PrefixState& s = it->second;
  if (s.in_flight) --s.in_flight;
  if (in_flight_) --in_flight_;
  if (!s.queue.empty() && (s.where == Where::parked || s.where == Where::nowhere)) {
    s.where = Where::ready;
    ready_.push_back(k);
  } else if (s.queue.empty() && s.in_flight == 0) {
    // Keep the bucket until it has refilled, so the per-prefix rate holds across gaps.
    const auto refill =
        limits_.prefix_sessions_per_s > 0
            ? std::chrono::duration_cast<GateClock::duration>(
                  std::chrono::duration<double>(1.0 / limits_.prefix_sessions_per_s))
            : GateClock::duration::zero();
    idle_.emplace_back(now + refill, k);
  }
}

std::optional<GateClock::time_point> GatePolicy::take_rate_token(GateClock::time_point now) {
  if (global_->try_take(now)) return std::nullopt;
  return global_->next_token(now);
}

std::size_t GatePolicy::drop_queued() {
  const std::size_t dropped = queued_;
  for (auto& [key, s] : prefixes_) {
    s.queue.clear();
    s.where = Where::nowhere;
  }
  ready_.clear();
  timed_.clear();
  queued_ = 0;
  return dropped;
}

void GatePolicy::forget_if_idle(const Key& k, GateClock::time_point now) {
  auto it = prefixes_.find(k);
  if (it == prefixes_.end()) return;
  PrefixState& s = it->second;
  if (s.queue.empty() && s.in_flight == 0 && s.where == Where::nowhere && s.bucket.full(now))
    prefixes_.erase(it);
}

}  // namespace mxscan
