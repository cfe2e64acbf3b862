#include "mxscan/scanner/dns/dns_stage.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <exception>
#include <functional>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <thread>
#include <unordered_map>
#include <vector>

#include "dns_completion.hpp"
#include "mxscan/common/host_name.hpp"
#include "mxscan/common/names.hpp"
#include "mxscan/scanner/dns/dns_health.hpp"
#include "mxscan/scanner/dns/signal_lookups.hpp"

namespace mxscan {

using boost::asio::awaitable;
using boost::asio::use_awaitable;

// Exchange lookups of a run, shared by every stage thread. A waiter from
// another thread is resumed on its own io_context (the completion posts to the
// waiter's executor).
struct ExchangeCache {
  struct Entry {
    bool done = false;
    // A failed lookup is kept only within the outage epoch it happened in: one
    // made while the resolvers were gone is asked again after they return.
    bool failed = false;
    std::uint64_t epoch = 0;
    AddrAnswer answer;
    std::vector<std::unique_ptr<detail::Completion<AddrAnswer>>> waiters;
  };
  std::mutex mutex;
  std::unordered_map<std::string, Entry> entries;  // nodes are stable across inserts
  std::uint64_t exchanges = 0;
  std::uint64_t hits = 0;
  SignalCache signals;  // SPF include targets and TLSA, shared likewise
};

struct DnsStage::Impl {
  Impl(Resolver& r, std::shared_ptr<ExchangeCache> c) : resolver(r), cache(std::move(c)) {}
  Resolver& resolver;
  std::shared_ptr<ExchangeCache> cache;
  DnsStageStats stats;  // domains, invalid, mx_status of this stage (thread)
};

namespace {

bool resolver_failure(DnsStatus s) {
  return s == DnsStatus::timeout || s == DnsStatus::refused || s == DnsStatus::error;
}

std::uint64_t outage_epoch(const DnsStage::Impl& impl) {
  const DnsHealth* health = impl.resolver.options().health;
  return health != nullptr ? health->pauses() : 0;
}

bool stale(const ExchangeCache::Entry& e, std::uint64_t epoch) {
  return e.done && e.failed && e.epoch != epoch;
}

// Registers a waiter for an exchange another lookup is resolving; completes at
// once if that lookup finished in the meantime.
struct WaitForExchange {
  std::shared_ptr<ExchangeCache> cache;
  std::string host;
  void operator()(std::unique_ptr<detail::Completion<AddrAnswer>> done) {
    std::unique_lock lock(cache->mutex);
    auto& entry = cache->entries[host];
    if (entry.done) {
      AddrAnswer copy = entry.answer;
      lock.unlock();
      done->complete(std::move(copy));
      return;
    }
    entry.waiters.push_back(std::move(done));
  }
};

// The finished answer for an exchange, if there is one (counts a hit).
bool cached_answer(ExchangeCache& cache, const std::string& host, MxRecord& r,
                   std::uint64_t epoch) {
  std::lock_guard lock(cache.mutex);
  auto it = cache.entries.find(host);
  if (it == cache.entries.end() || !it->second.done || stale(it->second, epoch)) return false;
  ++cache.hits;
  r.addr_status = it->second.answer.status;
  r.cnames = it->second.answer.cnames;
  r.addresses = it->second.answer.addresses;
  return true;
}

awaitable<AddrAnswer> lookup_exchange(std::shared_ptr<DnsStage::Impl> impl, std::string host) {
  ExchangeCache& cache = *impl->cache;
  const std::uint64_t epoch = outage_epoch(*impl);
  bool mine = false;
  std::optional<AddrAnswer> finished;
  {
    std::lock_guard lock(cache.mutex);
    auto [it, inserted] = cache.entries.try_emplace(host);
    if (inserted) {
      mine = true;
      ++cache.exchanges;
    } else if (stale(it->second, epoch)) {
      mine = true;
      it->second.done = false;
    } else {
      ++cache.hits;
      if (it->second.done) finished = it->second.answer;
    }
  }
  if (finished) co_return std::move(*finished);
  if (!mine) {
    // A named variable: g++ 12 mishandles non-trivial temporaries inside co_await.
    WaitForExchange wait{impl->cache, std::move(host)};
    co_return co_await detail::async_wait_for<AddrAnswer>(impl->resolver.io(), std::move(wait),
                                                          use_awaitable);
  }
  AddrAnswer answer = co_await impl->resolver.addresses(host);
  std::vector<std::unique_ptr<detail::Completion<AddrAnswer>>> waiters;
  {
    std::lock_guard lock(cache.mutex);
    auto& entry = cache.entries[host];
    entry.done = true;
    entry.failed = resolver_failure(answer.status);
    entry.epoch = epoch;
    entry.answer = answer;
    waiters = std::move(entry.waiters);
    entry.waiters.clear();
  }
  for (auto& w : waiters) w->complete(answer);
  co_return answer;
}

void count(DnsStage::Impl& impl, const DomainObs& obs, bool invalid_input) {
  ++impl.stats.domains;
  if (invalid_input) ++impl.stats.invalid;
  ++impl.stats.mx_status[static_cast<std::size_t>(obs.mx_status)];
}

awaitable<DomainObs> resolve_mx(std::shared_ptr<DnsStage::Impl> impl, DomainObs obs) {
  MxAnswer mx = co_await impl->resolver.mx(obs.domain);
  obs.mx_status = mx.status;
  obs.mx_capped = mx.capped;
  obs.cnames = std::move(mx.cnames);
  obs.error = std::move(mx.error);
  for (auto& entry : mx.records) {
    MxRecord r;
    r.preference = entry.preference;
    r.exchange = std::move(entry.exchange);
    if (is_ip_literal(r.exchange)) {
      r.addr_status = DnsStatus::address_literal;
    } else if (r.exchange.empty() || host_name_problem(r.exchange)) {
      // Not a host name, or "." beside other records (RFC 7505 forbids that).
      r.addr_status = DnsStatus::invalid_name;
    } else if (!cached_answer(*impl->cache, r.exchange, r, outage_epoch(*impl))) {
      AddrAnswer a = co_await lookup_exchange(impl, r.exchange);
      r.addr_status = a.status;
      r.cnames = std::move(a.cnames);
      r.addresses = std::move(a.addresses);
    }
    obs.mx.push_back(std::move(r));
  }
  co_return obs;
}

// DANE: TLSA for each primary exchange (the lowest preference), once per exchange per run.
awaitable<void> add_tlsa(std::shared_ptr<DnsStage::Impl> impl, DomainObs& obs) {
  auto usable = [](const MxRecord& r) {
    return r.addr_status != DnsStatus::invalid_name && r.addr_status != DnsStatus::address_literal;
  };
  std::optional<std::uint16_t> primary;
  for (const auto& r : obs.mx) {
    if (usable(r) && (!primary || r.preference < *primary)) primary = r.preference;
  }
  for (auto& r : obs.mx) {
    if (!usable(r) || r.preference != primary) continue;
    r.tlsa = co_await lookup_tlsa(impl->resolver, impl->cache->signals, r.exchange);
  }
}

awaitable<DomainObs> resolve_record(std::shared_ptr<DnsStage::Impl> impl, DomainRecord rec) {
  using namespace boost::asio::experimental::awaitable_operators;
  DomainObs obs;
  obs.domain = std::move(rec.domain);
  obs.line = rec.line;
  const bool signals = impl->resolver.options().signals;
  if (!rec.valid()) {
    obs.mx_status = DnsStatus::invalid_name;
    obs.error = std::move(rec.problem);
    if (signals) obs.signals.emplace();  // collected, nothing queried
    count(*impl, obs, true);
    co_return obs;
  }
  if (!signals) {
    obs = co_await resolve_mx(impl, std::move(obs));
  } else {
    // The TXT lookups do not depend on the MX answer: asked at the same time.
    std::string domain = obs.domain;
    auto [mx_part, txt_part] =
        co_await (resolve_mx(impl, std::move(obs)) &&
                  collect_signals(impl->resolver, impl->cache->signals, std::move(domain)));
    obs = std::move(mx_part);
    obs.signals = std::move(txt_part);
    co_await add_tlsa(impl, obs);
  }
  count(*impl, obs, false);
  co_return obs;
}

}  // namespace

DnsStage::DnsStage(Resolver& resolver)
    : impl_(std::make_shared<Impl>(resolver, std::make_shared<ExchangeCache>())) {}

DnsStage::DnsStage(Resolver& resolver, std::shared_ptr<ExchangeCache> shared_cache)
    : impl_(std::make_shared<Impl>(resolver, std::move(shared_cache))) {}

std::shared_ptr<ExchangeCache> DnsStage::new_exchange_cache() {
  return std::make_shared<ExchangeCache>();
}

DnsStage::~DnsStage() = default;

awaitable<DomainObs> DnsStage::resolve(DomainRecord record) {
  return resolve_record(impl_, std::move(record));
}

void DnsStage::discard(const DomainObs& obs) {
  --impl_->stats.domains;
  --impl_->stats.mx_status[static_cast<std::size_t>(obs.mx_status)];
}

awaitable<AddrAnswer> DnsStage::exchange_addresses(std::string exchange) {
  return lookup_exchange(impl_, std::move(exchange));
}

DnsStageStats DnsStage::stats() const {
  DnsStageStats s = impl_->stats;
  std::lock_guard lock(impl_->cache->mutex);
  s.exchanges = impl_->cache->exchanges;
  s.exchange_cache_hits = impl_->cache->hits;
  s.resolver = impl_->resolver.stats();
  return s;
}

namespace {

// What the threads of one run share: the source, the sink and the first error.
struct SharedRun {
  SharedRun(DomainSource& src, const DomainObsSink& out) : source(src), sink(out) {}
  DomainSource& source;
  const DomainObsSink& sink;
  std::mutex source_mutex;
  std::mutex sink_mutex;
  std::mutex error_mutex;
  std::exception_ptr error;
  std::atomic<bool> stop{false};

  void fail(const std::exception_ptr& e) {
    std::lock_guard lock(error_mutex);
    if (!error) error = e;
    stop = true;
  }
};

struct ThreadRun {
  SharedRun* shared;
  DnsStage* stage;
  Resolver* resolver;
  std::size_t active = 0;
  // Workers wait on it while DNS health is paused; never expires, cancelled
  // (all waits at once) by the health's waker.
  boost::asio::steady_timer* gate = nullptr;
};

// True once admission is open; false when the scan failed for want of a
// resolver. Waits while the resolvers are being re-probed.
awaitable<bool> admitted(ThreadRun* run) {
  DnsHealth* health = run->resolver->options().health;
  if (health == nullptr) co_return true;
  while (true) {
    const DnsHealth::State state = health->state();
    if (state == DnsHealth::State::running) co_return true;
    if (state == DnsHealth::State::failed) co_return false;
    co_await run->gate->async_wait(boost::asio::as_tuple(use_awaitable));
  }
}

bool resolver_failed(const DomainObs& obs) {
  if (resolver_failure(obs.mx_status)) return true;
  for (const auto& mx : obs.mx) {
    if (resolver_failure(mx.addr_status)) return true;
  }
  return false;
}

// A domain whose lookups failed for want of an answer (`obs`, asked when the
// health had seen `pauses` outages): asked a second time before it is recorded
// (which also gives an outage the time to show), and again while outages come
// and go; nullopt when the scan failed meanwhile: the domain is not recorded,
// --resume redoes it. Only such domains pay for this coroutine.
awaitable<std::optional<DomainObs>> second_opinion(ThreadRun* run, DomainRecord rec, DomainObs obs,
                                                   std::uint64_t pauses) {
  constexpr int kMaxAttempts = 5;
  DnsHealth& health = *run->resolver->options().health;
  for (int attempt = 1;; ++attempt) {
    if (!co_await admitted(run)) {
      run->stage->discard(obs);
      co_return std::nullopt;
    }
    const bool outage_meanwhile = health.pauses() != pauses;
    if (attempt >= kMaxAttempts || (attempt >= 2 && !outage_meanwhile)) co_return obs;
    run->stage->discard(obs);
    pauses = health.pauses();
    obs = co_await run->stage->resolve(rec);
    if (!resolver_failed(obs)) co_return obs;
  }
}

awaitable<void> worker(ThreadRun* run) {
  SharedRun& shared = *run->shared;
  DnsHealth* health = run->resolver->options().health;
  while (!shared.stop) {
    if (health != nullptr && health->state() != DnsHealth::State::running &&
        !co_await admitted(run)) {
      break;
    }
    std::optional<DomainRecord> rec;
    try {
      std::lock_guard lock(shared.source_mutex);
      rec = shared.source.next();
    } catch (...) {
      shared.fail(std::current_exception());
      break;
    }
    if (!rec) break;
    std::optional<DomainObs> obs;
    if (health == nullptr) {
      obs = co_await run->stage->resolve(std::move(*rec));
    } else {
      const std::uint64_t pauses = health->pauses();
      DomainObs first = co_await run->stage->resolve(*rec);
      if (resolver_failed(first)) {
        obs = co_await second_opinion(run, std::move(*rec), std::move(first), pauses);
      } else {
        obs = std::move(first);
      }
    }
    if (!obs) break;
    std::lock_guard lock(shared.sink_mutex);
    shared.sink(std::move(*obs));
  }
}

struct WorkerDone {
  ThreadRun* run;
  void operator()(const std::exception_ptr& e) const {
    if (e) run->shared->fail(e);
    if (--run->active == 0) run->resolver->close();
  }
};

// One thread's share of the run: its own io_context, channels and workers.
void run_thread(SharedRun& shared, const DnsOptions& options,
                const std::shared_ptr<ExchangeCache>& cache, DnsStageStats& stats_out) {
  try {
    boost::asio::io_context io(1);
    Resolver resolver(io, options);
    DnsStage stage(resolver, cache);
    boost::asio::steady_timer gate(io, boost::asio::steady_timer::time_point::max());
    // A domain with signals has five lookups in flight at once (MX and four TXT): fewer
    // domains at a time keep the queries in flight at the cap without thousands of
    // suspended coroutines waiting for admission (docs/performance.md, "dns --signals").
    const std::size_t workers = options.signals
                                    ? std::max<std::size_t>(1, options.max_in_flight / 4)
                                    : options.max_in_flight;
    ThreadRun run{&shared, &stage, &resolver, workers, &gate};
    // Unregistered (also on an exception) before the io_context and gate die.
    struct Waker {
      DnsHealth* health;
      std::uint64_t key = 0;
      ~Waker() {
        if (health != nullptr) health->remove_waker(key);
      }
    } waker{options.health};
    if (waker.health != nullptr) {
      waker.key = waker.health->add_waker(
          [&io, &gate] { boost::asio::post(io, [&gate] { gate.cancel(); }); });
    }
    for (std::size_t i = 0; i < workers; ++i) {
      boost::asio::co_spawn(io, worker(&run), WorkerDone{&run});
    }
    io.run();
    stats_out = stage.stats();
  } catch (...) {
    shared.fail(std::current_exception());
  }
}

}  // namespace

DnsStageStats run_dns_stage(DomainSource& source, const DnsOptions& options,
                            const DomainObsSink& sink) {
  std::string problem = check_dns_options(options);
  if (!problem.empty()) throw std::invalid_argument(problem);
  auto start = std::chrono::steady_clock::now();
  // Each thread gets an even share of the in-flight cap, the rate and the channels.
  std::size_t threads = options.threads;
  DnsOptions per_thread = options;
  per_thread.max_in_flight = std::max<std::size_t>(1, options.max_in_flight / threads);
  per_thread.channels = std::max<std::size_t>(1, options.channels / threads);
  per_thread.qps = options.qps / static_cast<double>(threads);
  SharedRun shared(source, sink);
  auto cache = DnsStage::new_exchange_cache();
  std::vector<DnsStageStats> stats(threads);
  if (threads == 1) {
    run_thread(shared, per_thread, cache, stats[0]);
  } else {
    std::vector<std::thread> pool;
    for (std::size_t t = 0; t < threads; ++t) {
      pool.emplace_back(run_thread, std::ref(shared), std::cref(per_thread), std::cref(cache),
                        std::ref(stats[t]));
    }
    for (auto& th : pool) th.join();
  }
  if (shared.error) std::rethrow_exception(shared.error);
  DnsStageStats total = stats[0];
  for (std::size_t t = 1; t < threads; ++t) {
    const DnsStageStats& s = stats[t];
    total.domains += s.domains;
    total.invalid += s.invalid;
    for (std::size_t k = 0; k < total.mx_status.size(); ++k) total.mx_status[k] += s.mx_status[k];
    total.resolver.queries += s.resolver.queries;
    total.resolver.answers += s.resolver.answers;
    total.resolver.timeouts += s.resolver.timeouts;
    total.resolver.malformed += s.resolver.malformed;
    total.resolver.max_waiting = std::max(total.resolver.max_waiting, s.resolver.max_waiting);
  }
  {
    // Other threads may have used the shared cache after thread 0 finished.
    std::lock_guard lock(cache->mutex);
    total.exchanges = cache->exchanges;
    total.exchange_cache_hits = cache->hits;
  }
  total.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return total;
}

}  // namespace mxscan
