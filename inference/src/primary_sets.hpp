// The batch-wide view the provider IDs are computed against: the primary MX
// set P(d) of every domain, the batch counts cnt_mx, cnt_ip and cnt_cert_rd
// (docs/method.md, "Primary MX set P(d)" and "Batch counts"), and step 1, the
// certificate groups and their representative names.
//
// Design note. Scores compare an ID's popularity across the whole batch, so
// every count must be complete before the first ID is chosen: hence one pass
// over all kept domains, in output order, before steps 2-5. The three live
// together because they come out of that one pass (each domain's P(d) gives its
// exchanges, live addresses and certificate RDs, each counted at most once per
// domain), and step 1 groups only the certificates that pass saw. P(d) is
// stored flat (per domain a range of PrimaryMx, per MX a range of sorted live
// address ids), so the later steps read spans and allocate nothing.
#pragma once

#include <cstdint>
#include <span>
#include <string_view>
#include <utility>
#include <vector>

#include "batch_store.hpp"

namespace mxscan::detail {

// One MX of a primary set: its exchange and its live addresses (sorted ids).
struct PrimaryMx {
  std::uint32_t exchange = kNone;
  std::uint32_t live_begin = 0;
  std::uint32_t live_count = 0;
};

struct PrimarySets {
  // P(d): per domain record a range in primaries (begin, count), written in
  // processing order; per MX a range in primary_live.
  std::vector<std::uint32_t> primary_begin;
  std::vector<std::uint32_t> primary_count;
  std::vector<PrimaryMx> primaries;
  std::vector<std::uint32_t> primary_live;
  // Batch counts: exchange id -> cnt_mx, address id -> cnt_ip, names id -> cnt_cert_rd.
  std::vector<std::uint64_t> cnt_mx, cnt_ip, cnt_cert_rd;
  std::vector<std::uint32_t> cert_group;  // certificate id -> group name (names id)

  // Builds all of it over the kept domain records `order` (see domain_order.hpp).
  void build(const BatchStore& store, const std::vector<std::uint32_t>& order, BatchStats& stats);

  // The same in pieces, for a store that sees its domain records one at a time
  // (streaming_batch.hpp): P(d) of record `domain`, counted `delta` times in the
  // batch counts (0: P(d) only, -1: a record counted before and dropped since);
  // then step 1 once every count is in.
  void add(const BatchStore& store, std::uint32_t domain, int delta);
  void group(const BatchStore& store, BatchStats& stats);
  // Forgets the P(d) of records `domains` and later (they left the store).
  void truncate(std::uint32_t domains);

  std::span<const PrimaryMx> of(std::uint32_t domain) const {
    return {primaries.data() + primary_begin[domain], primary_count[domain]};
  }
  std::span<const std::uint32_t> live_ips(const PrimaryMx& p) const {
    return {primary_live.data() + p.live_begin, p.live_count};
  }

 private:
  std::vector<std::int64_t> cert_uses_;  // certificate id -> domains whose P(d) uses it
  std::vector<std::uint32_t> domain_ips_, domain_rds_;
  std::vector<std::pair<std::string_view, std::uint32_t>> members_;  // exchange text, mx index
};

}  // namespace mxscan::detail
