// Step 5 of docs/method.md, the provider of a domain: every MX of P(d) gets its
// provider assignment and credit 1/|P(d)|; a domain without P(d) gets the
// status that says why (docs/method.md, "Domain status").
//
// Design note. The result is built per domain from the batch-wide state in
// output order and handed on at once, so finish(sink) streams millions of
// results without keeping them. The status is decided from the DNS outcome
// first and from the host records only when the MX set is usable, so a DNS
// error is never reported as "no SMTP".
#pragma once

#include <cstdint>

#include "batch_store.hpp"
#include "primary_sets.hpp"
#include "provider_id.hpp"

namespace mxscan::detail {

DomainResult result_of(const BatchStore& store, const PrimarySets& sets, ProviderIds& ids,
                       std::uint32_t domain);

// result_of with the domain's signal facts attached beside the paper's result
// (signal_facts.hpp): what Batch and StreamingBatch hand to their sinks.
DomainResult result_with_signals(const BatchStore& store, const PrimarySets& sets, ProviderIds& ids,
                                 std::uint32_t domain);

}  // namespace mxscan::detail
