// The DNS stage: turns each input domain into a complete DomainObs (its MX
// records, and for every exchange its addresses, with the outcome of each
// lookup), resolving an exchange shared by many domains once per run.
//
// Design note. Exchange lookups go through a cache of in-flight and finished
// lookups: the first domain to need an exchange asks, later ones wait for that
// answer (posted to them, never resumed inline) or take the finished one. The
// cache lives for the run: at 1M domains it holds a few hundred thousand
// exchanges. run_dns_stage() is the whole stage for a caller without an event
// loop of its own: max_in_flight workers pull from the source, so the in-flight
// cap and the queries/s bucket of the Resolver bound the traffic and the source
// is read only as fast as it is resolved. With several threads (DnsOptions::
// threads) the source, the sink and the exchange cache are shared under locks. Observations reach
// the sink in completion order, not input order.
#pragma once

#include <boost/asio/awaitable.hpp>

#include <array>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "mxscan/common/domain_list.hpp"
#include "mxscan/common/observation.hpp"
#include "mxscan/scanner/dns/dns_options.hpp"
#include "mxscan/scanner/dns/dns_resolver.hpp"

namespace mxscan {

struct DnsStageStats {
  std::uint64_t domains = 0;                  // observations emitted (valid and invalid)
  std::uint64_t invalid = 0;                  // input names rejected before any query
  std::array<std::uint64_t, 12> mx_status{};  // per DnsStatus, indexed by its value
  std::uint64_t exchanges = 0;                // distinct exchanges looked up
  std::uint64_t exchange_cache_hits = 0;
  ResolverStats resolver;
  double seconds = 0;  // wall time of run_dns_stage
};

// Exchange lookups shared by stages (one per thread) of the same run.
struct ExchangeCache;

class DnsStage {
 public:
  // A stage with its own exchange cache.
  explicit DnsStage(Resolver& resolver);
  // A stage sharing `shared_cache` with stages on other threads (each stage
  // with its own Resolver and io_context): an exchange is still resolved once.
  DnsStage(Resolver& resolver, std::shared_ptr<ExchangeCache> shared_cache);
  static std::shared_ptr<ExchangeCache> new_exchange_cache();
  ~DnsStage();
  DnsStage(const DnsStage&) = delete;
  DnsStage& operator=(const DnsStage&) = delete;

  // Resolves one record; an invalid record becomes an observation with
  // mx_status invalid_name and its problem as the error, without a query.
  boost::asio::awaitable<DomainObs> resolve(DomainRecord record);

  // A result of resolve() that is not emitted (asked again, or dropped because
  // the resolvers are gone): its counts are taken back.
  void discard(const DomainObs& obs);

  // Addresses of an exchange, shared by every domain that names it.
  boost::asio::awaitable<AddrAnswer> exchange_addresses(std::string exchange);

  // Counts of this stage; the exchange counts are those of the shared cache.
  // Call on the stage's thread (or after its io_context stopped).
  DnsStageStats stats() const;

  struct Impl;

 private:
  std::shared_ptr<Impl> impl_;
};

using DomainObsSink = std::function<void(DomainObs&&)>;

// Resolves every record of `source` and hands each DomainObs to `sink`. With
// options.threads == 1 everything runs on the calling thread; with more, each
// thread has its own io_context, Resolver and an even share of the in-flight
// cap, the queries/s limit and the channels, the exchange cache is shared, and
// `sink` is called from those threads one call at a time (under a lock). Throws
// std::invalid_argument for unusable options and rethrows the source's
// std::runtime_error (observations emitted before it stand).
DnsStageStats run_dns_stage(DomainSource& source, const DnsOptions& options,
                            const DomainObsSink& sink);

}  // namespace mxscan
