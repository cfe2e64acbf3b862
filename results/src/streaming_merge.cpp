// The passes of a streaming merge over observation files. Why it is shaped so:
// streaming_merge.hpp.
#include "mxscan/results/streaming_merge.hpp"

#include <fmt/format.h>

#include <stdexcept>
#include <utility>

#include "mxscan/results/batch_outputs.hpp"

namespace mxscan {
namespace {

// Hands each kind of record to one callable; malformed lines to `problems`
// when given.
template <typename OnDomain, typename OnHost>
class Pass : public ObservationHandler {
 public:
  Pass(OnDomain domains, OnHost hosts, ObservationHandler* problems)
      : on_domain_(std::move(domains)), on_host_(std::move(hosts)), problems_(problems) {}
  void on_domain(DomainObs& obs) override { on_domain_(obs); }
  void on_host(HostObs& obs) override { on_host_(obs); }
  void on_malformed(const ReadProblem& problem) override {
    if (problems_ != nullptr) problems_->on_malformed(problem);
  }

 private:
  OnDomain on_domain_;
  OnHost on_host_;
  ObservationHandler* problems_;
};

constexpr ObservationReadOptions kOthers{.decode_chains = false,
                                         .filter = LineFilter::all_but_mxscan_domains};
constexpr ObservationReadOptions kDomains{.decode_chains = false,
                                          .filter = LineFilter::mxscan_domains};

void no_host(const HostObs&) {}  // a line starting as a domain record is never a host record

}  // namespace

StreamingMerge::StreamingMerge(std::vector<std::string> files, const Catalog& catalog,
                               const PublicSuffixList& psl, Options options)
    : files_(std::move(files)), catalog_(catalog), batch_(catalog, psl, options) {}

BackgroundRead StreamingMerge::read(ObservationHandler& problems) {
  Pass others([&](const DomainObs& d) { batch_.add(d); }, [&](const HostObs& h) { batch_.add(h); },
              &problems);
  BackgroundRead read = read_files_in_background(files_, kOthers, others);
  Pass count([&](const DomainObs& d) { batch_.count(d); }, no_host, &problems);
  const BackgroundRead counted = read_files_in_background(files_, kDomains, count);
  if (batch_.needs_recount()) {
    Pass recount([&](const DomainObs& d) { batch_.recount(d); }, no_host, nullptr);
    read_files_in_background(files_, kDomains, recount);
  }
  // Lines, blank lines and bytes were all seen by the first pass.
  for (std::size_t i = 0; i < files_.size(); ++i) {
    read.files[i].domains += counted.files[i].domains;
    read.files[i].malformed += counted.files[i].malformed;
    domains_per_file_.push_back(counted.files[i].domains);
  }
  read.total.domains += counted.total.domains;
  read.total.malformed += counted.total.malformed;
  for (std::size_t i = 0; i < read.reader_cpu_seconds.size(); ++i) {
    if (i < counted.reader_cpu_seconds.size())
      read.reader_cpu_seconds[i] += counted.reader_cpu_seconds[i];
  }
  return read;
}

Summary StreamingMerge::write_outputs(const std::string& out_dir, RunReport& run) {
  auto produce = [&](const ResultSink& sink) {
    Pass results([&](const DomainObs& d) { batch_.result(d, sink); }, no_host, nullptr);
    // One reader thread: the results come in the files' order.
    const BackgroundRead read = read_files_in_background(files_, kDomains, results, 1);
    for (std::size_t i = 0; i < files_.size(); ++i) {
      if (read.files[i].domains != domains_per_file_[i]) {
        throw std::runtime_error(
            fmt::format("{} changed while the merge read it ({} domain records, then {})",
                        files_[i], domains_per_file_[i], read.files[i].domains));
      }
    }
    return batch_.finish(sink);
  };
  return write_results(produce, catalog_, out_dir, run);
}

}  // namespace mxscan
