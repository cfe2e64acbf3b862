#include "mxscan/scanner/run/scan_sink.hpp"

namespace mxscan {

void ScanSink::domain(DomainObs& obs, Source from, const AddressFn& each_address) {
  if (from == Source::scan) journal_.add(obs);
  counters_.domain_done(obs.mx_status);
  if (obs.mx_status == DnsStatus::invalid_name) counters_.domain_invalid();
  for (const auto& mx : obs.mx) {
    for (const auto& a : mx.addresses) each_address(a, mx.exchange);
  }
  std::lock_guard lock(consumer_mutex_);
  consumer_.on_domain(obs);
}

void ScanSink::host(HostObs& obs, Source from) {
  if (from == Source::scan) journal_.add(obs);
  counters_.smtp_done(obs.status);
  if (from == Source::scan) counters_.smtp_finished_in_flight();
  std::lock_guard lock(consumer_mutex_);
  consumer_.on_host(obs);
}

void ScanSink::malformed(const ReadProblem& problem) {
  std::lock_guard lock(consumer_mutex_);
  consumer_.on_malformed(problem);
}

}  // namespace mxscan
