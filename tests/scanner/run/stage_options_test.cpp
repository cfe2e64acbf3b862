#include "mxscan/scanner/run/stage_options.hpp"

#include <catch2/catch.hpp>

#include <chrono>
#include <cstdint>
#include <limits>
#include <stdexcept>
#include <string>

using namespace mxscan;
using namespace std::chrono_literals;

namespace {

// Every setting away from its default, so a field copied to the wrong option shows.
ScanConfig distinct_config() {
  ScanConfig c;
  c.dns.resolvers = {"127.0.0.1:5353", "[::1]:53"};
  c.dns.timeout_ms = 1234;
  c.dns.retries = 3;
  c.dns.rate = 12.5;
  c.dns.max_in_flight = 77;
  c.dns.channels = 5;
  c.dns.threads = 3;
  c.dns.max_mx = 9;
  c.smtp.port = 2525;
  c.smtp.rate = 0.5;
  c.smtp.concurrency = 33;
  c.smtp.per24_in_flight = 4;
  c.smtp.per24_rate = 0.25;
  c.smtp.connect_timeout_ms = 1001;
  c.smtp.greeting_timeout_ms = 1002;
  c.smtp.reply_timeout_ms = 1003;
  c.smtp.tls_timeout_ms = 1004;
  c.smtp.session_timeout_ms = 1005;
  c.smtp.connect_retries = 2;
  c.smtp.max_line_bytes = 512;
  c.smtp.max_reply_lines = 20;
  c.smtp.max_reply_bytes = 8192;
  c.smtp.max_chain_bytes = 50000;
  c.smtp.max_chain_certs = 7;
  c.smtp.threads = 3;
  c.smtp.ehlo_name = "scanner.example.edu";
  c.smtp.sni = true;
  c.smtp.ca_file = "/tmp/ca.pem";
  c.smtp.ipv6 = true;
  c.conduct.blocklists = {"configs/blocklist.conf", "/tmp/extra.conf"};
  c.conduct.allow = {"192.0.2.0/24"};
  return c;
}

}  // namespace

TEST_CASE("DNS options carry each DNS setting", "[stage_options]") {
  const DnsOptions o = dns_options(distinct_config());
  CHECK(o.resolvers == std::vector<std::string>{"127.0.0.1:5353", "[::1]:53"});
  CHECK(o.timeout == 1234ms);
  CHECK(o.retries == 3);
  CHECK(o.qps == 12.5);
  CHECK(o.max_in_flight == 77);
  CHECK(o.channels == 5);
  CHECK(o.threads == 3);
  CHECK(o.max_mx == 9);
  CHECK(o.ipv6);  // AAAA lookups follow the SMTP stage's IPv6 setting
  CHECK(check_dns_options(o).empty());
  // Signals: on in a scan's defaults though off in DnsOptions', and carried either way.
  CHECK(dns_options(ScanConfig{}).signals);
  ScanConfig off;
  off.dns.signals = false;
  CHECK_FALSE(dns_options(off).signals);
}

TEST_CASE("SMTP options carry each SMTP and conduct setting", "[stage_options]") {
  const SmtpOptions o = smtp_options(distinct_config());
  CHECK(o.port == 2525);
  CHECK(o.ehlo_name == "scanner.example.edu");
  CHECK(o.sni);
  CHECK(o.ca_file == "/tmp/ca.pem");
  CHECK(o.timeouts.connect == 1001ms);
  CHECK(o.timeouts.greeting == 1002ms);
  CHECK(o.timeouts.reply == 1003ms);
  CHECK(o.timeouts.tls_handshake == 1004ms);
  CHECK(o.timeouts.session == 1005ms);
  CHECK(o.reply_limits.max_line_bytes == 512);
  CHECK(o.reply_limits.max_lines == 20);
  CHECK(o.reply_limits.max_reply_bytes == 8192);
  CHECK(o.max_chain_bytes == 50000);
  CHECK(o.max_chain_certs == 7);
  CHECK(o.blocklist_files == std::vector<std::string>{"configs/blocklist.conf", "/tmp/extra.conf"});
  CHECK(o.allow == std::vector<std::string>{"192.0.2.0/24"});
  CHECK(o.ipv6);
  CHECK(o.sessions_per_s == 0.5);
  CHECK(o.max_in_flight == 33);
  CHECK(o.prefix_sessions_per_s == 0.25);
  CHECK(o.prefix_max_in_flight == 4);
  CHECK(o.retries == 2);
  CHECK(o.threads == 3);
  CHECK_NOTHROW(o.validate());
}

TEST_CASE("the default configuration gives valid options and no implicit blocklist",
          "[stage_options]") {
  const ScanConfig defaults;
  CHECK(check_dns_options(dns_options(defaults)).empty());
  const SmtpOptions smtp = smtp_options(defaults);
  CHECK(smtp.port == 25);
  // Blocklists come only from the configuration: no second, cwd-relative default.
  CHECK(smtp.default_blocklist.empty());
  CHECK(smtp.blocklist_files.empty());
  CHECK_NOTHROW(smtp.validate());
}

TEST_CASE("settings at the edges of their range pass through unchanged", "[stage_options]") {
  ScanConfig c;
  c.smtp.port = 65535;
  c.smtp.connect_retries = 10;
  c.smtp.threads = 64;
  c.dns.retries = 0;
  c.dns.channels = 256;
  c.dns.rate = 0;  // unlimited
  c.smtp.rate = 0;
  CHECK(smtp_options(c).port == 65535);
  CHECK(smtp_options(c).retries == 10);
  CHECK(smtp_options(c).threads == 64);
  CHECK_NOTHROW(smtp_options(c).validate());
  CHECK(dns_options(c).retries == 0);
  CHECK(dns_options(c).channels == 256);
  CHECK(dns_options(c).qps == 0);
  CHECK(check_dns_options(dns_options(c)).empty());
}

TEST_CASE("out-of-range settings are rejected by the stage, never wrapped into range",
          "[stage_options]") {
  const auto smtp_error = [](const ScanConfig& c) {
    try {
      smtp_options(c).validate();
    } catch (const std::runtime_error& e) {
      return std::string(e.what());
    }
    return std::string("(accepted)");
  };
  constexpr std::int64_t k2p32 = std::int64_t{1} << 32;
  ScanConfig c;
  SECTION("SMTP port") {
    for (const std::int64_t port : {std::int64_t{0}, std::int64_t{65536}, std::int64_t{-1},
                                    std::int64_t{65536 + 25}, k2p32 + 25}) {
      INFO("port " << port);
      c.smtp.port = port;
      CHECK(smtp_options(c).port == 0);
      CHECK_THAT(smtp_error(c), Catch::Contains("--smtp-port must be 1..65535"));
    }
  }
  SECTION("SMTP retries and threads") {
    c.smtp.connect_retries = k2p32 + 1;  // would wrap to 1
    CHECK_THAT(smtp_error(c), Catch::Contains("retries must be <= 10"));
    c.smtp.connect_retries = -1;
    CHECK_THAT(smtp_error(c), Catch::Contains("retries must be <= 10"));
    c.smtp.connect_retries = 1;
    c.smtp.threads = k2p32 + 2;  // would wrap to 2
    CHECK_THAT(smtp_error(c), Catch::Contains("threads must be 1..64"));
    c.smtp.threads = 0;
    CHECK_THAT(smtp_error(c), Catch::Contains("threads must be 1..64"));
  }
  SECTION("SMTP timeouts and limits") {
    c.smtp.session_timeout_ms = 0;
    CHECK_THAT(smtp_error(c), Catch::Contains("timeouts must be positive"));
    c.smtp.session_timeout_ms = 1000;
    c.smtp.max_line_bytes = -1;
    CHECK_THAT(smtp_error(c), Catch::Contains("reply limits"));
    c.smtp.max_line_bytes = 4096;
    c.smtp.max_chain_certs = 0;
    CHECK_THAT(smtp_error(c), Catch::Contains("chain caps"));
  }
  SECTION("DNS settings") {
    c.dns.retries = k2p32 + 2;  // would wrap to 2
    CHECK(check_dns_options(dns_options(c)) == "DNS retries must be in 0-10");
    c.dns.retries = std::numeric_limits<std::int64_t>::min();
    CHECK(check_dns_options(dns_options(c)) == "DNS retries must be in 0-10");
    c.dns.retries = 2;
    c.dns.timeout_ms = 0;
    CHECK(check_dns_options(dns_options(c)) == "DNS timeout must be at least 1 ms");
    c.dns.timeout_ms = 2000;
    c.dns.channels = 0;
    CHECK(check_dns_options(dns_options(c)) == "DNS channels must be in 1-256");
    c.dns.channels = 4;
    c.dns.max_mx = 0;
    CHECK(check_dns_options(dns_options(c)) == "MX cap must be at least 1");
    c.dns.max_mx = 32;
    c.dns.rate = -1;
    CHECK_THAT(check_dns_options(dns_options(c)), Catch::Contains("must not be negative"));
  }
}
