// The signal fields of providers.jsonl: written only with signals, read back equal,
// malformed ones refused with the field named.
#include "mxscan/results/signals_json.hpp"

#include <catch2/catch.hpp>

#include "mxscan/results/providers_json.hpp"
#include "mxscan/results/results_folder.hpp"

using namespace mxscan;

namespace {

DomainResult result() {
  DomainResult r;
  r.domain = "d.example.com";
  r.status = DomainOutcome::ok;
  r.line = 3;
  ProviderAssignment p;
  p.mx = "mx.gw.example.com";
  p.id = "gw.example.com";
  p.company = "Gateway";
  p.credit = 1;
  r.providers.push_back(p);
  return r;
}

}  // namespace

TEST_CASE("signals json: nothing written without signals") {
  std::string line;
  append_jsonl(line, result());
  CHECK(line.find("signals") == std::string::npos);
  CHECK(line.find("gateway") == std::string::npos);
  std::string reason;
  auto back = parse_providers_line(line, reason);
  REQUIRE(back);
  CHECK_FALSE(back->signals);
}

TEST_CASE("signals json: every fact read back equal") {
  auto r = result();
  SignalView v;
  const SpfCompany mailbox{"Mailbox", CompanyKind::mailbox, "_spf.mb.example.com"};
  v.facts.spf = SpfFacts{"ok", "", "v=spf1 include:_spf.mb.example.com -all", {mailbox}};
  v.facts.mta_sts = MtaStsFacts{"20260101", std::string("ok"), "testing", true};
  v.facts.tls_rpt = TlsRptFacts{true, {"example.net"}};
  v.facts.dmarc = DmarcFacts{"none", true, {"a.example"}, {"b.example"}};
  v.facts.dane = DaneFacts{2, 1, true};
  v.gateway = true;
  v.inbound = {InboundCompany{"Gateway", CompanyKind::filtering}};
  v.mailbox = std::vector<SpfCompany>{mailbox};
  v.agreement = false;
  r.signals = v;
  std::string line;
  append_jsonl(line, r);
  CHECK(
      line.find(
          R"("line":3,"inbound":[{"company":"Gateway","kind":"filtering"}],"gateway":true,"mailbox":[{"company":"Mailbox","kind":"mailbox",)"
          R"("include":"_spf.mb.example.com"}],"agreement":false,"signals":{"spf":)") !=
      std::string::npos);
  std::string reason;
  auto back = parse_providers_line(line, reason);
  INFO(reason);
  REQUIRE(back);
  CHECK(*back == r);

  // Unset facts stay unset (absent, not false).
  r.signals = SignalView{};
  line.clear();
  append_jsonl(line, r);
  CHECK(line.find(R"("signals":{})") != std::string::npos);
  back = parse_providers_line(line, reason);
  REQUIRE(back);
  CHECK(*back == r);
}

TEST_CASE("signals json: a malformed signal field refuses the line, naming it") {
  std::string line;
  append_jsonl(line, result());
  auto bad = [&](const std::string& fields) {
    std::string l = line;
    l.insert(l.find(",\"schema\""), fields);
    std::string reason;
    CHECK_FALSE(parse_providers_line(l, reason));
    return reason;
  };
  CHECK(bad(R"(,"signals":[])") == "malformed signal field signals");
  CHECK(bad(R"(,"gateway":"yes","signals":{})") == "malformed signal field .gateway");
  CHECK(bad(R"(,"signals":{"dane":{"exchanges":-1,"with_tlsa":0,"authenticated":true}})") ==
        "malformed signal field dane.exchanges");
  CHECK(bad(R"(,"signals":{"spf":{"result":"ok","companies":[{"company":"x","kind":"gw"}]}})") ==
        "malformed signal field spf.companies[].kind");
}
