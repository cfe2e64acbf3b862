// DnsOptions::progress: the resolver reports every query sent and every query
// that ended, so a progress line can show queries/s and queries in flight.
#include "mxscan/scanner/dns/dns_options.hpp"

#include <catch2/catch.hpp>

#include <chrono>
#include <string>
#include <vector>

#include "dns_stage_run.hpp"
#include "mxscan/scanner/dns/dns_stage.hpp"

namespace {

std::vector<std::string> numbered(const char* prefix, int count, const char* suffix) {
  std::vector<std::string> names;
  for (int i = 1; i <= count; ++i) names.push_back(prefix + std::to_string(i) + suffix);
  return names;
}

}  // namespace

TEST_CASE("dns progress: every query sent is counted and in flight returns to 0",
          "[dns_progress]") {
  // Nothing listens on 127.0.0.9:9: each query ends as refused or timed out,
  // without any server to start.
  mxscan::DnsOptions o = mxscan::test::options_for("127.0.0.9:9");
  o.timeout = std::chrono::milliseconds(200);
  o.retries = 0;
  o.max_in_flight = 8;
  SECTION("one thread") { o.threads = 1; }
  SECTION("two threads") { o.threads = 2; }
  mxscan::DnsProgressCounts progress;
  o.progress = &progress;
  auto names = numbered("p", 40, ".test");
  mxscan::DomainVectorSource src(names);
  std::size_t emitted = 0;
  auto stats = mxscan::run_dns_stage(src, o, [&](mxscan::DomainObs&&) { ++emitted; });
  CHECK(emitted == names.size());
  CHECK(progress.sent() == stats.resolver.queries);
  CHECK(progress.sent() >= names.size());
  CHECK(progress.in_flight() == 0);
  CHECK(progress.peak_in_flight() >= 1);
  CHECK(progress.peak_in_flight() <= 8);
}

TEST_CASE("dns progress: live figures against NSD", "[.][nsd]") {
  mxscan::DnsOptions o = mxscan::test::options_for(mxscan::test::env("MXSCAN_TEST_NSD"));
  o.timeout = std::chrono::milliseconds(500);
  o.retries = mxscan::DnsOptions{}.retries;
  o.max_in_flight = 32;
  o.threads = 2;
  mxscan::DnsProgressCounts progress;
  o.progress = &progress;
  auto names = numbered("load", 300, ".test");
  mxscan::DomainVectorSource src(names);
  std::size_t emitted = 0;
  auto stats = mxscan::run_dns_stage(src, o, [&](mxscan::DomainObs&& d) {
    CHECK(d.mx_status == mxscan::DnsStatus::ok);
    // Live: while observations come out, queries have been counted.
    CHECK(progress.sent() > 0);
    ++emitted;
  });
  CHECK(emitted == names.size());
  CHECK(progress.sent() == stats.resolver.queries);
  CHECK(progress.sent() == names.size() + 1);  // 300 MX + the shared exchange's A
  CHECK(progress.in_flight() == 0);
  CHECK(progress.peak_in_flight() > 1);
  CHECK(progress.peak_in_flight() <= 32);
}
