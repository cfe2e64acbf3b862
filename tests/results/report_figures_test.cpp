#include "mxscan/results/report_figures.hpp"

#include <catch2/catch.hpp>

#include <algorithm>

#include "domain_results.hpp"

using namespace mxscan;
using mxscan::test::ok;
using mxscan::test::with_status;

namespace {

ProviderAssignment assigned(std::string id, std::optional<std::string> company, double credit) {
  ProviderAssignment a;
  a.mx = "mx." + id;
  a.id = std::move(id);
  a.company = std::move(company);
  a.credit = credit;
  return a;
}

ReportData data(bool with_hosts) {
  ReportBuilder b;
  b.add(ok("a.example", {assigned("google.com", "Google", 1)}));
  b.add(ok("b.example", {assigned("zeta-host.net", std::nullopt, 1)}));
  b.add(with_status("c.example", DomainOutcome::no_smtp));
  if (with_hosts) {
    HostObs h;
    h.address = "192.0.2.1";
    h.asn = 64500;
    h.as_name = "R&D_Net 100%";
    h.status = SmtpStatus::success;
    h.banner = "220 x";
    b.add(h);
  }
  return b.build("/tmp/x", {}, with_hosts);
}

std::vector<std::string> names(const auto& list) {
  std::vector<std::string> out;
  for (const auto& x : list) out.push_back(x.name);
  return out;
}

}  // namespace

TEST_CASE("report figures: the host figures and tables only when hosts.jsonl had them") {
  CHECK(names(report_figures(data(false), 10)) ==
        std::vector<std::string>{"company", "id", "classes", "candidates", "status", "sources"});
  CHECK(names(report_figures(data(true), 10)) ==
        std::vector<std::string>{"company", "id", "classes", "candidates", "status", "sources",
                                 "tls", "ases"});
  CHECK(names(report_tables(data(false), 10)) ==
        std::vector<std::string>{"companies", "ids", "candidates", "status"});
  CHECK(names(report_tables(data(true), 10)) ==
        std::vector<std::string>{"companies", "ids", "candidates", "status", "tls", "ases"});
}

TEST_CASE("report figures: bars, rows and numbers agree with the data") {
  const auto d = data(true);
  const auto figures = report_figures(d, 1);
  const auto& company = figures[0];
  REQUIRE(company.bars.size() == 1);  // top 1
  CHECK(company.bars[0].value_text == "1 (50.00%)");
  const auto& status = figures[4];
  REQUIRE(status.bars.size() == kDomainOutcomeCount);
  CHECK(status.bars[static_cast<std::size_t>(DomainOutcome::no_smtp)].value == 1);
  CHECK(status_label(DomainOutcome::no_smtp) == "no SMTP answer (no_smtp)");
  const auto tables = report_tables(d, 10);
  const auto& candidates = tables[2].table;
  REQUIRE(candidates.rows.size() == 1);
  CHECK(candidates.rows[0] == std::vector<std::string>{"1", "zeta-host.net", "1", "1"});
  const auto& ases = tables[5].table;
  REQUIRE(ases.rows.size() == 1);
  CHECK(ases.rows[0][2] == "R&D_Net 100%");  // escaped when written: latex_table()
  CHECK(latex_table(ases).find("R\\&D\\_Net 100\\%") != std::string::npos);
  CHECK(as_label(d.ases[0]) == "AS64500 R&D_Net 100%");
}
