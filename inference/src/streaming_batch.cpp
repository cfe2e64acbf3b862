// StreamingBatch: the steps of batch.cpp with the domain records streamed
// through the store one at a time. Why it is shaped so: streaming_batch.hpp.
#include "mxscan/inference/streaming_batch.hpp"

#include <algorithm>
#include <optional>
#include <stdexcept>
#include <vector>

#include "batch_store.hpp"
#include "domain_order.hpp"
#include "domain_result.hpp"
#include "mxscan/common/hash.hpp"
#include "primary_sets.hpp"
#include "provider_id.hpp"

namespace mxscan {

struct StreamingBatch::Impl {
  enum class Phase { hosts, count, recount, results, spent };

  detail::BatchStore store;
  Options options;
  BatchStats stats;
  detail::PrimarySets sets;
  std::optional<detail::ProviderIds> ids;
  Phase phase = Phase::hosts;
  std::vector<std::uint64_t> hashes;      // name hash of every counted record (pass 1)
  std::vector<std::uint64_t> duplicates;  // sorted hashes met more than once
  std::vector<std::uint32_t> held_order;  // kept held records, (line, name) order
  BatchStats ignored;                     // add_domain's tally on later passes

  Impl(const Catalog& c, const PublicSuffixList& p, Options o) : store(c, p), options(o) {}

  std::uint32_t held() const { return static_cast<std::uint32_t>(store.domains.size()); }

  void expect(Phase from, Phase to, const char* call) {
    if (phase == from) phase = to;
    if (phase != to)
      throw std::logic_error(std::string("StreamingBatch::") + call + " out of order");
  }

  bool duplicate(const DomainObs& d) const {
    return std::binary_search(duplicates.begin(), duplicates.end(), fnv1a_64(d.domain));
  }

  // Counts the records held since pass 1 began.
  void start_count() {
    if (phase == Phase::hosts) {
      store.forget_certificate_keys();
      for (std::uint32_t i = 0; i < held(); ++i) {
        sets.add(store, i, 1);
        hashes.push_back(fnv1a_64(store.domains[i].name));
      }
    }
    expect(Phase::hosts, Phase::count, "count");
  }

  void count(const DomainObs& d) {
    start_count();
    const std::uint32_t slot = held();
    store.add_domain(d, stats, false);
    sets.add(store, slot, 1);
    hashes.push_back(fnv1a_64(d.domain));
    sets.truncate(slot);
    store.truncate_domains(slot);
  }

  bool needs_recount() {
    if (phase == Phase::hosts) start_count();
    expect(Phase::count, Phase::recount, "needs_recount");
    std::sort(hashes.begin(), hashes.end());
    for (std::size_t i = 1; i < hashes.size(); ++i) {
      if (hashes[i] == hashes[i - 1] && (duplicates.empty() || duplicates.back() != hashes[i])) {
        duplicates.push_back(hashes[i]);
      }
    }
    std::vector<std::uint64_t>().swap(hashes);
    return !duplicates.empty();
  }

  void recount(const DomainObs& d) {
    expect(Phase::recount, Phase::recount, "recount");
    if (!duplicate(d)) return;
    const std::uint32_t slot = held();
    store.add_domain(d, ignored);
    sets.add(store, slot, 0);
  }

  // Every count in: duplicates resolved, step 1, the batch-wide stats.
  void start_results() {
    if (phase == Phase::hosts || phase == Phase::count) {
      if (needs_recount()) throw std::logic_error("StreamingBatch::result before recount");
    }
    expect(Phase::recount, Phase::results, "result");
    if (ids) return;
    held_order = detail::ordered_domains(store, stats);
    for (std::uint32_t i = 0; i < held(); ++i) {
      if (store.domains[i].dropped) sets.add(store, i, -1);
    }
    sets.group(store, stats);
    store.count_hosts(stats);
    ids.emplace(store, sets, options);
  }

  void result(const DomainObs& d, const Sink& sink) {
    start_results();
    if (duplicate(d)) return;  // held: its one result comes in finish()
    const std::uint32_t slot = held();
    store.add_domain(d, ignored, false);
    sets.add(store, slot, 0);
    sink(detail::result_with_signals(store, sets, *ids, slot));
    sets.truncate(slot);
    store.truncate_domains(slot);
  }

  BatchStats finish(const Sink& sink) {
    start_results();
    phase = Phase::spent;
    for (auto di : held_order) sink(detail::result_with_signals(store, sets, *ids, di));
    return stats;
  }
};

StreamingBatch::StreamingBatch(const Catalog& catalog, const PublicSuffixList& psl, Options options)
    : impl_(std::make_unique<Impl>(catalog, psl, options)) {}
StreamingBatch::~StreamingBatch() = default;
StreamingBatch::StreamingBatch(StreamingBatch&&) noexcept = default;
StreamingBatch& StreamingBatch::operator=(StreamingBatch&&) noexcept = default;

StreamingBatch::Impl& StreamingBatch::impl() {
  if (!impl_) throw std::logic_error("StreamingBatch used after finish");
  return *impl_;
}

void StreamingBatch::add(const HostObs& host) {
  impl().expect(Impl::Phase::hosts, Impl::Phase::hosts, "add");
  impl_->store.add_host(host, impl_->stats);
}

void StreamingBatch::add(const DomainObs& domain) {
  impl().expect(Impl::Phase::hosts, Impl::Phase::hosts, "add");
  impl_->store.add_domain(domain, impl_->stats);
}

void StreamingBatch::count(const DomainObs& domain) { impl().count(domain); }
bool StreamingBatch::needs_recount() { return impl().needs_recount(); }
void StreamingBatch::recount(const DomainObs& domain) { impl().recount(domain); }
void StreamingBatch::result(const DomainObs& domain, const Sink& sink) {
  impl().result(domain, sink);
}

BatchStats StreamingBatch::finish(const Sink& sink) {
  const BatchStats stats = impl().finish(sink);
  // Freed now: what runs next (the summaries) should not stack on the store.
  impl_.reset();
  return stats;
}

}  // namespace mxscan
