// The report's "Beyond the MX" section and exported tables: present with signals,
// absent without them (the report of a scan without signals is unchanged).
#include "mxscan/results/report_signals.hpp"

#include <catch2/catch.hpp>

#include <string>

using namespace mxscan;

namespace {

DomainResult gateway_domain(const std::string& name, std::optional<SignalView> view) {
  DomainResult r;
  r.domain = name;
  r.status = DomainOutcome::ok;
  ProviderAssignment p;
  p.mx = "mx0a.pphosted.com";
  p.id = "pphosted.com";
  p.company = "ProofPoint";
  p.credit = 1;
  r.providers.push_back(p);
  r.signals = std::move(view);
  return r;
}

SignalView behind_proofpoint(const std::string& mailbox) {
  SignalView v;
  v.inbound = {InboundCompany{"ProofPoint", CompanyKind::filtering}};
  v.gateway = true;
  const SpfCompany m{mailbox, CompanyKind::mailbox, "_spf." + mailbox + ".example"};
  v.facts.spf = SpfFacts{"ok", "", "v=spf1 include:x -all", {m}};
  v.mailbox = std::vector<SpfCompany>{m};
  v.agreement = false;
  v.facts.dane = DaneFacts{1, 1, true};
  return v;
}

}  // namespace

TEST_CASE("report signals: gateway x mailbox matrix, by mailbox next to by MX, per company") {
  ReportBuilder b;
  b.add(gateway_domain("a.example", behind_proofpoint("Microsoft")));
  b.add(gateway_domain("b.example", behind_proofpoint("Microsoft")));
  b.add(gateway_domain("c.example", behind_proofpoint("Google")));
  const auto d = b.build("f", {}, false);
  REQUIRE(d.signals);
  CHECK(d.signals->behind_gateway == 3);
  REQUIRE(d.signals->gateway_mailbox.size() == 2);
  CHECK(d.signals->gateway_mailbox[0].mailbox == "Microsoft");
  CHECK(d.signals->gateway_mailbox[0].domains == 2);
  const auto html = signals_section(d, 10);
  CHECK(html.find("<b>3</b> are behind a filtering gateway (100.00%)") != std::string::npos);
  CHECK(html.find("<tr><td>ProofPoint</td><td>Microsoft</td><td>2</td><td>2</td></tr>") !=
        std::string::npos);
  CHECK(html.find("<tr><td>Microsoft</td><td>0.00%</td><td>66.67%</td></tr>") != std::string::npos);
  CHECK(html.find("<tr><td>ProofPoint</td><td>100.00%</td><td>0.00%</td></tr>") !=
        std::string::npos);
  std::vector<NamedTable> tables;
  append_signal_tables(d, 10, tables);
  REQUIRE(tables.size() == 3);
  CHECK(tables[0].name == "mailbox");
  CHECK(tables[1].table.rows.at(1) == std::vector<std::string>{"ProofPoint", "Google", "1", "1"});
  CHECK(tables[2].table.rows.at(0).at(6) == "100.00%");  // DANE on every domain
}

TEST_CASE("report signals: nothing without signals") {
  ReportBuilder b;
  b.add(gateway_domain("a.example", std::nullopt));
  const auto d = b.build("f", {}, false);
  CHECK_FALSE(d.signals);
  CHECK(signals_section(d, 10).empty());
  std::vector<NamedTable> tables;
  append_signal_tables(d, 10, tables);
  CHECK(tables.empty());
}
