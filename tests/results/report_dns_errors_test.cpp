// The report of a run that mostly measured its resolver: said first, broken
// down by cause, and no missing ASN file blamed for the missing addresses.
#include <fmt/format.h>
#include <catch2/catch.hpp>

#include "mxscan/results/report_data.hpp"
#include "mxscan/results/report_html.hpp"

using namespace mxscan;

namespace {

DomainResult result(std::string domain, DomainOutcome status, std::string reason) {
  DomainResult r;
  r.domain = std::move(domain);
  r.status = status;
  r.reason = std::move(reason);
  return r;
}

ReportData data(int timeouts, int refused, int nxdomain) {
  ReportBuilder b;
  int n = 0;
  for (int i = 0; i < timeouts; ++i) {
    b.add(result(fmt::format("t{}.example", n++), DomainOutcome::dns_error,
                 "MX lookup failed: timeout (no answer after all tries)"));
  }
  for (int i = 0; i < refused; ++i) {
    b.add(result(fmt::format("r{}.example", n++), DomainOutcome::dns_error,
                 "MX lookup failed: refused"));
  }
  for (int i = 0; i < nxdomain; ++i) {
    b.add(
        result(fmt::format("n{}.example", n++), DomainOutcome::nxdomain, "domain does not exist"));
  }
  return b.build("scan", {}, true);
}

}  // namespace

TEST_CASE("report: most domains in DNS errors is said first, by cause") {
  const auto d = data(3, 1, 1);
  CHECK(d.dns_error_causes == DnsErrorCauses{{"refused", 1}, {"timeout", 3}});
  const std::string html = render_html(d);
  const auto warning = html.find("<section id=\"dns-warning\"");
  REQUIRE(warning != std::string::npos);
  CHECK(warning < html.find("<div class=\"cards\">"));
  CHECK(html.find("4 of 5 domains (80.0 %) ended in DNS errors: refused 1, timeout 3. Most of this "
                  "run measured its DNS resolver") != std::string::npos);
  CHECK(html.find("<caption>DNS errors by cause</caption>") != std::string::npos);
  CHECK(html.find("<tr><td>timeout</td><td>3</td><td>60.00%</td></tr>") != std::string::npos);
  CHECK(html.find("scan without --asn-db or --pfx2as") == std::string::npos);
  CHECK(html.find("No AS numbers: no address was met") != std::string::npos);
  const std::string text = render_text(d);
  CHECK(text.find("4 of 5 domains (80.0 %) ended in DNS errors: refused 1, timeout 3") !=
        std::string::npos);
}

TEST_CASE("report: a few DNS errors are broken down without the warning") {
  const auto d = data(1, 0, 4);
  const std::string html = render_html(d);
  CHECK(html.find("dns-warning") == std::string::npos);
  CHECK(html.find("<caption>DNS errors by cause</caption>") != std::string::npos);
  CHECK(html.find("1 of 5 domains (20.0 %) ended in DNS errors: timeout 1.") != std::string::npos);
  const auto clean = data(0, 0, 2);
  CHECK(render_html(clean).find("DNS errors by cause") == std::string::npos);
}
