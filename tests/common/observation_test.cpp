#include "mxscan/common/observation.hpp"

#include <catch2/catch.hpp>

using namespace mxscan;

TEST_CASE("status names round-trip through text") {
  for (int i = 0; i <= static_cast<int>(DnsStatus::not_queried); ++i) {
    auto s = static_cast<DnsStatus>(i);
    CHECK(parse_dns_status(to_string(s)) == s);
  }
  for (int i = 0; i <= static_cast<int>(SmtpStatus::not_contacted); ++i) {
    auto s = static_cast<SmtpStatus>(i);
    CHECK(parse_smtp_status(to_string(s)) == s);
  }
  for (int i = 0; i <= static_cast<int>(SmtpPhase::done); ++i) {
    auto p = static_cast<SmtpPhase>(i);
    CHECK(parse_smtp_phase(to_string(p)) == p);
  }
}

TEST_CASE("SMTP statuses use the documented hyphenated names") {
  CHECK(to_string(SmtpStatus::connect_timeout) == "connect-timeout");
  CHECK(to_string(SmtpStatus::greeting_4xx) == "greeting-4xx");
  CHECK_FALSE(parse_smtp_status("connect_timeout").has_value());
  CHECK_FALSE(parse_dns_status("").has_value());
}
