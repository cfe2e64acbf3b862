// The inference of docs/method.md over one batch of observations.
//
// Design note. add() accepts domain and host records in any order and keeps only
// what the method needs, compactly: interned exchange names and addresses, and
// per address the liveness, ASN, banner/EHLO FQDN IDs and the trusted
// certificate's names (never transcripts or DER). finish() then runs the five
// steps: primary MX sets, batch counts, certificate groups, provider IDs with
// confidence scores, misidentification checks, credit. Popularity counts are
// batch-wide, so the result depends on the batch but never on the order of add()
// calls. The Catalog and PublicSuffixList must outlive the Batch.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>

#include "mxscan/common/observation.hpp"
#include "mxscan/inference/catalog.hpp"
#include "mxscan/inference/result.hpp"

namespace mxscan {
class PublicSuffixList;
}

namespace mxscan {

struct Options {
  // Step 4 runs when an ID's confidence score is strictly below this.
  std::uint64_t misidentification_threshold = 5;
  // false (default): a flagged ID falls back to the next unflagged source;
  // true: the flagged ID is kept (flag and reason still reported).
  bool keep_flagged = false;
};

class Batch {
 public:
  Batch(const Catalog& catalog, const PublicSuffixList& psl, Options options = {});
  ~Batch();
  Batch(const Batch&) = delete;
  Batch& operator=(const Batch&) = delete;
  Batch(Batch&&) noexcept;
  Batch& operator=(Batch&&) noexcept;

  void add(const DomainObs& domain);
  void add(const HostObs& host);

  // Runs the method; the batch is spent afterwards (further add() throws
  // std::logic_error). Results ordered by input line, then domain.
  Results finish();
  // Same, handing each result to `sink` in that order without keeping them all.
  BatchStats finish(const std::function<void(const DomainResult&)>& sink);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace mxscan
