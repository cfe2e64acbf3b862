// The inference of batch.hpp over domain records that can be read more than
// once (observation files), holding one domain record at a time.
//
// Design note. A Batch keeps every domain record until finish(), because the
// scores count popularity across the whole batch (docs/method.md, "Batch
// counts") before any ID is chosen. Those counts are per exchange, address
// and certificate RD, so they can be built by a first pass over the domain
// records that keeps only them, and each domain's result computed in a second
// pass from the same record read again: memory then grows with unique
// exchanges, addresses and certificate names, and by 8 bytes per domain
// record (a hash of its name, kept until pass 2 ends). Both passes run the
// same code as Batch (batch_store, primary_sets, provider_id, domain_result),
// so results are identical; only their order differs (finish()).
//
// Duplicates (several records of one domain) are resolved as Batch does, with
// the same total order: after pass 2 the name hashes that occur more than once
// are known (few: shards of one campaign never share a domain); an extra pass
// (recount) holds the records of those hashes whole, keeps one per name and
// takes the dropped ones back out of the counts. Domain records that cannot
// be read again (add) are held whole from the start.
//
// Order of calls: add (hosts, and held domain records) until every host record
// is in; count() for every other domain record; needs_recount() and, when it
// says so, recount() for each of those records again; result() for each again;
// finish(). The Catalog and PublicSuffixList must outlive the batch.
#pragma once

#include <functional>
#include <memory>

#include "mxscan/common/observation.hpp"
#include "mxscan/inference/batch.hpp"
#include "mxscan/inference/catalog.hpp"
#include "mxscan/inference/result.hpp"

namespace mxscan {

class StreamingBatch {
 public:
  using Sink = std::function<void(const DomainResult&)>;

  StreamingBatch(const Catalog& catalog, const PublicSuffixList& psl, Options options = {});
  ~StreamingBatch();
  StreamingBatch(const StreamingBatch&) = delete;
  StreamingBatch& operator=(const StreamingBatch&) = delete;
  StreamingBatch(StreamingBatch&&) noexcept;
  StreamingBatch& operator=(StreamingBatch&&) noexcept;

  // Before count(): every host record, and domain records held in memory.
  void add(const HostObs& host);
  void add(const DomainObs& domain);

  // Pass 1 over the streamed domain records.
  void count(const DomainObs& domain);
  // After pass 1: true when the streamed records must be read once more with
  // recount() before result() (some share a name hash).
  bool needs_recount();
  void recount(const DomainObs& domain);

  // Pass 2: each streamed record's result goes to `sink` at once, except the
  // records of domains met more than once, whose one result comes in finish().
  void result(const DomainObs& domain, const Sink& sink);
  // The results of the records held in memory, in (line, name) order; the
  // batch is spent (and its memory freed) afterwards.
  BatchStats finish(const Sink& sink);

 private:
  struct Impl;
  Impl& impl();  // throws std::logic_error once spent
  std::unique_ptr<Impl> impl_;
};

}  // namespace mxscan
