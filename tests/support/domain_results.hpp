// Domain results as the inference gives them, for the tests of what reads
// them (summaries, migration, the report): one place builds them, so a field
// added to DomainResult is filled the same way for all of those tests.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "mxscan/inference/result.hpp"

namespace mxscan::test {

// A domain whose mail the given providers receive.
inline DomainResult ok(std::string domain, std::vector<ProviderAssignment> providers) {
  DomainResult r;
  r.domain = std::move(domain);
  r.status = DomainOutcome::ok;
  r.providers = std::move(providers);
  return r;
}

// A domain that ended in `status` (no provider), with the reason given.
inline DomainResult with_status(std::string domain, DomainOutcome status, std::string reason = {}) {
  DomainResult r;
  r.domain = std::move(domain);
  r.status = status;
  r.reason = std::move(reason);
  return r;
}

}  // namespace mxscan::test
