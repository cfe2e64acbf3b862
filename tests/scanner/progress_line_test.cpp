#include "mxscan/scanner/progress_line.hpp"

#include <catch2/catch.hpp>

using namespace mxscan;

TEST_CASE("progress line shows counts, rates, ETA and statuses") {
  ScanCounters c;
  c.set_total(1000);
  auto prev = c.snapshot();
  for (int i = 0; i < 250; ++i) c.domain_done(DnsStatus::ok);
  for (int i = 0; i < 50; ++i) c.domain_done(DnsStatus::nxdomain);
  for (int i = 0; i < 600; ++i) c.dns_query_sent();
  for (int i = 0; i < 20; ++i) c.smtp_started();
  c.smtp_done(SmtpStatus::success);
  c.smtp_finished_in_flight();
  c.smtp_done(SmtpStatus::connect_timeout);
  c.smtp_finished_in_flight();
  auto line = render_progress(c.snapshot(), prev, 60.0, 2.0);
  CHECK(line.rfind("00:01:00 domains 300/1000 (30.0%)", 0) == 0);
  CHECK(line.find("dns 300 q/s") != std::string::npos);
  CHECK(line.find("smtp 10 s/s") != std::string::npos);
  CHECK(line.find("in-flight dns 0 smtp 18") != std::string::npos);
  CHECK(line.find("eta 00:02:20") != std::string::npos);
  CHECK(line.find("| ok 250 nxdomain 50 | success 1 connect-timeout 1") != std::string::npos);
}

TEST_CASE("progress without a known total has no percentage or ETA") {
  ScanCounters c;
  c.domain_done(DnsStatus::ok);
  auto line = render_progress(c.snapshot(), ScanSnapshot{}, 1.0, 1.0);
  CHECK(line.find("domains 1 dns") != std::string::npos);
  CHECK(line.find("eta --:--:--") != std::string::npos);
}

TEST_CASE("terminal output rewrites one line; logs get plain lines") {
  CHECK(progress_output("x", true) == "\rx\x1b[K");
  CHECK(progress_output("x", false) == "x\n");
  CHECK(format_duration(3725) == "01:02:05");
  CHECK(format_duration(-1) == "--:--:--");
}
