// Benchmark driver for the DNS stage (scripts/bench dns): resolves a domain list
// with run_dns_stage and prints one line of key=value figures.
//   dns_bench_driver LIST RESOLVER [qps] [max_in_flight] [channels] [timeout_ms] [retries]
//   [threads] [signals 0|1]
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <string>

#include "mxscan/common/domain_list.hpp"
#include "mxscan/scanner/dns/dns_stage.hpp"

namespace {

bool definitive(mxscan::DnsStatus s) {
  using mxscan::DnsStatus;
  return s != DnsStatus::timeout && s != DnsStatus::error && s != DnsStatus::servfail &&
         s != DnsStatus::refused && s != DnsStatus::not_queried;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 3) {
    std::fprintf(stderr,
                 "usage: %s LIST RESOLVER [qps] [max_in_flight] [channels] [timeout_ms] "
                 "[retries] [threads] [signals 0|1]\n",
                 argv[0]);
    return 2;
  }
  mxscan::DnsOptions o;
  o.resolvers = {argv[2]};
  o.qps = argc > 3 ? std::atof(argv[3]) : 0;
  o.max_in_flight = argc > 4 ? std::strtoul(argv[4], nullptr, 10) : 8000;
  o.channels = argc > 5 ? std::strtoul(argv[5], nullptr, 10) : 8;
  o.timeout = std::chrono::milliseconds(argc > 6 ? std::atoi(argv[6]) : 2000);
  o.retries = argc > 7 ? std::atoi(argv[7]) : 2;
  o.threads = argc > 8 ? std::strtoul(argv[8], nullptr, 10) : 1;
  o.signals = argc > 9 && std::atoi(argv[9]) != 0;
  try {
    mxscan::DomainListReader list(argv[1]);
    std::uint64_t names = 0, unresolved = 0, addresses = 0, spf_ok = 0, dmarc = 0;
    auto stats = mxscan::run_dns_stage(list, o, [&](mxscan::DomainObs&& d) {
      ++names;
      bool ok = definitive(d.mx_status);
      for (const auto& mx : d.mx) {
        ok = ok && definitive(mx.addr_status);
        addresses += mx.addresses.size();
      }
      if (d.signals) {
        ok = ok && definitive(d.signals->spf.status) && definitive(d.signals->dmarc.status);
        spf_ok += d.signals->spf.result == "ok";
        dmarc += !d.signals->dmarc.policy.empty();
      }
      if (!ok) ++unresolved;
    });
    std::printf(
        "names=%llu seconds=%.3f names_per_s=%.0f queries=%llu queries_per_s=%.0f "
        "unresolved=%llu exchanges=%llu addresses=%llu timeouts=%llu max_waiting=%zu "
        "queries_per_name=%.2f spf_ok=%llu dmarc=%llu\n",
        static_cast<unsigned long long>(names), stats.seconds,
        static_cast<double>(names) / stats.seconds,
        static_cast<unsigned long long>(stats.resolver.queries),
        static_cast<double>(stats.resolver.queries) / stats.seconds,
        static_cast<unsigned long long>(unresolved),
        static_cast<unsigned long long>(stats.exchanges),
        static_cast<unsigned long long>(addresses),
        static_cast<unsigned long long>(stats.resolver.timeouts), stats.resolver.max_waiting,
        static_cast<double>(stats.resolver.queries) / static_cast<double>(names ? names : 1),
        static_cast<unsigned long long>(spf_ok), static_cast<unsigned long long>(dmarc));
    return 0;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "dns_bench_driver: %s\n", e.what());
    return 1;
  }
}
