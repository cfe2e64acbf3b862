// Test support: small observation builders and a random batch with shared
// providers, self-hosted tails, duplicate host and domain records, dead and
// blocked hosts and certificates sharing names, for tests that compare runs.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "mxscan/common/observation.hpp"

namespace mxscan::test {

DomainObs domain(std::string name, std::uint64_t line, std::vector<MxRecord> mx);
MxRecord mx(std::string exchange, std::uint16_t pref, std::vector<std::string> addrs);
HostObs host(std::string address, std::string banner,
             std::optional<std::uint32_t> asn = std::nullopt);
void with_cert(HostObs& h, std::string cn, std::vector<std::string> sans, bool trusted = true);

struct Synthetic {
  std::vector<DomainObs> domains;
  std::vector<HostObs> hosts;
};

std::string ip(int i);
Synthetic synthetic(std::uint32_t seed);

}  // namespace mxscan::test
