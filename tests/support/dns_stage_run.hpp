// What the server-backed DNS stage tests share: the servers tests/scanner/dns/run.sh
// started (named by MXSCAN_TEST_* variables), stage options for one of them, and
// one run of the stage with its observations keyed by domain.
#pragma once

#include <catch2/catch.hpp>

#include <chrono>
#include <cstdlib>
#include <map>
#include <string>
#include <vector>

#include "mxscan/scanner/dns/dns_stage.hpp"

namespace mxscan::test {

inline std::string env(const char* name) {
  const char* v = std::getenv(name);
  if (v == nullptr) FAIL(std::string(name) + " is not set: run tests/scanner/dns/run.sh");
  return v;
}

// Short timeouts: the servers are local, and the slow ones are slow on purpose.
inline DnsOptions options_for(const std::string& server) {
  DnsOptions o;
  o.resolvers = {server};
  o.timeout = std::chrono::milliseconds(300);
  o.retries = 1;
  o.qps = 0;
  o.max_in_flight = 64;
  o.channels = 2;
  return o;
}

struct DnsRun {
  std::map<std::string, DomainObs> obs;
  DnsStageStats stats;
  std::size_t emitted = 0;
  double seconds = 0;
};

inline DnsRun run_stage(const std::vector<std::string>& names, const DnsOptions& o) {
  DomainVectorSource src(names);
  DnsRun r;
  const auto t0 = std::chrono::steady_clock::now();
  r.stats = run_dns_stage(src, o, [&](DomainObs&& d) {
    ++r.emitted;
    std::string key = d.domain;
    r.obs.emplace(std::move(key), std::move(d));
  });
  r.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return r;
}

inline const DomainObs& get(const DnsRun& r, const std::string& d) {
  auto it = r.obs.find(d);
  if (it == r.obs.end()) FAIL("no observation for " + d);
  return it->second;
}

}  // namespace mxscan::test
