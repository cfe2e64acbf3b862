#include "mxscan/scanner/smtp/smtp_stage.hpp"

#include <catch2/catch.hpp>
#include <cstdlib>
#include <map>

// Hidden tests: run by tests/scanner/smtp/postfix_session_test.sh with a real Postfix up
// (ctest label "smtp;lab"), never by a plain `test_scanner` run.
TEST_CASE("postfix: banner, EHLO, STARTTLS and the lab chain from a real Postfix", "[.][postfix]") {
  const char* port = std::getenv("MXSCAN_POSTFIX_PORT");
  const char* ca = std::getenv("MXSCAN_POSTFIX_CA");
  REQUIRE(port);
  REQUIRE(ca);
  mxscan::SmtpOptions o;
  o.ehlo_name = "scanner.test.lab.example";
  o.port = static_cast<std::uint16_t>(std::atoi(port));
  o.default_blocklist = MXSCAN_SOURCE_DIR "/configs/blocklist.conf";
  o.allow = {"127.62.0.0/24"};
  o.ca_file = ca;
  o.sessions_per_s = 0;
  o.timeouts.greeting = std::chrono::seconds(5);
  o.timeouts.reply = std::chrono::seconds(5);
  std::map<std::string, mxscan::HostObs> h;
  for (auto& obs :
       mxscan::scan_addresses(o, {"127.62.0.1", "127.62.0.2", "127.62.0.3", "127.62.1.1"}))
    h[obs.address] = std::move(obs);

  const auto& tls = h["127.62.0.1"];
  INFO(tls.error);
  CHECK(tls.status == mxscan::SmtpStatus::success);
  CHECK(tls.banner == "220 mx1.postfix.lab.example ESMTP Postfix lab");
  CHECK(tls.ehlo.rfind("250-mx1.postfix.lab.example\n", 0) == 0);
  CHECK(tls.starttls_offered);
  REQUIRE(tls.tls);
  CHECK(tls.tls->trusted);
  CHECK(tls.tls->chain_der.size() == 2);
  CHECK(tls.tls->leaf.subject_cn == "mx1.postfix.lab.example");
  CHECK(tls.tls->leaf.sans ==
        std::vector<std::string>{"mx1.postfix.lab.example", "mx2.postfix.lab.example"});
  CHECK(tls.ehlo_tls.find("STARTTLS") == std::string::npos);
  CHECK(tls.ehlo_tls.rfind("250-mx1.postfix.lab.example", 0) == 0);

  const auto& plain = h["127.62.0.2"];
  CHECK(plain.status == mxscan::SmtpStatus::success);
  CHECK(plain.banner == "220 plain.postfix.lab.example ESMTP");
  CHECK_FALSE(plain.starttls_offered);
  CHECK_FALSE(plain.tls);

  const auto& expired = h["127.62.0.3"];
  CHECK(expired.status == mxscan::SmtpStatus::success);
  REQUIRE(expired.tls);
  CHECK_FALSE(expired.tls->trusted);
  CHECK(expired.tls->verify_error == "certificate has expired");

  CHECK(h["127.62.1.1"].status == mxscan::SmtpStatus::blocked);  // outside the allowed /24
}
