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
// is read only as fast as it is resolved. Observations reach the sink in
// completion order, not input order.
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
#include "mxscan/scanner/dns_options.hpp"
#include "mxscan/scanner/dns_resolver.hpp"

namespace mxscan {

struct DnsStageStats {
  std::uint64_t domains = 0;            // observations emitted (valid and invalid)
  std::uint64_t invalid = 0;            // input names rejected before any query
  std::array<std::uint64_t, 12> mx_status{};  // per DnsStatus, indexed by its value
  std::uint64_t exchanges = 0;          // distinct exchanges looked up
  std::uint64_t exchange_cache_hits = 0;
  ResolverStats resolver;
  double seconds = 0;                   // wall time of run_dns_stage
};

class DnsStage {
 public:
  explicit DnsStage(Resolver& resolver);
  ~DnsStage();
  DnsStage(const DnsStage&) = delete;
  DnsStage& operator=(const DnsStage&) = delete;

  // Resolves one record; an invalid record becomes an observation with
  // mx_status invalid_name and its problem as the error, without a query.
  boost::asio::awaitable<DomainObs> resolve(DomainRecord record);

  // Addresses of an exchange, shared by every domain that names it.
  boost::asio::awaitable<AddrAnswer> exchange_addresses(std::string exchange);

  const DnsStageStats& stats() const noexcept;

  struct Impl;

 private:
  std::shared_ptr<Impl> impl_;
};

using DomainObsSink = std::function<void(DomainObs&&)>;

// Resolves every record of `source` with its own io_context on the calling
// thread and hands each DomainObs to `sink` (called on that thread). Throws
// std::invalid_argument for unusable options and rethrows the source's
// std::runtime_error (observations emitted before it stand).
DnsStageStats run_dns_stage(DomainSource& source, const DnsOptions& options,
                            const DomainObsSink& sink);

}  // namespace mxscan
