// Steps 2, 3 and 4 of docs/method.md for one MX of P(d): the candidate IDs of the
// sources in priority order (TLS, then banner/EHLO, then the MX name), each with
// its confidence score, and the misidentification checks (AS check, banner
// pattern, certificate pattern) on a candidate whose score is below the
// threshold; the first candidate not flagged wins.
//
// Design note. A source proposes an ID only when every live IP of the MX that
// has evidence of that kind agrees, and the checks run per candidate, so a
// flagged ID falls back to the next source checked the same way; the output
// keeps the first flag. An exchange shared by many domains usually has the same
// live addresses in all of them, so its assignment is memoised per exchange and
// reused when the live set is equal (never across different sets). Reasons name
// the smallest offending address or name, never the first seen, so they do not
// depend on arrival order either.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <unordered_map>
#include <vector>

#include "batch_store.hpp"
#include "mxscan/inference/batch.hpp"
#include "primary_sets.hpp"

namespace mxscan::detail {

// A provider ID candidate of one source for one MX.
struct Candidate {
  Source source = Source::mx;
  std::uint32_t id = kNone;  // name id; kNone: no ID
  std::uint64_t score = 1;
};

class ProviderIds {
  struct Memo {
    std::vector<std::uint32_t> live;
    ProviderAssignment assignment;
  };
  // Outcome of step 4 for one candidate.
  struct Verdict {
    std::optional<Flag> flag;
    std::string reason;
    std::uint32_t corrected = kNone;  // relabelled ID (AS check cases 2 and 3)
  };

  BatchStore& store_;  // the checks intern relabelled IDs and fill the per-name caches
  const PrimarySets& sets_;
  Options options_;
  std::unordered_map<std::uint32_t, Memo> memo_;  // per exchange shared by several domains

 public:
  ProviderIds(BatchStore& store, const PrimarySets& sets, Options options)
      : store_(store), sets_(sets), options_(options) {}

  // The assignment of MX `exchange` with live addresses `live_ips` (credit unset).
  ProviderAssignment assign_cached(std::uint32_t exchange, std::span<const std::uint32_t> live_ips);

 private:
  std::optional<Candidate> tls_candidate(std::span<const std::uint32_t> live_ips) const;
  std::optional<Candidate> banner_candidate(std::uint32_t ex,
                                            std::span<const std::uint32_t> live_ips) const;
  bool all_vps(const std::vector<std::uint32_t>& candidates, std::uint32_t company,
               NameSource source, std::string* example);
  Verdict check(const Candidate& c, std::span<const std::uint32_t> live_ips);
  ProviderAssignment assign(std::uint32_t ex, std::span<const std::uint32_t> live_ips);
};

}  // namespace mxscan::detail
