// Signal facts of one domain and the view beside the paper's result
// (docs/method.md, "Beyond the paper").
#include "mxscan/inference/signal_facts.hpp"

#include <catch2/catch.hpp>

#include "mxscan/common/names.hpp"
#include "mxscan/inference/batch.hpp"

using namespace mxscan;

namespace {

const PublicSuffixList& psl() {
  static const PublicSuffixList p;
  return p;
}

const Catalog& catalog() {
  static const Catalog c = Catalog::parse(R"(
[[company]]
name = "Mailbox"
ids = ["mb.example"]
asns = []
kind = "mailbox"
spf = ["_spf.mb.example"]
[[company]]
name = "Gateway"
ids = ["gw-example.com"]
asns = []
kind = "filtering"
spf = ["*.spf.gw.example"]
[[company]]
name = "Sender"
ids = ["snd.example"]
asns = []
kind = "other"
spf = "snd.example"
)");
  return c;
}

DomainObs observed(std::vector<std::string> reached, std::string result = "ok") {
  DomainObs d;
  d.domain = "d.example";
  d.mx_status = DnsStatus::ok;
  DomainSignals s;
  s.spf.status = DnsStatus::ok;
  s.spf.record = "v=spf1 include:x ~all";
  s.spf.reached = std::move(reached);
  s.spf.result = std::move(result);
  d.signals = s;
  return d;
}

MxRecord make_mx() {
  MxRecord mx;
  mx.exchange = "mx.gw-example.com";
  mx.preference = 10;
  mx.addr_status = DnsStatus::ok;
  mx.addresses = {"192.0.2.1"};
  return mx;
}

}  // namespace

TEST_CASE("signal facts: none without signals, SPF companies in reach order, once each") {
  DomainObs plain;
  plain.domain = "d.example";
  CHECK_FALSE(signal_facts(plain, catalog(), psl()));

  auto f = signal_facts(observed({"a.spf.gw.example", "snd.example", "b.spf.gw.example",
                                  "_spf.mb.example", "unknown.example"}),
                        catalog(), psl());
  REQUIRE(f);
  REQUIRE(f->spf);
  REQUIRE(f->spf->companies.size() == 3);
  CHECK(f->spf->companies[0] == SpfCompany{"Gateway", CompanyKind::filtering, "a.spf.gw.example"});
  CHECK(f->spf->companies[1].company == "Sender");
  CHECK(f->spf->companies[2] == SpfCompany{"Mailbox", CompanyKind::mailbox, "_spf.mb.example"});
  // Signals not queried stay unset, never "false".
  CHECK_FALSE(f->mta_sts);
  CHECK_FALSE(f->tls_rpt);
  CHECK_FALSE(f->dmarc);
  CHECK_FALSE(f->dane);
}

TEST_CASE("signal view: gateway, mailbox and agreement from the inbound companies") {
  auto f = *signal_facts(observed({"a.spf.gw.example", "_spf.mb.example"}), catalog(), psl());
  auto v = signal_view(f, {"Gateway"}, true, catalog());
  CHECK(v.gateway == true);
  REQUIRE(v.mailbox);
  REQUIRE(v.mailbox->size() == 1);
  CHECK(v.mailbox->front().company == "Mailbox");
  CHECK(v.agreement == true);  // the gateway relays outbound mail too

  v = signal_view(f, {"Mailbox"}, true, catalog());
  CHECK(v.gateway == false);
  CHECK(v.agreement == true);
  v = signal_view(f, {"Nobody"}, true, catalog());
  CHECK(v.agreement == false);
  // No provider: no gateway or agreement to speak of.
  v = signal_view(f, {}, false, catalog());
  CHECK_FALSE(v.gateway);
  CHECK_FALSE(v.agreement);
  // A record that could not be followed does not vote.
  auto broken = *signal_facts(observed({"_spf.mb.example"}, "permerror"), catalog(), psl());
  v = signal_view(broken, {"Gateway"}, true, catalog());
  CHECK_FALSE(v.agreement);
  REQUIRE(v.mailbox);
  CHECK(v.mailbox->size() == 1);
}

TEST_CASE("signal facts: report URIs become registered domains") {
  CHECK(report_uri_domain("mailto:d@rua.vendor.example.co.uk!10m", psl()) == "example.co.uk");
  CHECK(report_uri_domain("MAILTO:x@Reports.Example.com", psl()) == "example.com");
  CHECK(report_uri_domain("https://tlsrpt.host.example.org/v1/report", psl()) == "example.org");
  CHECK(report_uri_domain("mailto:no-at-sign", psl()).empty());
  CHECK(report_uri_domain("ftp://x.example.com", psl()).empty());

  auto d = observed({});
  d.signals->dmarc = DmarcObs{DnsStatus::ok,
                              "v=DMARC1; p=reject",
                              "reject",
                              {"mailto:a@x.example.com", "mailto:b@y.example.com"},
                              {}};
  d.signals->tls_rpt = TlsRptObs{DnsStatus::nodata, "", {}};
  d.signals->mta_sts.status = DnsStatus::ok;
  d.signals->mta_sts.record = "v=STSv1; id=1";
  d.signals->mta_sts.id = "1";
  MxRecord mx;
  mx.exchange = "mx.d.example";
  mx.tlsa = TlsaObs{DnsStatus::ok, false, {TlsaRecord{3, 1, 1, "00"}}};
  d.mx.push_back(mx);
  auto f = *signal_facts(d, catalog(), psl());
  CHECK(f.dmarc == DmarcFacts{"reject", true, {"example.com"}, {}});
  CHECK(f.tls_rpt == TlsRptFacts{false, {}});
  CHECK(f.mta_sts == MtaStsFacts{"1", std::nullopt, "", false});
  CHECK(f.dane == DaneFacts{1, 1, false});
}

TEST_CASE("signal facts: a batch attaches them to the result, the paper's fields unchanged") {
  auto with = observed({"_spf.mb.example"});
  with.mx.push_back(make_mx());
  auto without = with;
  without.signals.reset();
  HostObs h;
  h.address = "192.0.2.1";
  h.status = SmtpStatus::success;
  h.phase = SmtpPhase::quit;
  h.banner = "220 mx.gw-example.com ESMTP";
  h.ehlo = "250 mx.gw-example.com";
  auto run = [&](const DomainObs& d) {
    Batch b(catalog(), psl());
    b.add(d);
    b.add(h);
    return b.finish().domains.at(0);
  };
  auto a = run(with);
  auto b = run(without);
  CHECK(b.status == DomainOutcome::ok);
  CHECK_FALSE(b.signals);
  REQUIRE(a.signals);
  CHECK(a.signals->gateway == true);
  CHECK(a.signals->agreement == false);
  a.signals.reset();
  CHECK(a == b);
}
