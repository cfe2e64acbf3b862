// DNS errors of a run broken down by cause, and the plain sentence saying so
// when they are most of the run.
//
// Design note. A domain whose MX lookup failed is `dns_error` in
// providers.jsonl; its reason reads "MX lookup failed: CAUSE (detail)", CAUSE
// being the DnsStatus text (timeout, refused, servfail, error, cname_loop).
// The cause is read back from that reason so summary.json (written from the
// results as they come) and `mxscan report` (reading providers.jsonl) count
// alike. When more than half of the domains ended that way the run measured
// its resolver, not the domains: the summary and the report say so first.
#pragma once

#include <cstdint>
#include <map>
#include <string>

#include "mxscan/inference/result.hpp"

namespace mxscan {

using DnsErrorCauses = std::map<std::string, std::uint64_t>;  // cause -> domains

// The cause of a dns_error result ("timeout", "refused", "servfail", ...);
// "other" when its reason does not name one.
std::string dns_error_cause(const DomainResult& result);

// More than half of `total` domains ended in DNS errors.
bool mostly_dns_errors(std::uint64_t errors, std::uint64_t total) noexcept;

// "3 of 3 domains (100.0 %) ended in DNS errors: timeout 3", followed, when
// they are most of the run, by what that means; empty without DNS errors.
std::string dns_error_sentence(std::uint64_t errors, std::uint64_t total,
                               const DnsErrorCauses& causes);

}  // namespace mxscan
