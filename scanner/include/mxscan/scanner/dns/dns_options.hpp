// Controls of the DNS stage: a plain struct the CLI and the configuration file
// fill (docs/dns.md lists each with its default).
//
// Design note. Defaults are polite towards a shared recursive resolver: the
// scanner's DNS traffic goes to the resolvers named here (or those in
// /etc/resolv.conf), never to authoritative servers directly, so the global
// queries/s cap and the in-flight cap are the scan's whole footprint on them.
#pragma once

#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace mxscan {

class DnsHealth;

struct ResolverAddress {
  std::string host;  // numeric IPv4 or IPv6 address
  std::uint16_t port = 53;
};

// Parses `ADDR[:PORT]` (IPv4), `ADDR` or `[ADDR]:PORT` (IPv6). nullopt with a
// reason in *error when the text is not of that form.
std::optional<ResolverAddress> parse_resolver_address(std::string_view text, std::string* error);

// Live figures of the resolver for a progress display. The resolver calls it
// from its event-loop threads (several with DnsOptions::threads), once per
// query handed to c-ares and once when that query ends (answer, timeout,
// refusal or shutdown), so sent - finished is the number in flight.
// Implementations must be thread-safe and cheap: relaxed atomics.
class DnsProgress {
 public:
  virtual ~DnsProgress() = default;
  virtual void query_sent() noexcept = 0;
  virtual void query_finished() noexcept = 0;
};

// A DnsProgress that only counts (tests, tools without a progress line).
class DnsProgressCounts final : public DnsProgress {
 public:
  void query_sent() noexcept override {
    sent_.fetch_add(1, std::memory_order_relaxed);
    auto now = in_flight_.fetch_add(1, std::memory_order_relaxed) + 1;
    auto peak = peak_.load(std::memory_order_relaxed);
    while (now > peak && !peak_.compare_exchange_weak(peak, now, std::memory_order_relaxed)) {
    }
  }
  void query_finished() noexcept override { in_flight_.fetch_sub(1, std::memory_order_relaxed); }
  std::uint64_t sent() const noexcept { return sent_.load(std::memory_order_relaxed); }
  std::int64_t in_flight() const noexcept { return in_flight_.load(std::memory_order_relaxed); }
  std::int64_t peak_in_flight() const noexcept { return peak_.load(std::memory_order_relaxed); }

 private:
  std::atomic<std::uint64_t> sent_{0};
  std::atomic<std::int64_t> in_flight_{0};
  std::atomic<std::int64_t> peak_{0};
};

struct DnsOptions {
  // Recursive resolvers, `ADDR[:PORT]` each; empty: the nameservers of
  // /etc/resolv.conf. Several are used in rotation.
  std::vector<std::string> resolvers;
  // Wait for the first try of a query; c-ares doubles it on each retry
  // (backoff): with 2000 ms and 2 retries, a silent server costs 2+4+8 = 14 s.
  std::chrono::milliseconds timeout{2000};
  int retries = 2;
  // Global queries per second (token bucket, burst of 1/50 s); 0: no limit.
  double qps = 1000;
  // Queries in flight at once across all channels; also the number of domains
  // resolved concurrently by run_dns_stage().
  std::size_t max_in_flight = 1000;
  // c-ares channels (each one UDP socket per resolver and a 16-bit ID space);
  // the in-flight cap is split evenly among them.
  std::size_t channels = 4;
  // Event-loop threads of run_dns_stage(); each gets an even share of
  // max_in_flight, qps and channels.
  std::size_t threads = 1;
  // Also ask AAAA for every exchange.
  bool ipv6 = false;
  // Also collect the signals (SPF, MTA-STS, TLS-RPT, DMARC TXT; TLSA per primary
  // exchange: signal_lookups.hpp). Off here; `mxscan scan` turns it on by default.
  bool signals = false;
  // MX records kept per domain; more are dropped and the domain flagged mx_capped.
  std::size_t max_mx = 32;
  // EDNS UDP payload size advertised (1232: no IP fragmentation).
  std::uint16_t edns_udp_size = 1232;
  // Told of every query sent and finished; not owned, must outlive the stage.
  // nullptr: nobody watches.
  DnsProgress* progress = nullptr;
  // Told of every query's outcome and asked for admission (dns_health.hpp); not
  // owned. nullptr: no outage detection, every result is recorded as it comes.
  DnsHealth* health = nullptr;
};

// Empty when the options are usable, else what is wrong (first problem found).
std::string check_dns_options(const DnsOptions& options);

}  // namespace mxscan
