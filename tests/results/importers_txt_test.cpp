// The ZDNS importer takes TXT answers too (docs/import.md): SPF at the domain,
// _mta-sts., _smtp._tls. and _dmarc. names fill the domain's signals whatever the
// line order; includes are not followed offline.
#include "mxscan/results/importers.hpp"

#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "mxscan/common/names.hpp"
#include "mxscan/inference/batch.hpp"

using namespace mxscan;

namespace {

class Keep : public ObservationHandler {
 public:
  void on_domain(DomainObs& obs) override { domains.push_back(obs); }
  void on_host(HostObs& obs) override { hosts.push_back(obs); }
  void on_malformed(const ReadProblem& p) override { problems.push_back(p); }
  const DomainObs& domain(const std::string& name) const {
    for (const auto& d : domains) {
      if (d.domain == name) return d;
    }
    FAIL("no domain " << name);
    return domains.front();
  }
  std::vector<DomainObs> domains;
  std::vector<HostObs> hosts;
  std::vector<ReadProblem> problems;
};

}  // namespace

TEST_CASE("import: ZDNS TXT lines become the signals of the MX lines' domains") {
  const std::string path = MXSCAN_SOURCE_DIR "/tests/data/import/zdns_txt.jsonl";
  Keep sink;
  const auto counts = import_file(ImportFormat::zdns, path, sink, nullptr);
  CHECK(counts.lines == 9);
  CHECK(counts.domains == 3);
  // An unknown status on a TXT line is reported with its line, like any other.
  REQUIRE(sink.problems.size() == 1);
  CHECK(sink.problems[0].line == 9);
  CHECK(sink.problems[0].reason == "unknown ZDNS status \"BOGUS\"");

  CHECK_FALSE(sink.domain("netflix.com").signals);  // no TXT line: not collected

  const auto& acme = sink.domain("acme-widgets.com");
  REQUIRE(acme.signals);
  const auto& s = *acme.signals;
  CHECK(s.spf.status == DnsStatus::ok);
  CHECK(s.spf.result == "ok");
  CHECK(s.spf.record == "v=spf1 include:spf.protection.outlook.com include:mail.zendesk.com -all");
  CHECK(s.spf.reached ==
        std::vector<std::string>{"spf.protection.outlook.com", "mail.zendesk.com"});
  CHECK(s.spf.lookups == 2);
  CHECK(s.dmarc.policy == "reject");
  CHECK(s.dmarc.rua ==
        std::vector<std::string>{"mailto:dmarc@rua.agari.com", "mailto:d@acme-widgets.com"});
  CHECK(s.dmarc.ruf == std::vector<std::string>{"mailto:f@ruf.agari.com"});
  CHECK(s.mta_sts.id == "20260101T000000");
  CHECK(s.tls_rpt.status == DnsStatus::nxdomain);
  CHECK(s.tls_rpt.record.empty());

  // v2 nesting; two SPF records are a permerror (RFC 7208 4.5); the _dmarc line was malformed.
  const auto& ut = sink.domain("utexas.edu");
  REQUIRE(ut.signals);
  CHECK(ut.signals->spf.result == "permerror");
  CHECK(ut.signals->spf.error == "two SPF records");
  CHECK(ut.signals->spf.reached.empty());
  CHECK(ut.signals->dmarc.status == DnsStatus::not_queried);
}

TEST_CASE("import: ZDNS TXT signals reach the inference (mailbox behind a gateway)") {
  const Catalog catalog = Catalog::load(MXSCAN_SOURCE_DIR "/configs/providers.toml");
  const PublicSuffixList psl;
  Keep sink;
  import_file(ImportFormat::zdns, MXSCAN_SOURCE_DIR "/tests/data/import/zdns_txt.jsonl", sink,
              nullptr);
  Batch batch(catalog, psl);
  for (const auto& d : sink.domains) batch.add(d);
  for (const auto& r : batch.finish().domains) {
    if (r.domain != "acme-widgets.com") continue;
    REQUIRE(r.signals);
    REQUIRE(r.signals->mailbox);
    REQUIRE(r.signals->mailbox->size() == 1);
    CHECK(r.signals->mailbox->front().company == "Microsoft");
    REQUIRE(r.signals->facts.dmarc);
    CHECK(r.signals->facts.dmarc->rua_domains ==
          std::vector<std::string>{"acme-widgets.com", "agari.com"});
  }
}
