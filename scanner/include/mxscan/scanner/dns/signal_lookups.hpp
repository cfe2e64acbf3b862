// The signals of a domain beyond its MX records: SPF (with its include:/
// redirect= walk), MTA-STS, TLS-RPT and DMARC TXT records, and TLSA per
// primary exchange (docs/dns.md, "Signals").
//
// Design note. Every query goes through the scan's Resolver (its rate and
// in-flight caps apply). SPF records reached through include:/redirect= and TLSA
// answers are kept in a SignalCache shared by all domains and stage threads, so
// a provider's include chain is fetched once per run and a domain pays about
// one TXT query for its own SPF record. The walk follows RFC 7208's limits (10
// DNS-querying terms, 2 void lookups) but evaluates nothing against a sender:
// every include and the redirect are followed as if no mechanism matched.
// Expected failures are values (statuses, "permerror"/"temperror" results).
#pragma once

#include <boost/asio/awaitable.hpp>

#include <cstdint>
#include <memory>
#include <string>

#include "mxscan/common/observation.hpp"
#include "mxscan/scanner/dns/dns_resolver.hpp"

namespace mxscan {

// Shared by the stages (threads) of one run.
class SignalCache {
 public:
  SignalCache();
  ~SignalCache();
  SignalCache(const SignalCache&) = delete;
  SignalCache& operator=(const SignalCache&) = delete;

  struct Counts {
    std::uint64_t spf_fetches = 0;  // include/redirect targets fetched
    std::uint64_t spf_hits = 0;     // ... taken from the cache (finished or in flight)
    std::uint64_t tlsa_fetches = 0;
    std::uint64_t tlsa_hits = 0;
  };
  Counts counts() const;

  struct Impl;
  Impl& impl() noexcept { return *impl_; }

 private:
  std::unique_ptr<Impl> impl_;
};

// The TXT signals of `domain` (normalised): four lookups in parallel.
boost::asio::awaitable<DomainSignals> collect_signals(Resolver& resolver, SignalCache& cache,
                                                      std::string domain);

// TLSA at _25._tcp.<exchange>, with the resolver's AD bit; cached per exchange.
boost::asio::awaitable<TlsaObs> lookup_tlsa(Resolver& resolver, SignalCache& cache,
                                            std::string exchange);

}  // namespace mxscan
