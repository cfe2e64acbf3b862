// Batch: add() fills the store, finish() runs the steps of docs/method.md in order,
// one file each:
//   batch_store      inputs: interning, the compact HostState, per-name RD/company
//   domain_order     one record per domain, output order
//   primary_sets     P(d), batch counts, step 1 (certificate groups)
//   provider_id      steps 2-4: candidates and scores, checks, fallback
//   domain_result    step 5: credit per MX of P(d), domain status
// Design note: batch.hpp; why each step is shaped so: its own header.
#include "mxscan/inference/batch.hpp"

#include <stdexcept>

#include "batch_store.hpp"
#include "domain_order.hpp"
#include "domain_result.hpp"
#include "primary_sets.hpp"
#include "provider_id.hpp"

namespace mxscan {

struct Batch::Impl {
  detail::BatchStore store;
  Options options;
  BatchStats stats;
  bool spent = false;

  Impl(const Catalog& c, const PublicSuffixList& p, Options o) : store(c, p), options(o) {}

  BatchStats run(const std::function<void(const DomainResult&)>& sink) {
    if (spent) throw std::logic_error("Batch::finish called twice");
    spent = true;
    const auto order = detail::ordered_domains(store, stats);
    detail::PrimarySets sets;
    sets.build(store, order, stats);
    store.count_hosts(stats);
    detail::ProviderIds ids(store, sets, options);
    for (auto di : order) sink(detail::result_with_signals(store, sets, ids, di));
    return stats;
  }
};

Batch::Batch(const Catalog& catalog, const PublicSuffixList& psl, Options options)
    : impl_(std::make_unique<Impl>(catalog, psl, options)) {}
Batch::~Batch() = default;
Batch::Batch(Batch&&) noexcept = default;
Batch& Batch::operator=(Batch&&) noexcept = default;

void Batch::add(const DomainObs& domain) {
  if (impl_->spent) throw std::logic_error("Batch::add after finish");
  impl_->store.add_domain(domain, impl_->stats);
}

void Batch::add(const HostObs& host) {
  if (impl_->spent) throw std::logic_error("Batch::add after finish");
  impl_->store.add_host(host, impl_->stats);
}

Results Batch::finish() {
  Results results;
  results.domains.reserve(impl_->store.domains.size());
  results.stats = impl_->run([&](const DomainResult& r) { results.domains.push_back(r); });
  return results;
}

BatchStats Batch::finish(const std::function<void(const DomainResult&)>& sink) {
  return impl_->run(sink);
}

}  // namespace mxscan
