// Stage options for sessions against the test servers on loopback: the shipped
// blocklist with 127.0.0.0/8 lifted explicitly (as the lab does), no retries, no
// rate limits and a fixed order. Each test file then sets the timeouts it needs.
#pragma once

#include <chrono>
#include <cstdint>

#include "mxscan/scanner/smtp/smtp_options.hpp"

namespace mxscan::test {

inline SmtpOptions loopback_options(std::uint16_t port, std::uint64_t shuffle_seed) {
  using namespace std::chrono_literals;
  SmtpOptions o;
  o.ehlo_name = "scanner.test.lab.example";
  o.port = port;
  o.default_blocklist = MXSCAN_SOURCE_DIR "/configs/blocklist.conf";
  o.allow = {"127.0.0.0/8"};
  o.timeouts.connect = 1000ms;
  o.timeouts.session = 10s;
  o.retries = 0;
  o.sessions_per_s = 0;
  o.prefix_sessions_per_s = 0;
  o.prefix_max_in_flight = 0;
  o.shuffle_seed = shuffle_seed;
  return o;
}

}  // namespace mxscan::test
