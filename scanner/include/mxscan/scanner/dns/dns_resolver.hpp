// The resolver: MX and address lookups as coroutines over c-ares channels, with
// the global queries/s cap and the in-flight cap applied to every query.
//
// Design note. Queries wait in a FIFO until both a token (token bucket,
// queries/s) and an in-flight slot are free; a timer wakes the queue when the
// next token is due, so nothing polls. Each sent query goes to the channel with
// room next in rotation; answers are parsed by dns_message.hpp inside the c-ares
// callback and the waiting coroutine is resumed through a post. Statuses are
// values (mxscan::DnsStatus); a malformed answer is `error` with its reason.
// Asio stays out of this header beyond the awaitable type.
#pragma once

#include <boost/asio/awaitable.hpp>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "mxscan/common/observation.hpp"
#include "mxscan/scanner/dns/dns_message.hpp"
#include "mxscan/scanner/dns/dns_options.hpp"

namespace boost::asio {
class io_context;
}

namespace mxscan {

struct MxAnswer {
  DnsStatus status = DnsStatus::not_queried;  // ok, nodata, nxdomain, null_mx, ...
  std::vector<dns::MxEntry> records;          // sorted by preference then exchange, capped
  bool capped = false;                        // more than DnsOptions::max_mx records
  std::vector<std::string> cnames;            // CNAME chain from the domain, if any
  std::string error;                          // detail for error statuses
};

struct AddrAnswer {
  DnsStatus status = DnsStatus::not_queried;  // ok when any address was found
  std::vector<std::string> addresses;         // IPv4 then IPv6, each sorted
  std::vector<std::string> cnames;            // CNAME chain of the A lookup (AAAA's if no A chain)
  std::string error;
};

struct ResolverStats {
  std::uint64_t queries = 0;    // queries sent to c-ares
  std::uint64_t answers = 0;    // callbacks received
  std::uint64_t timeouts = 0;   // tries that timed out (c-ares' count, over all queries)
  std::uint64_t malformed = 0;  // answers the parser rejected
  std::size_t max_waiting = 0;  // longest the admission queue grew
};

class Resolver {
 public:
  // Throws std::runtime_error on unusable options (check_dns_options) or when
  // c-ares cannot start. The io_context must outlive the Resolver and run on
  // one thread.
  Resolver(boost::asio::io_context& io, const DnsOptions& options);
  ~Resolver();
  Resolver(const Resolver&) = delete;
  Resolver& operator=(const Resolver&) = delete;

  // One question, CNAMEs in the answer followed and dangling ones asked again
  // (bounded by dns::kMaxCnameChain).
  boost::asio::awaitable<dns::Answer> query(std::string name, dns::RrType type);
  // MX of a domain (normalised): null MX detected, records sorted and capped.
  boost::asio::awaitable<MxAnswer> mx(std::string name);
  // A (and AAAA when options.ipv6) of a host name (normalised).
  boost::asio::awaitable<AddrAnswer> addresses(std::string host);

  // Stops the channels (pending and queued queries end as `error`) and every
  // timer, so the io_context can run out of work. Idempotent.
  void close();

  ResolverStats stats() const;
  const DnsOptions& options() const noexcept;
  boost::asio::io_context& io() noexcept;

  struct Impl;

 private:
  std::shared_ptr<Impl> impl_;
};

}  // namespace mxscan
