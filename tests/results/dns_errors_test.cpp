#include "mxscan/inference/dns_errors.hpp"

#include <catch2/catch.hpp>

#include "mxscan/inference/catalog.hpp"
#include "mxscan/results/summary_report.hpp"

using namespace mxscan;

namespace {

DomainResult with(DomainOutcome status, std::string reason) {
  DomainResult r;
  r.domain = "x.example";
  r.status = status;
  r.reason = std::move(reason);
  return r;
}

}  // namespace

TEST_CASE("DNS errors: the cause is read from the result's reason") {
  CHECK(dns_error_cause(with(DomainOutcome::dns_error,
                             "MX lookup failed: timeout (no answer after all tries)")) ==
        "timeout");
  CHECK(dns_error_cause(with(DomainOutcome::dns_error, "MX lookup failed: servfail")) ==
        "servfail");
  CHECK(dns_error_cause(with(DomainOutcome::dns_error, "MX lookup failed: ")) == "other");
  CHECK(dns_error_cause(with(DomainOutcome::dns_error, "something else")) == "other");
}

TEST_CASE("DNS errors: the sentence, and when they are most of the run") {
  CHECK(dns_error_sentence(0, 10, {}).empty());
  CHECK_FALSE(mostly_dns_errors(5, 10));
  CHECK(mostly_dns_errors(6, 10));
  CHECK_FALSE(mostly_dns_errors(0, 0));
  CHECK(dns_error_sentence(1, 59, {{"servfail", 1}}) ==
        "1 of 59 domains (1.7 %) ended in DNS errors: servfail 1");
  const std::string most = dns_error_sentence(3, 4, {{"refused", 1}, {"timeout", 2}});
  CHECK(most.find("3 of 4 domains (75.0 %) ended in DNS errors: refused 1, timeout 2. Most of "
                  "this run measured its DNS resolver") == 0);
}

TEST_CASE("DNS errors: summary.json breaks them down by cause") {
  const Catalog catalog;
  SummaryBuilder b(catalog);
  b.add(with(DomainOutcome::dns_error, "MX lookup failed: timeout (no answer after all tries)"));
  b.add(with(DomainOutcome::dns_error, "MX lookup failed: timeout (no answer after all tries)"));
  b.add(with(DomainOutcome::dns_error, "MX lookup failed: refused"));
  b.add(with(DomainOutcome::nxdomain, "domain does not exist"));
  const Summary s = b.build();
  CHECK(s.dns_error_causes == DnsErrorCauses{{"refused", 1}, {"timeout", 2}});
  const std::string json = summary_json(s, catalog, RunReport{});
  CHECK(json.find("\"dns_errors\":{\"domains\":3,\"most_domains\":true,\"causes\":{\"refused\":1,"
                  "\"timeout\":2}}") != std::string::npos);
}
