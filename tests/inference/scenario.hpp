// Test support: observation scenarios described as data (tests/inference/data/*.toml),
// turned into DomainObs/HostObs and expectations, so fixtures stay readable and new
// cases need no code.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "mxscan/common/observation.hpp"
#include "mxscan/inference/batch.hpp"

namespace mxscan::test {

struct ExpectedProvider {
  std::optional<std::string> mx, id, source, flag, original_id;
  std::optional<std::optional<std::string>> company;  // "" in the data: null
  std::optional<double> credit;
  std::optional<std::uint64_t> score;
  std::optional<std::uint32_t> live_ips;
  std::optional<std::string> reason_contains;
};

struct Expectation {
  std::string domain;
  std::string status;
  std::optional<std::vector<ExpectedProvider>> providers;
  std::optional<std::string> reason_contains;
};

struct Scenario {
  std::string name;
  std::optional<std::string> catalog_text;  // replaces configs/providers.toml
  Options options;
  std::vector<DomainObs> domains;
  std::vector<HostObs> hosts;
  std::vector<Expectation> expectations;
};

std::string source_path(const std::string& relative);  // under MXSCAN_SOURCE_DIR
std::vector<Scenario> load_scenarios(const std::string& path);

// Runs a batch with the observations in the given order (indices into domains
// then hosts: i < domains.size() is a domain, else a host).
Results run_batch(const Scenario& s, const Catalog& catalog, const std::vector<std::size_t>& order);
std::vector<std::size_t> natural_order(const Scenario& s);

}  // namespace mxscan::test
