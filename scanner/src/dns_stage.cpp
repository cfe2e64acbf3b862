#include "mxscan/scanner/dns_stage.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <exception>
#include <stdexcept>
#include <unordered_map>
#include <vector>

#include "dns_completion.hpp"
#include "mxscan/common/host_name.hpp"
#include "mxscan/common/names.hpp"

namespace mxscan {

using boost::asio::awaitable;
using boost::asio::use_awaitable;

struct DnsStage::Impl {
  struct Entry {
    bool done = false;
    AddrAnswer answer;
    std::vector<std::unique_ptr<detail::Completion<AddrAnswer>>> waiters;
  };

  explicit Impl(Resolver& r) : resolver(r) {}

  Resolver& resolver;
  std::unordered_map<std::string, Entry> cache;
  DnsStageStats stats;
};

namespace {

struct WaitForEntry {
  DnsStage::Impl::Entry* entry;
  void operator()(std::unique_ptr<detail::Completion<AddrAnswer>> done) {
    entry->waiters.push_back(std::move(done));
  }
};

awaitable<AddrAnswer> lookup_exchange(std::shared_ptr<DnsStage::Impl> impl, std::string host) {
  auto it = impl->cache.find(host);
  if (it != impl->cache.end()) {
    ++impl->stats.exchange_cache_hits;
    if (it->second.done) co_return it->second.answer;
    WaitForEntry wait{&it->second};
    co_return co_await detail::async_wait_for<AddrAnswer>(impl->resolver.io(), wait, use_awaitable);
  }
  ++impl->stats.exchanges;
  // unordered_map nodes are stable: the entry survives later insertions.
  DnsStage::Impl::Entry& entry = impl->cache[host];
  AddrAnswer answer = co_await impl->resolver.addresses(host);
  entry.done = true;
  entry.answer = answer;
  auto waiters = std::move(entry.waiters);
  entry.waiters.clear();
  for (auto& w : waiters) w->complete(answer);
  co_return answer;
}

awaitable<DomainObs> resolve_record(std::shared_ptr<DnsStage::Impl> impl, DomainRecord rec) {
  DomainObs obs;
  obs.domain = std::move(rec.domain);
  obs.line = rec.line;
  if (!rec.valid()) {
    obs.mx_status = DnsStatus::invalid_name;
    obs.error = std::move(rec.problem);
    co_return obs;
  }
  MxAnswer mx = co_await impl->resolver.mx(obs.domain);
  obs.mx_status = mx.status;
  obs.mx_capped = mx.capped;
  obs.error = std::move(mx.error);
  for (auto& entry : mx.records) {
    MxRecord r;
    r.preference = entry.preference;
    r.exchange = std::move(entry.exchange);
    if (r.exchange.empty()) {
      r.addr_status = DnsStatus::invalid_name;  // "." beside other records (RFC 7505 forbids)
    } else if (is_ip_literal(r.exchange)) {
      r.addr_status = DnsStatus::address_literal;
    } else if (host_name_problem(r.exchange)) {
      r.addr_status = DnsStatus::invalid_name;
    } else {
      AddrAnswer a = co_await lookup_exchange(impl, r.exchange);
      r.addr_status = a.status;
      r.cnames = std::move(a.cnames);
      r.addresses = std::move(a.addresses);
    }
    obs.mx.push_back(std::move(r));
  }
  co_return obs;
}

}  // namespace

DnsStage::DnsStage(Resolver& resolver) : impl_(std::make_shared<Impl>(resolver)) {}
DnsStage::~DnsStage() = default;

awaitable<DomainObs> DnsStage::resolve(DomainRecord record) {
  DomainObs obs = co_await resolve_record(impl_, std::move(record));
  ++impl_->stats.domains;
  if (obs.mx_status == DnsStatus::invalid_name && obs.mx.empty() && !obs.error.empty()) {
    ++impl_->stats.invalid;
  }
  ++impl_->stats.mx_status[static_cast<std::size_t>(obs.mx_status)];
  co_return obs;
}

awaitable<AddrAnswer> DnsStage::exchange_addresses(std::string exchange) {
  co_return co_await lookup_exchange(impl_, std::move(exchange));
}

const DnsStageStats& DnsStage::stats() const noexcept { return impl_->stats; }

namespace {

struct RunState {
  DomainSource& source;
  const DomainObsSink& sink;
  DnsStage& stage;
  Resolver& resolver;
  std::size_t active = 0;
  bool stop = false;
  std::exception_ptr error;
};

awaitable<void> worker(RunState* state) {
  while (!state->stop) {
    std::optional<DomainRecord> rec;
    try {
      rec = state->source.next();
    } catch (...) {
      if (!state->error) state->error = std::current_exception();
      state->stop = true;
      break;
    }
    if (!rec) break;
    DomainObs obs = co_await state->stage.resolve(std::move(*rec));
    state->sink(std::move(obs));
  }
}

struct WorkerDone {
  RunState* state;
  void operator()(std::exception_ptr e) const {
    if (e && !state->error) state->error = e;
    if (e) state->stop = true;
    if (--state->active == 0) state->resolver.close();
  }
};

}  // namespace

DnsStageStats run_dns_stage(DomainSource& source, const DnsOptions& options,
                            const DomainObsSink& sink) {
  auto start = std::chrono::steady_clock::now();
  boost::asio::io_context io(1);
  Resolver resolver(io, options);
  DnsStage stage(resolver);
  RunState state{source, sink, stage, resolver, 0, false, nullptr};
  state.active = options.max_in_flight;
  for (std::size_t i = 0; i < options.max_in_flight; ++i) {
    boost::asio::co_spawn(io, worker(&state), WorkerDone{&state});
  }
  io.run();
  if (state.error) std::rethrow_exception(state.error);
  DnsStageStats stats = stage.stats();
  stats.resolver = resolver.stats();
  stats.seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return stats;
}

}  // namespace mxscan
