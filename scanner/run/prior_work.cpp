#include "mxscan/scanner/run/prior_work.hpp"

#include <map>

namespace mxscan {
namespace {

class PriorWorkLoader final : public ObservationHandler {
 public:
  PriorWorkLoader(PriorWork& work, ScanSink& sink) : work_(work), sink_(sink) {}

  void on_domain(DomainObs& obs) override {
    work_.domains.insert(obs.domain);  // before the consumer may take the record apart
    sink_.domain(obs, ScanSink::Source::journal,
                 [this](const std::string& address, const std::string& exchange) {
                   // The smallest exchange, as a resolve's addresses.tsv keeps.
                   auto [it, fresh] = addresses_.emplace(address, exchange);
                   if (!fresh && exchange < it->second) it->second = exchange;
                 });
  }
  void on_host(HostObs& obs) override {
    work_.hosts.insert(obs.address);
    sink_.host(obs, ScanSink::Source::journal);
  }
  void on_malformed(const ReadProblem& p) override { sink_.malformed(p); }

  void finish() {
    for (const auto& [address, exchange] : addresses_) {
      if (work_.hosts.count(address) == 0) work_.pending.emplace_back(address, exchange);
    }
  }

 private:
  PriorWork& work_;
  ScanSink& sink_;
  std::map<std::string, std::string> addresses_;  // ordered: a deterministic re-queue
};

}  // namespace

PriorWork load_prior_work(const std::filesystem::path& dir, ScanSink& sink) {
  PriorWork work;
  PriorWorkLoader loader(work, sink);
  ObservationReader reader({.decode_chains = true});
  for (const char* name : {"domains.jsonl", "hosts.jsonl"}) {
    work.counts += reader.read_file((dir / name).string(), loader);
  }
  loader.finish();
  return work;
}

}  // namespace mxscan
