// The resolver probe: before a scan contacts anything (and before its results
// folder exists), and again while a scan waits out a DNS outage, each
// configured resolver is asked the SOA of one name (dns.probe_name, the root by
// default).
//
// Design note. A resolver "answers" only with NOERROR or NXDOMAIN: a server
// that replies REFUSED or SERVFAIL to the root's SOA (a closed recursive
// resolver, an authoritative-only server, a resolver cut off from upstream)
// would give the same answer to every domain of the scan, so it is as unusable
// as a silent one. Each resolver is asked on its own c-ares channel with the
// scan's own timeout and tries, all in parallel on one io_context, so the probe
// takes at most one query's worst case (c-ares doubles the timeout per try).
#pragma once

#include <boost/asio/awaitable.hpp>

#include <chrono>
#include <stdexcept>
#include <string>
#include <vector>

#include "mxscan/common/observation.hpp"
#include "mxscan/scanner/dns/dns_options.hpp"

namespace boost::asio {
class io_context;
}

namespace mxscan {

// A start-up refusal: no resolver answers. The CLI maps it to exit 2, also on
// --resume (the folder is left as it was).
struct ResolverProbeError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

struct ResolverProbeResult {
  std::string resolver;  // as configured, or the /etc/resolv.conf label
  DnsStatus status = DnsStatus::not_queried;
  std::string detail;  // why not, for a resolver that did not answer
  bool answered() const noexcept {
    return status == DnsStatus::ok || status == DnsStatus::nodata || status == DnsStatus::nxdomain;
  }
};

struct ResolverProbeReport {
  std::string name;  // as configured, "." for the root
  std::chrono::milliseconds timeout{0};
  int tries = 0;
  std::vector<ResolverProbeResult> results;  // one per resolver, in configured order

  std::size_t answering() const noexcept;
  // "SOA of "." (timeout 2000 ms, doubled on each of 3 tries)"
  std::string what_was_asked() const;
  // One "resolver: outcome" item per resolver that did not answer, joined by "; ".
  std::string silent_list() const;
};

// Empty when `name` can be probed (a host name or "."), else why not.
std::string probe_name_problem(const std::string& name);

// Asks one resolver (the options' first, or /etc/resolv.conf's when none is
// configured) the SOA of `name` on a channel of its own, on `io`.
boost::asio::awaitable<ResolverProbeResult> probe_resolver(boost::asio::io_context& io,
                                                           DnsOptions options, std::string name);

// Probes every resolver of `options` in parallel on an io_context of its own
// and returns when all have answered or given up. Throws std::invalid_argument
// on unusable options or name.
ResolverProbeReport probe_resolvers(const DnsOptions& options, const std::string& name);

// The start-up check of a scan: throws ResolverProbeError naming the resolvers
// and what was asked when none answers; returns a warning naming those that did
// not when some did, or an empty string. `on_resume`: the folder to name in the
// message (empty for a new scan).
std::string require_answering_resolver(const DnsOptions& options, const std::string& name,
                                       const std::string& on_resume);

}  // namespace mxscan
