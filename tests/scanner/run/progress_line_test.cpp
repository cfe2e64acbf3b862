#include "mxscan/scanner/run/progress_line.hpp"

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
  for (int i = 0; i < 3; ++i) c.smtp_connect();
  c.set_smtp_rate_limit(1);
  c.smtp_done(SmtpStatus::success);
  c.smtp_finished_in_flight();
  c.smtp_done(SmtpStatus::connect_timeout);
  c.smtp_finished_in_flight();
  auto line = render_progress(c.snapshot(), prev, 60.0, 2.0);
  CHECK(line.rfind("00:01:00 domains 300/1000 (30.0%)", 0) == 0);
  CHECK(line.find("dns 300 q/s") != std::string::npos);
  // Sessions opened (3 connects in 2 s), not addresses queued (20), beside the limit.
  CHECK(line.find("smtp 1.5/s (limit 1/s)") != std::string::npos);
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

TEST_CASE("the SMTP rate shows a fractional limit, and no limit as such") {
  ScanCounters c;
  c.set_smtp_rate_limit(0.5);
  c.smtp_connect();
  CHECK(render_progress(c.snapshot(), ScanSnapshot{}, 2.0, 2.0).find("smtp 0.5/s (limit 0.5/s)") !=
        std::string::npos);
  c.set_smtp_rate_limit(0);
  CHECK(render_progress(c.snapshot(), ScanSnapshot{}, 2.0, 2.0).find("smtp 0.5/s (no limit)") !=
        std::string::npos);
}

namespace {

// A busy scan's snapshot: every field long.
ScanSnapshot busy() {
  ScanCounters c;
  c.set_total(50'000);
  c.set_smtp_rate_limit(100);
  for (int i = 0; i < 5000; ++i) c.domain_done(static_cast<DnsStatus>(i % kDnsStatusCount));
  for (int i = 0; i < 3000; ++i) {
    c.smtp_started();
    c.smtp_connect();
    c.smtp_done(static_cast<SmtpStatus>(i % kSmtpStatusCount));
  }
  for (int i = 0; i < 90000; ++i) c.dns_query_sent();
  return c.snapshot();
}

}  // namespace

TEST_CASE("the progress line fits 40, 80, 120 and 300 columns, most important fields first") {
  const auto fields = progress_fields(busy(), ScanSnapshot{}, 3725.0, 1.0);
  const std::string full = fit_progress(fields, 0);
  CHECK(full.size() > 300);  // what wrapped and filled a 120-column screen
  CHECK(full == render_progress(busy(), ScanSnapshot{}, 3725.0, 1.0));
  std::size_t last_size = 0;
  for (std::size_t columns : {40, 80, 120, 300}) {
    INFO("columns " << columns);
    const std::string line = fit_progress(fields, columns);
    CHECK(line.size() < columns);  // the last column stays free
    CHECK(line.size() >= last_size);
    last_size = line.size();
    // Only whole fields, in display order: the line is the full line minus some fields.
    std::size_t at = 0;
    std::size_t shown = 0;
    for (const auto& f : fields) {
      const auto pos = line.find(f.text, at);
      if (pos == std::string::npos) continue;
      CHECK((pos == 0 || line[pos - 1] == ' '));
      CHECK((pos + f.text.size() == line.size() || line[pos + f.text.size()] == ' '));
      at = pos + f.text.size();
      ++shown;
    }
    CHECK(at == line.size());
    // Nothing but the fields shown and one space between each.
    std::size_t chars = shown - 1;
    for (const auto& f : fields)
      chars += line.find(f.text) != std::string::npos ? f.text.size() : 0;
    CHECK(chars == line.size());
    // Elapsed time and domains done come first, always.
    CHECK(line.rfind("01:02:05 domains 5000/50000 (10.0%)", 0) == 0);
  }
  // 40 columns: only the rank-0 fields; 80: the SMTP rate and its limit and the ETA join.
  CHECK(fit_progress(fields, 40) == "01:02:05 domains 5000/50000 (10.0%)");
  const std::string eighty = fit_progress(fields, 80);
  CHECK(eighty.find("smtp 3000.0/s (limit 100/s)") != std::string::npos);
  CHECK(eighty.find("eta ") != std::string::npos);
  CHECK(eighty.find("| ") == std::string::npos);
  // Wide enough for everything: the full line.
  CHECK(fit_progress(fields, full.size() + 1) == full);
  CHECK(fit_progress(fields, full.size()) != full);
}

TEST_CASE("a terminal too narrow for any field gets an empty line, never a cut field") {
  const auto fields = progress_fields(busy(), ScanSnapshot{}, 1.0, 1.0);
  CHECK(fit_progress(fields, 5).empty());
  CHECK(fit_progress(fields, 10) == "00:00:01");
}
