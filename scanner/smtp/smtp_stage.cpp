#include "mxscan/scanner/smtp/smtp_stage.hpp"

#include <algorithm>
#include <atomic>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <mutex>
#include <random>
#include <thread>
#include <unordered_set>

#include "mxscan/scanner/conduct/gate_policy.hpp"
#include "mxscan/scanner/smtp/smtp_session.hpp"
#include "mxscan/scanner/tls/tls_client.hpp"

namespace mxscan {
namespace {

namespace asio = boost::asio;
constexpr auto kTuple = asio::as_tuple(asio::use_awaitable);
// A trickle of submissions is flushed at least this often despite the window.
// Milliseconds, not seconds: the flusher ticks every quarter of it, and
// seconds(1) / 4 is zero in integer seconds (a timer re-armed at once, one
// core busy for as long as the SMTP stage waited on DNS).
constexpr auto kMaxWindowAge = std::chrono::milliseconds(1000);

GateLimits lane_limits(const SmtpOptions& o) {
  GateLimits l;
  l.sessions_per_s = o.sessions_per_s;  // one bucket for all lanes (SharedTokenBucket)
  l.max_in_flight = o.max_in_flight ? std::max<std::size_t>(1, o.max_in_flight / o.threads) : 0;
  // A prefix lives in exactly one lane: its caps are not divided.
  l.prefix_sessions_per_s = o.prefix_sessions_per_s;
  l.prefix_max_in_flight = o.prefix_max_in_flight;
  return l;
}

}  // namespace

struct SmtpStage::Impl {
  struct Lane {
    Lane(GateLimits limits, std::shared_ptr<SharedTokenBucket> global)
        : wake(io), policy(limits, GateClock::now(), std::move(global)) {}
    asio::io_context io{1};
    asio::steady_timer wake;
    GatePolicy policy;  // touched by the lane's thread only
    std::mutex mu;      // guards incoming and closed
    std::vector<GateTarget> incoming;
    bool closed = false;
    std::thread thread;
    std::size_t sessions = 0, retries = 0, completed = 0;  // lane thread only; read after join
    // The lane's own TLS context (tls_client.hpp: OpenSSL's locks stay per core).
    std::unique_ptr<TlsClientContext> tls_context;
    SessionConfig session;
  };

  SmtpOptions options;
  std::shared_ptr<const AsnSource> asn;
  Callback on_result;
  Blocklist blocklist;
  SessionConfig session;  // every lane's, but for the TLS context
  std::vector<std::unique_ptr<Lane>> lanes;

  std::mutex submit_mu;  // dedupe set, window, counters below, closed flag
  std::unordered_set<std::string> seen;
  std::vector<GateTarget> window;
  std::chrono::steady_clock::time_point window_started = std::chrono::steady_clock::now();
  std::mt19937_64 rng;
  bool closed = false;
  SmtpStageStats counts;

  std::mutex result_mu;  // serialises on_result
  std::atomic<std::size_t> live{0};
  std::atomic<bool> stopping{false};
  std::atomic<std::size_t> dropped{0}, stopped_sessions{0}, finished_after_stop{0};
  bool joined = false;

  void deliver(HostObs obs) {
    if (asn) {
      if (const auto ip = IpAddress::parse(obs.address)) {
        if (const auto info = asn->lookup(*ip)) {
          obs.asn = info->asn;
          obs.as_name = info->name;
        }
      }
    }
    std::lock_guard lock(result_mu);
    if (on_result) on_result(std::move(obs));
  }

  // Shuffles the window and hands it to the lanes (submit_mu held).
  void flush_window() {
    if (window.empty()) return;
    std::shuffle(window.begin(), window.end(), rng);
    std::vector<std::vector<GateTarget>> per_lane(lanes.size());
    for (auto& target : window) {
      per_lane[lane_of(target.address, lanes.size())].push_back(std::move(target));
    }
    window.clear();
    window_started = std::chrono::steady_clock::now();
    for (std::size_t i = 0; i < lanes.size(); ++i) {
      if (per_lane[i].empty()) continue;
      Lane& s = *lanes[i];
      {
        std::lock_guard lock(s.mu);
        for (auto& t : per_lane[i]) s.incoming.push_back(std::move(t));
      }
      wake(s);
    }
  }

  static void wake(Lane& s) {
    asio::post(s.io, [&s] { s.wake.cancel(); });
  }
};

namespace {

using Impl = SmtpStage::Impl;

// A contacted address from admission to its HostObs: the session, bounded
// retries for transient failures before any reply, then the release of its slot.
asio::awaitable<void> run_target(Impl* impl, Impl::Lane* lane, GateTarget target) {
  const SmtpOptions& o = impl->options;
  ++impl->live;
  HostObs obs;
  bool stopped = false;
  for (unsigned attempt = 0;; ++attempt) {
    ++lane->sessions;
    try {
      SessionOutcome outcome =
          co_await smtp_session(&lane->session, target.address, target.exchange);
      stopped = outcome.stopped;
      obs = std::move(outcome.obs);
    } catch (const std::exception& e) {
      obs = HostObs{};
      obs.address = target.text;
      obs.port = o.port;
      obs.status = SmtpStatus::protocol_error;
      obs.error = std::string("internal error: ") + e.what();
    }
    // Retry only what may be transient and happened before the server said anything.
    const bool transient = obs.status == SmtpStatus::connect_timeout ||
                           (obs.status == SmtpStatus::reset && obs.banner.empty() &&
                            (obs.phase == SmtpPhase::connect || obs.phase == SmtpPhase::greeting));
    if (stopped || !transient || attempt >= o.retries) break;
    if (impl->stopping.load()) {
      stopped = true;  // the retry would be a new connect: left to the resumed scan
      break;
    }
    ++lane->retries;
    asio::steady_timer backoff(co_await asio::this_coro::executor);
    backoff.expires_after(o.retry_backoff * (1 << attempt));
    co_await backoff.async_wait(kTuple);
    // A retry is a new connection: it takes a token of the global rate like any other.
    while (const auto until = lane->policy.take_rate_token(GateClock::now())) {
      if (impl->stopping.load()) break;  // the session checks the stop before connecting
      backoff.expires_at(*until);
      co_await backoff.async_wait(kTuple);
    }
  }
  if (stopped) {
    ++impl->stopped_sessions;
  } else {
    ++lane->completed;
    if (impl->stopping.load()) ++impl->finished_after_stop;
    impl->deliver(std::move(obs));
  }
  --impl->live;
  lane->policy.release(target.address, GateClock::now());
  lane->wake.cancel();
}

// The lane's gate loop: admits queued addresses as the caps allow.
asio::awaitable<void> dispatch(Impl* impl, Impl::Lane* lane) {
  for (;;) {
    bool closed = false;
    {
      std::lock_guard lock(lane->mu);
      if (impl->stopping.load()) {
        impl->dropped += lane->incoming.size();
      } else {
        for (auto& t : lane->incoming) lane->policy.enqueue(std::move(t));
      }
      lane->incoming.clear();
      closed = lane->closed;
    }
    if (impl->stopping.load()) {
      // Stopped: nothing more is admitted, whatever tokens the gate holds; the
      // loop waits only for the sessions in flight (each release wakes it).
      impl->dropped += lane->policy.drop_queued();
      if (lane->policy.in_flight() == 0) co_return;
      lane->wake.expires_at(GateClock::time_point::max());
      co_await lane->wake.async_wait(kTuple);
      continue;
    }
    GatePolicy::Decision d = lane->policy.next(GateClock::now());
    if (d.verdict == GatePolicy::Verdict::admit) {
      asio::co_spawn(lane->io, run_target(impl, lane, std::move(d.target)), asio::detached);
      continue;
    }
    if (d.verdict == GatePolicy::Verdict::idle && closed && lane->policy.queued() == 0 &&
        lane->policy.in_flight() == 0)
      co_return;
    lane->wake.expires_at(
        d.verdict == GatePolicy::Verdict::wait_until ? d.until : GateClock::time_point::max());
    co_await lane->wake.async_wait(kTuple);
  }
}

// Flushes a shuffle window that stopped filling (the DNS stage went quiet), so no
// address waits for more submissions or for close(). Ends with the stage.
asio::awaitable<void> flush_stale_window(Impl* impl) {
  asio::steady_timer tick(co_await asio::this_coro::executor);
  for (;;) {
    tick.expires_after(kMaxWindowAge / 4);
    co_await tick.async_wait(kTuple);
    std::lock_guard lock(impl->submit_mu);
    if (impl->closed) co_return;
    if (!impl->window.empty() &&
        std::chrono::steady_clock::now() - impl->window_started >= kMaxWindowAge)
      impl->flush_window();
  }
}

}  // namespace

Blocklist build_blocklist(const SmtpOptions& options) {
  Blocklist b;
  if (!options.default_blocklist.empty()) b.add_file(options.default_blocklist);
  for (const auto& f : options.blocklist_files) b.add_file(f);
  for (const auto& a : options.allow) b.allow(a);
  return b;
}

SmtpStage::SmtpStage(SmtpOptions options, std::shared_ptr<const AsnSource> asn, Callback on_result)
    : impl_(std::make_unique<Impl>()) {
  options.validate();
  Impl& m = *impl_;
  m.options = std::move(options);
  m.asn = std::move(asn);
  m.on_result = std::move(on_result);
  m.blocklist = build_blocklist(m.options);
  ensure_fd_limit(fds_needed(m.options));
  m.session.ehlo_name = resolve_ehlo_name(m.options.ehlo_name);
  m.session.port = m.options.port;
  m.session.sni = m.options.sni;
  m.session.timeouts = m.options.timeouts;
  m.session.reply_limits = m.options.reply_limits;
  m.session.max_chain_certs = m.options.max_chain_certs;
  m.rng.seed(m.options.shuffle_seed ? m.options.shuffle_seed : std::random_device{}());
  const TlsClientSettings tls{m.options.ca_file, m.options.max_chain_bytes};
  const auto global = std::make_shared<SharedTokenBucket>(
      m.options.sessions_per_s, m.options.sessions_per_s / 10.0, GateClock::now());
  for (unsigned i = 0; i < m.options.threads; ++i) {
    auto lane = std::make_unique<Impl::Lane>(lane_limits(m.options), global);
    lane->tls_context =
        m.lanes.empty() ? std::make_unique<TlsClientContext>(tls)
                        : std::make_unique<TlsClientContext>(tls, *m.lanes.front()->tls_context);
    lane->session = m.session;
    lane->session.tls = lane->tls_context.get();
    lane->session.stop = &m.stopping;
    lane->session.on_connect = m.options.on_connect;
    m.lanes.push_back(std::move(lane));
  }
  asio::co_spawn(m.lanes.front()->io, flush_stale_window(&m), asio::detached);
  for (auto& lane : m.lanes) {
    Impl::Lane* s = lane.get();
    asio::co_spawn(s->io, dispatch(&m, s), asio::detached);
    s->thread = std::thread([s] { s->io.run(); });
  }
}

SmtpStage::~SmtpStage() {
  close();
  wait();
}

SubmitResult SmtpStage::submit(std::string_view address, std::string_view exchange) {
  Impl& m = *impl_;
  std::unique_lock lock(m.submit_mu);
  if (m.closed && !m.stopping.load()) return SubmitResult::closed;
  const auto ip = IpAddress::parse(address);
  std::string key = ip ? ip->to_string() : std::string(address);
  if (!m.seen.insert(key).second) {
    ++m.counts.duplicates;
    return SubmitResult::duplicate;
  }
  if (m.stopping.load()) {
    ++m.dropped;  // found after the stop: left to the resumed scan
    return SubmitResult::closed;
  }
  ++m.counts.submitted;
  HostObs obs;
  obs.address = key;
  obs.port = m.options.port;
  SubmitResult result = SubmitResult::queued;
  if (!ip) {
    obs.status = SmtpStatus::not_contacted;
    obs.error = "not an IP address";
    ++m.counts.invalid;
    result = SubmitResult::invalid;
  } else if (m.blocklist.is_blocked(*ip)) {
    obs.status = SmtpStatus::blocked;
    obs.error = "address is on the blocklist";
    ++m.counts.blocked;
    result = SubmitResult::blocked;
  } else if (ip->v6 && !m.options.ipv6) {
    obs.status = SmtpStatus::not_contacted;
    obs.error = "IPv6 disabled (enable with --ipv6)";
    ++m.counts.ipv6_skipped;
    result = SubmitResult::ipv6_disabled;
  } else {
    if (m.window.empty()) m.window_started = std::chrono::steady_clock::now();
    m.window.push_back(GateTarget{*ip, std::move(key), std::string(exchange)});
    if (m.window.size() >= m.options.shuffle_window ||
        std::chrono::steady_clock::now() - m.window_started >= kMaxWindowAge)
      m.flush_window();
    return result;
  }
  lock.unlock();
  m.deliver(std::move(obs));
  return result;
}

void SmtpStage::close() {
  Impl& m = *impl_;
  std::lock_guard lock(m.submit_mu);
  if (m.closed) return;
  m.closed = true;
  m.flush_window();
  for (auto& lane : m.lanes) {
    {
      std::lock_guard lane_lock(lane->mu);
      lane->closed = true;
    }
    Impl::wake(*lane);
  }
}

std::size_t SmtpStage::stop() {
  Impl& m = *impl_;
  std::lock_guard lock(m.submit_mu);
  m.stopping.store(true);  // before anything else: a worker checks it before each connect
  const std::size_t in_flight = m.live.load();
  m.dropped += m.window.size();
  m.window.clear();
  m.closed = true;
  for (auto& lane : m.lanes) {
    {
      std::lock_guard lane_lock(lane->mu);
      lane->closed = true;
    }
    Impl::wake(*lane);
  }
  return in_flight;
}

void SmtpStage::flush() {
  std::lock_guard lock(impl_->submit_mu);
  impl_->flush_window();
}

void SmtpStage::wait() {
  Impl& m = *impl_;
  if (m.joined) return;
  for (auto& lane : m.lanes)
    if (lane->thread.joinable()) lane->thread.join();
  m.joined = true;
}

void SmtpStage::abort() {
  for (auto& lane : impl_->lanes) lane->io.stop();
  wait();
}

std::size_t SmtpStage::in_flight() const noexcept { return impl_->live.load(); }

SmtpStageStats SmtpStage::stats() const {
  const Impl& m = *impl_;
  SmtpStageStats s;
  {
    std::lock_guard lock(impl_->submit_mu);
    s = m.counts;
  }
  s.chains_verified = m.lanes.front()->tls_context->verifications();  // one cache, all lanes
  s.chain_verdicts_cached = m.lanes.front()->tls_context->cache_hits();
  s.dropped = m.dropped.load();
  s.stopped_sessions = m.stopped_sessions.load();
  s.finished_after_stop = m.finished_after_stop.load();
  if (m.joined) {
    for (const auto& lane : m.lanes) {
      s.sessions += lane->sessions;
      s.retries += lane->retries;
      s.completed += lane->completed;
      s.peak_in_flight += lane->policy.peak_in_flight();
      s.peak_prefix_in_flight =
          std::max(s.peak_prefix_in_flight, lane->policy.peak_prefix_in_flight());
    }
  }
  return s;
}

const std::string& SmtpStage::ehlo_name() const { return impl_->session.ehlo_name; }
const Blocklist& SmtpStage::blocklist() const { return impl_->blocklist; }
const SmtpOptions& SmtpStage::options() const { return impl_->options; }

std::vector<HostObs> scan_addresses(const SmtpOptions& options,
                                    const std::vector<std::string>& addresses,
                                    std::shared_ptr<const AsnSource> asn) {
  std::vector<HostObs> out;
  std::mutex mu;
  SmtpStage stage(options, std::move(asn), [&](HostObs obs) {
    std::lock_guard lock(mu);
    out.push_back(std::move(obs));
  });
  for (const auto& a : addresses) stage.submit(a);
  stage.close();
  stage.wait();
  return out;
}

}  // namespace mxscan
