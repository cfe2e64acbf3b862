#include "mxscan/scanner/dns/policy_records.hpp"

#include <catch2/catch.hpp>

#include <string>
#include <vector>

using namespace mxscan;

TEST_CASE("MTA-STS TXT: the one v=STSv1 record and its id") {
  MtaStsObs m;
  dns::read_mta_sts({"unrelated", "v=STSv1; id=20260101T000000;"}, m);
  CHECK(m.record == "v=STSv1; id=20260101T000000;");
  CHECK(m.id == "20260101T000000");
  MtaStsObs none;
  dns::read_mta_sts({"v=STSv1; id=a", "v=STSv1; id=b"}, none);  // several: no policy (RFC 8461 3.1)
  CHECK(none.record.empty());
  CHECK(none.id.empty());
  MtaStsObs other;
  dns::read_mta_sts({"v=STSv2; id=x", "id=x"}, other);
  CHECK(other.record.empty());
}

TEST_CASE("TLS-RPT TXT: rua URIs as published") {
  TlsRptObs t;
  dns::read_tls_rpt({"v=TLSRPTv1; rua=mailto:tls@example.org, https://rpt.example.net/v1"}, t);
  CHECK(t.record == "v=TLSRPTv1; rua=mailto:tls@example.org, https://rpt.example.net/v1");
  CHECK(t.rua == std::vector<std::string>{"mailto:tls@example.org", "https://rpt.example.net/v1"});
  TlsRptObs none;
  dns::read_tls_rpt({"v=spf1 -all"}, none);
  CHECK(none.record.empty());
  CHECK(none.rua.empty());
}

TEST_CASE("DMARC TXT: policy, rua and ruf") {
  DmarcObs d;
  dns::read_dmarc({"v=DMARC1; p=quarantine; rua=mailto:x@ag.dmarcian.com,mailto:d@example.org!10m;"
                   " ruf=mailto:f@example.org; pct=50"},
                  d);
  CHECK(d.policy == "quarantine");
  CHECK(d.rua == std::vector<std::string>{"mailto:x@ag.dmarcian.com", "mailto:d@example.org!10m"});
  CHECK(d.ruf == std::vector<std::string>{"mailto:f@example.org"});
  DmarcObs two;
  dns::read_dmarc({"v=DMARC1; p=none", "v=DMARC1; p=reject"}, two);
  CHECK(two.record.empty());
  CHECK(two.policy.empty());
  DmarcObs later;  // v= must come first (RFC 7489 6.4)
  dns::read_dmarc({"p=reject; v=DMARC1"}, later);
  CHECK(later.record.empty());
}
