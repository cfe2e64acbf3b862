#include "mxscan/inference/batch.hpp"

#include <catch2/catch.hpp>

#include <sys/resource.h>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <random>
#include <string>

#include "mxscan/common/names.hpp"
#include "scenario.hpp"

// Hidden benchmark of the inference core alone (no I/O): run with
//   build/tests/test_inference "[.bench]"   (MXSCAN_BENCH_DOMAINS=N for fewer domains)
// The end-to-end figure (read, infer, write) is `scripts/bench infer`.

using namespace mxscan;

namespace {

std::string ip4(std::uint32_t i) {
  return std::to_string(10 + (i >> 24)) + "." + std::to_string((i >> 16) & 255) + "." +
         std::to_string((i >> 8) & 255) + "." + std::to_string(i & 255);
}

// CPU seconds of this process: the machine is shared, so wall time alone misleads.
double cpu_seconds() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return static_cast<double>(u.ru_utime.tv_sec + u.ru_stime.tv_sec) +
         static_cast<double>(u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6;
}

long peak_rss_mb() {
  std::ifstream status("/proc/self/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind("VmHWM:", 0) == 0) return std::stol(line.substr(6)) / 1024;
  }
  return -1;
}

}  // namespace

TEST_CASE("inference core throughput on 1,000,000 domains", "[.bench]") {
  const std::uint32_t kDomains =
      std::getenv("MXSCAN_BENCH_DOMAINS")
          ? static_cast<std::uint32_t>(std::stoul(std::getenv("MXSCAN_BENCH_DOMAINS")))
          : 1'000'000;
  const std::uint32_t kTailHosts = 290'000, kProviders = 200, kIpsPerProvider = 50;
  std::mt19937 rng(42);
  static const PublicSuffixList psl;
  auto catalog = Catalog::load(test::source_path("configs/providers.toml"));
  Batch batch(catalog, psl);

  // MXSCAN_BENCH_DRY=1 only builds the observations: subtract its cpu_s.
  const bool dry = std::getenv("MXSCAN_BENCH_DRY") != nullptr;
  auto t0 = std::chrono::steady_clock::now();
  // Provider hosts: few addresses shared by most domains, certificates with 40 SANs.
  for (std::uint32_t p = 0; p < kProviders; ++p) {
    for (std::uint32_t i = 0; i < kIpsPerProvider; ++i) {
      HostObs h;
      h.address = ip4(p * kIpsPerProvider + i);
      h.asn = 64500 + p;
      h.status = SmtpStatus::success;
      std::string base = "provider" + std::to_string(p) + ".net";
      h.banner = "220 mx" + std::to_string(i) + "." + base + " ESMTP ready";
      h.ehlo = "250-mx" + std::to_string(i) + "." + base +
               " Hello [192.0.2.7]\n250-SIZE 52428800\n250 STARTTLS";
      TlsObs t;
      t.trusted = true;
      t.leaf.subject_cn = "mx." + base;
      for (int s = 0; s < 40; ++s) t.leaf.sans.push_back("mx" + std::to_string(s) + "." + base);
      t.chain_der = {std::string(1500, 'x'), std::string(1200, 'y')};
      h.tls = std::move(t);
      if (!dry) batch.add(h);
    }
  }
  // Long tail of self-hosted servers.
  for (std::uint32_t i = 0; i < kTailHosts; ++i) {
    HostObs h;
    h.address = ip4(1'000'000 + i);
    h.asn = 65000 + (i % 1000);
    h.status = i % 7 == 0 ? SmtpStatus::connect_timeout : SmtpStatus::success;
    if (h.status == SmtpStatus::success) {
      h.banner = "220 mail.tail" + std::to_string(i) + ".com ESMTP Postfix (Debian/GNU)";
      h.ehlo = "250-mail.tail" + std::to_string(i) + ".com\n250-PIPELINING\n250 STARTTLS";
      if (i % 3 == 0) {
        TlsObs t;
        t.trusted = i % 2 == 0;
        t.leaf.subject_cn = "mail.tail" + std::to_string(i) + ".com";
        t.leaf.sans = {t.leaf.subject_cn};
        t.chain_der = {std::string(1300, 'z')};
        h.tls = std::move(t);
      }
    }
    if (!dry) batch.add(h);
  }
  auto t_hosts = std::chrono::steady_clock::now();
  for (std::uint32_t d = 0; d < kDomains; ++d) {
    DomainObs o;
    o.domain = "domain" + std::to_string(d) + ".com";
    o.line = d + 1;
    o.mx_status = d % 20 == 0 ? DnsStatus::nxdomain : DnsStatus::ok;
    if (o.mx_status == DnsStatus::ok) {
      if (d % 10 < 7) {  // a provider customer, Zipf-like skew over providers
        std::uint32_t p =
            static_cast<std::uint32_t>(std::pow(rng() % 10000 / 10000.0, 3) * kProviders);
        for (std::uint16_t k = 0; k < 2; ++k) {
          MxRecord m;
          m.exchange = "mx" + std::to_string(k) + ".provider" + std::to_string(p) + ".net";
          m.preference = static_cast<std::uint16_t>(10 * (k + 1));
          m.addr_status = DnsStatus::ok;
          m.addresses = {ip4(p * kIpsPerProvider + k * 2), ip4(p * kIpsPerProvider + k * 2 + 1)};
          o.mx.push_back(std::move(m));
        }
      } else {
        MxRecord m;
        std::uint32_t t = d % kTailHosts;
        m.exchange = "mail.tail" + std::to_string(t) + ".com";
        m.preference = 10;
        m.addr_status = DnsStatus::ok;
        m.addresses = {ip4(1'000'000 + t)};
        o.mx.push_back(std::move(m));
      }
    }
    if (!dry) batch.add(o);
  }
  auto t1 = std::chrono::steady_clock::now();
  std::size_t ok = 0;
  auto stats = batch.finish([&](const DomainResult& r) { ok += r.status == DomainOutcome::ok; });
  auto t2 = std::chrono::steady_clock::now();
  double add_s = std::chrono::duration<double>(t1 - t0).count();
  double finish_s = std::chrono::duration<double>(t2 - t1).count();
  std::printf("hosts added in %.2f s (with their generation)\n",
              std::chrono::duration<double>(t_hosts - t0).count());
  std::printf(
      "RESULT infer-core domains=%u addresses=%llu add_s=%.2f finish_s=%.2f cpu_s=%.2f "
      "domains_per_s=%.0f peak_rss_mb=%ld ok=%zu\n",
      kDomains, static_cast<unsigned long long>(stats.unique_addresses), add_s, finish_s,
      cpu_seconds(), kDomains / (add_s + finish_s), peak_rss_mb(), ok);
  if (!dry) CHECK(ok > kDomains / 2);
}
