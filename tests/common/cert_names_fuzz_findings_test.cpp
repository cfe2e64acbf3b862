// Findings of fuzz_cert_names (tests/fuzz/cert_names/regressions/).
#include "mxscan/common/x509.hpp"

#include <catch2/catch.hpp>

#include <string>

#include "corpus_replay.hpp"

TEST_CASE("validity years before 1000 keep four digits", "[tls][fuzz]") {
  // notAfter GeneralizedTime 02810901114629Z came out as "281-09-01T11:46:29Z"
  // (strftime's %Y does not pad), which is not ISO 8601.
  const std::string der = mxscan::fuzz::regression_input("cert_names", "year-0281-not-after");
  mxscan::X509Ptr cert = mxscan::parse_der_certificate(der);
  REQUIRE(cert);
  const mxscan::CertificateInfo info = mxscan::certificate_info(cert.get());
  CHECK(info.not_after == "0281-09-01T11:46:29Z");
  CHECK(info.not_before == "2026-11-29T11:46:29Z");
  CHECK(info.subject_cn == "old.example.org");
}
