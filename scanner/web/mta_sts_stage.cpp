#include "mxscan/scanner/web/mta_sts_stage.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <chrono>
#include <exception>
#include <map>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <thread>
#include <utility>
#include <vector>

#include "mxscan/scanner/dns/dns_resolver.hpp"
#include "mxscan/scanner/web/mta_sts_policy.hpp"

namespace mxscan {

namespace asio = boost::asio;

namespace {
constexpr auto kTuple = asio::as_tuple(asio::use_awaitable);
// How soon a stop is noticed while domains wait for the gate.
constexpr auto kStopCheck = std::chrono::milliseconds(250);
}  // namespace

MtaStsStageOptions mta_sts_stage_options(const ScanConfig& config, const DnsOptions& dns,
                                         Blocklist blocklist) {
  MtaStsStageOptions o;
  o.dns = dns;
  o.dns.progress = nullptr;
  o.dns.health = nullptr;
  o.dns.threads = 1;
  o.fetch.port = std::in_range<std::uint16_t>(config.mta_sts.port)
                     ? static_cast<std::uint16_t>(config.mta_sts.port)
                     : 0;
  const auto timeout = std::chrono::milliseconds(config.mta_sts.timeout_ms);
  o.fetch.connect = o.fetch.handshake = o.fetch.response = timeout;
  o.fetch.ca_file = config.smtp.ca_file;
  o.fetch.user_agent = "mxscan/" MXSCAN_VERSION " (research measurement; MTA-STS policy)";
  o.limits.sessions_per_s = config.smtp.rate;
  o.limits.max_in_flight = static_cast<std::size_t>(config.smtp.concurrency);
  o.limits.prefix_sessions_per_s = config.smtp.per24_rate;
  o.limits.prefix_max_in_flight = static_cast<std::size_t>(config.smtp.per24_in_flight);
  o.blocklist = std::move(blocklist);
  return o;
}

bool wants_mta_sts_policy(const DomainObs& obs) noexcept {
  return obs.signals && obs.signals->mta_sts.status == DnsStatus::ok &&
         !obs.signals->mta_sts.record.empty();
}

MtaStsPolicy mta_sts_policy_of(const PolicyFetch& fetch, std::span<const std::string> exchanges) {
  MtaStsPolicy p;
  p.status = fetch.status;
  p.error = fetch.error;
  if (fetch.status != "ok") return p;
  ParsedMtaStsPolicy parsed = parse_mta_sts_policy(fetch.body);
  if (!parsed.ok) {
    p.status = "malformed";
    p.error = std::move(parsed.error);
    return p;
  }
  p.mode = std::move(parsed.mode);
  p.mx = std::move(parsed.mx);
  p.max_age = parsed.max_age;
  p.covers_mx = mx_patterns_cover(p.mx, exchanges);
  return p;
}

// A domain waiting for the gate: its timer is cancelled when it is admitted
// (or when the scan stops, not admitted).
struct GateWait {
  explicit GateWait(const asio::any_io_executor& ex)
      : timer(ex, asio::steady_timer::time_point::max()) {}
  asio::steady_timer timer;
  bool admitted = false;
};

struct MtaStsStage::Impl {
  explicit Impl(MtaStsStageOptions o)
      : options(std::move(o)),
        tls(options.fetch.ca_file),
        resolver(io, options.dns),
        gate(options.limits, GateClock::now()),
        wake_timer(io) {}

  MtaStsStageOptions options;
  asio::io_context io;
  PolicyTlsContext tls;
  Resolver resolver;
  GatePolicy gate;
  asio::steady_timer wake_timer;
  std::map<std::string, GateWait*> waiting;  // by policy host
  Done done;
  std::size_t held = 0;  // domains taken and not yet handed on or dropped
  bool closing = false;
  std::thread thread;
  std::exception_ptr error;  // the first exception of `done` (a write error)

  mutable std::mutex stats_mutex;
  MtaStsStageStats counts;

  const std::atomic<bool>* stop = nullptr;
  bool stopping() const { return stop != nullptr && stop->load(); }
  void wake() { wake_timer.cancel(); }
  void count(std::uint64_t MtaStsStageStats::*field) {
    std::lock_guard lock(stats_mutex);
    ++(counts.*field);
  }

  // Lets every domain still waiting for the gate go, not admitted.
  void drop_waiting() {
    gate.drop_queued();
    for (auto& [host, wait] : waiting) wait->timer.cancel();
    waiting.clear();
  }
};

namespace {

using Impl = MtaStsStage::Impl;

// Admits waiting domains as the gate allows, until the stage closes with
// nothing held; then the resolver is closed so the event loop runs out.
asio::awaitable<void> dispatch(Impl* s) {
  for (;;) {
    if (s->stopping()) s->drop_waiting();
    if (s->closing && s->held == 0) break;
    const auto now = GateClock::now();
    GatePolicy::Decision d = s->gate.next(now);
    if (d.verdict == GatePolicy::Verdict::admit) {
      if (auto it = s->waiting.find(d.target.exchange); it != s->waiting.end()) {
        it->second->admitted = true;
        it->second->timer.cancel();
        s->waiting.erase(it);
      }
      continue;
    }
    const auto until = d.verdict == GatePolicy::Verdict::wait_until ? d.until
                       : s->waiting.empty()                         ? GateClock::time_point::max()
                                                                    : now + kStopCheck;
    s->wake_timer.expires_at(until);
    co_await s->wake_timer.async_wait(kTuple);
  }
  s->resolver.close();
}

// The policy of one domain, written into its observation; false when the scan
// stopped before its policy host was contacted (the domain is then dropped).
asio::awaitable<bool> fetch_policy(Impl* s, DomainObs& obs) {
  const std::string host = "mta-sts." + obs.domain;
  MtaStsPolicy& policy = obs.signals->mta_sts.policy.emplace();

  // The policy host's address, from the scan's resolvers (IPv4 first).
  const AddrAnswer answer = co_await s->resolver.addresses(host);
  const auto address =
      answer.addresses.empty() ? std::nullopt : IpAddress::parse(answer.addresses.front());
  if (answer.status != DnsStatus::ok || !address) {
    policy.status = "no_address";
    policy.error = host + ": " + std::string(to_string(answer.status)) +
                   (answer.error.empty() ? "" : " (" + answer.error + ")");
    co_return true;
  }

  // The blocklist: a blocked address is recorded and never contacted.
  const std::string text = address->to_string();
  if (s->options.blocklist.is_blocked(*address)) {
    policy.status = "blocked";
    policy.error = host + ": " + text + " is in the blocklist";
    co_return true;
  }

  // The conduct gate: the SMTP stage's rates and caps; a stop drops the domain.
  if (s->stopping()) co_return false;
  GateWait wait(co_await asio::this_coro::executor);
  s->waiting[host] = &wait;
  s->gate.enqueue(GateTarget{*address, text, host});
  s->wake();
  co_await wait.timer.async_wait(kTuple);
  if (!wait.admitted) co_return false;

  // The one HTTPS GET of the policy file, then the gate's slot back.
  s->count(&MtaStsStageStats::fetches);
  const PolicyFetch fetched =
      co_await fetch_policy_file(&s->options.fetch, &s->tls, *address, host);
  s->gate.release(*address, GateClock::now());
  s->wake();

  // The file read into the policy, its patterns matched against the domain's MX.
  std::vector<std::string> exchanges;
  for (const auto& mx : obs.mx) {
    if (!mx.exchange.empty()) exchanges.push_back(mx.exchange);
  }
  policy = mta_sts_policy_of(fetched, exchanges);
  co_return true;
}

asio::awaitable<void> handle(Impl* s, DomainObs obs) {
  const bool complete = co_await fetch_policy(s, obs);
  if (complete && !s->error) {
    s->count(&MtaStsStageStats::domains);
    try {
      s->done(std::move(obs));
    } catch (...) {
      s->error = std::current_exception();
    }
  } else {
    s->count(&MtaStsStageStats::dropped);
  }
  --s->held;
  s->wake();
}

}  // namespace

MtaStsStage::MtaStsStage(MtaStsStageOptions options) {
  if (options.fetch.port == 0) {
    throw std::runtime_error("mta_sts.port must be a TCP port, 1 to 65535");
  }
  if (options.fetch.connect.count() <= 0) {
    throw std::runtime_error("mta_sts.timeout_ms must be positive");
  }
  impl_ = std::make_shared<Impl>(std::move(options));
}

MtaStsStage::~MtaStsStage() {
  try {
    finish();
  } catch (...) {
    // finish() already reported it, or the scan is unwinding from another error.
  }
}

void MtaStsStage::start(Done done, const std::atomic<bool>* stop) {
  impl_->done = std::move(done);
  impl_->stop = stop;
  asio::co_spawn(impl_->io, dispatch(impl_.get()), asio::detached);
  impl_->thread = std::thread([s = impl_.get()] { s->io.run(); });
}

void MtaStsStage::submit(DomainObs obs) {
  asio::post(impl_->io, [s = impl_.get(), o = std::move(obs)]() mutable {
    ++s->held;  // before the coroutine starts: a finish() posted later must wait for it
    asio::co_spawn(s->io, handle(s, std::move(o)), asio::detached);
  });
}

void MtaStsStage::finish() {
  if (!impl_->thread.joinable()) return;
  asio::post(impl_->io, [s = impl_.get()] {
    s->closing = true;
    s->wake();
  });
  impl_->thread.join();
  if (impl_->error) std::rethrow_exception(std::exchange(impl_->error, nullptr));
}

MtaStsStageStats MtaStsStage::stats() const {
  std::lock_guard lock(impl_->stats_mutex);
  return impl_->counts;
}

}  // namespace mxscan
