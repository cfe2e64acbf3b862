// Where every finished observation of a scan goes: the journal (domains.jsonl,
// hosts.jsonl), the counters (progress line, manifest) and the consumer (the
// inference batch), in that order.
//
// Design note. A domain or host is "done" in one place. The live scan hands
// each record over as it finishes (Source::scan: journaled, counted, consumed);
// --resume hands over the records read back from the journal (Source::journal:
// already on disk, so counted and consumed only). Both paths therefore count
// and consume a record exactly once, and a resumed scan's counters and
// inference equal an uninterrupted one's. A domain's addresses are handed to
// `each_address` between counting and consuming, since the consumer may take
// the record apart. Callers on several threads are safe: the journal and the
// counters lock or are atomic, and the consumer is called under a mutex.
#pragma once

#include <functional>
#include <mutex>
#include <string>

#include "mxscan/common/observation.hpp"
#include "mxscan/common/observation_jsonl_reader.hpp"
#include "mxscan/scanner/run/observation_logs.hpp"
#include "mxscan/scanner/run/scan_counters.hpp"

namespace mxscan {

class ScanSink {
 public:
  enum class Source {
    scan,     // finished in this run
    journal,  // read back from the results folder by --resume
  };
  using AddressFn = std::function<void(const std::string& address, const std::string& exchange)>;

  ScanSink(ObservationLogs& journal, ScanCounters& counters, ObservationHandler& consumer)
      : journal_(journal), counters_(counters), consumer_(consumer) {}

  void domain(DomainObs& obs, Source from, const AddressFn& each_address);
  void host(HostObs& obs, Source from);
  void malformed(const ReadProblem& problem);

 private:
  ObservationLogs& journal_;
  ScanCounters& counters_;
  ObservationHandler& consumer_;
  std::mutex consumer_mutex_;
};

}  // namespace mxscan
