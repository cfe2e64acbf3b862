#include "mxscan/results/report_html.hpp"

#include <fmt/format.h>
#include <catch2/catch.hpp>

#include <regex>
#include <set>

#include "domain_results.hpp"
#include "mxscan/results/providers_json.hpp"
#include "mxscan/results/report_data.hpp"
#include "mxscan/results/results_folder.hpp"

using namespace mxscan;
using mxscan::test::ok;
using mxscan::test::with_status;

namespace {

ProviderAssignment assign(std::string mx, std::string id, std::optional<std::string> company,
                          Source source, double credit) {
  ProviderAssignment a;
  a.mx = std::move(mx);
  a.id = std::move(id);
  a.company = std::move(company);
  a.source = source;
  a.credit = credit;
  a.live_ips = 1;
  return a;
}

HostObs host(std::string address, std::uint32_t asn, std::string as_name, bool tls, bool trusted) {
  HostObs h;
  h.address = std::move(address);
  h.asn = asn;
  h.as_name = std::move(as_name);
  h.status = SmtpStatus::success;
  h.banner = "220 mx ESMTP";
  h.starttls_offered = true;
  h.starttls_accepted = tls;
  if (tls) {
    h.tls.emplace();
    h.tls->trusted = trusted;
  }
  return h;
}

ReportData sample_data() {
  ReportBuilder b;
  b.add(ok("a.example", {assign("aspmx.l.google.com", "google.com", "Google", Source::tls, 1)}));
  b.add(
      ok("b.example", {assign("aspmx.l.google.com", "google.com", "Google", Source::tls, 0.5),
                       assign("mail.b.example", "b.example", std::nullopt, Source::banner, 0.5)}));
  b.add(ok("c.example", {assign("c-example.mail.protection.outlook.com", "outlook.com", "Microsoft",
                                Source::tls, 1)}));
  b.add(ok("d.example", {assign("mx.d.example", "", std::nullopt, Source::mx, 1)}));
  b.add(with_status("e.example", DomainOutcome::no_mx, "because"));
  b.add(with_status("f.example", DomainOutcome::null_mx, "because"));
  b.add(with_status("g.example", DomainOutcome::no_smtp, "because"));
  b.add(host("192.0.2.1", 15169, "GOOGLE", true, true));
  b.add(host("192.0.2.2", 15169, "GOOGLE", true, true));
  b.add(host("192.0.2.3", 8075, "MICROSOFT-CORP-MSN-AS-BLOCK", true, false));
  HostObs blocked;
  blocked.address = "192.0.2.4";
  blocked.status = SmtpStatus::blocked;
  b.add(blocked);
  FlatJson manifest = {{"state", "complete"},
                       {"started", "2026-11-29T12:00:00Z"},
                       {"ended", "2026-11-29T12:01:00Z"}};
  return b.build("/tmp/results", manifest, true);
}

std::size_t count(const std::string& text, const std::string& needle) {
  std::size_t n = 0;
  for (auto pos = text.find(needle); pos != std::string::npos; pos = text.find(needle, pos + 1))
    ++n;
  return n;
}

}  // namespace

TEST_CASE("report: figures by company, ID, status, source and host") {
  const auto d = sample_data();
  CHECK(d.domains_total == 7);
  CHECK(d.domains_with_provider == 4);
  CHECK(d.by_status[static_cast<std::size_t>(DomainOutcome::no_mx)] == 1);
  // Companies as in summary.csv: an ID of no known company stands alone, no-ID credit is in none.
  REQUIRE(d.by_company.size() == 3);
  CHECK(d.by_company[0].key == "Google");
  CHECK(d.by_company[0].credit == Approx(1.5));
  CHECK(d.by_company[0].domains == 2);
  CHECK(d.by_company[1].key == "Microsoft");
  CHECK(d.by_company[2].key == "b.example");
  CHECK(d.by_company[2].credit == Approx(0.5));
  CHECK(d.by_class[static_cast<std::size_t>(CompanyClass::known)].credit == Approx(2.5));
  CHECK(d.by_class[static_cast<std::size_t>(CompanyClass::self_hosted)].credit == Approx(0.5));
  CHECK(d.by_class[static_cast<std::size_t>(CompanyClass::no_id)].credit == Approx(1));
  CHECK(d.by_class[static_cast<std::size_t>(CompanyClass::not_in_catalog)].credit == 0);
  CHECK(d.candidates.empty());
  REQUIRE(d.by_id.size() == 3);
  CHECK(d.by_id[0].key == "google.com");
  CHECK(d.by_id[0].company == "Google");
  CHECK(d.assignments_without_id == 1);
  CHECK(d.credit_by_source[static_cast<std::size_t>(Source::tls)] == Approx(2.5));
  CHECK(d.credit_by_source[static_cast<std::size_t>(Source::banner)] == Approx(0.5));
  CHECK(d.hosts.hosts == 4);
  CHECK(d.hosts.contacted == 3);
  CHECK(d.hosts.live == 3);
  CHECK(d.hosts.starttls_offered == 3);
  CHECK(d.hosts.tls_completed == 3);
  CHECK(d.hosts.trusted == 2);
  REQUIRE(d.ases.size() == 2);
  CHECK(d.ases[0].asn == 15169);
  CHECK(d.ases[0].hosts == 2);
}

TEST_CASE("report: HTML has every section and chart, nothing that fetches, one script by hash") {
  const auto html = render_html(sample_data());
  for (const char* id : {"market-company", "market-id", "outside", "status", "sources", "tls",
                         "ases", "drill", "domains", "manifest"}) {
    INFO(id);
    CHECK(html.find(std::string("<section id=\"") + id + "\"") != std::string::npos);
  }
  for (const char* chart : {"company", "id", "classes", "status", "sources", "tls", "ases"}) {
    INFO(chart);
    CHECK(html.find(std::string("data-chart=\"") + chart + "\"") != std::string::npos);
  }
  // company, id, classes, status, sources, tls, ases (no candidate: no chart).
  CHECK(count(html, "<rect class=\"bar\"") == 3 + 3 + 4 + 8 + 3 + 5 + 2);
  CHECK(html.find("Google") != std::string::npos);
  CHECK(html.find("1.50 (37.50%)") !=
        std::string::npos);  // number beside the bar: credit and share
  // One script, the domain filter, which the CSP allows by its hash and nothing else.
  CHECK(count(html, "<script") == 1);
  CHECK(html.find("script-src 'sha256-") != std::string::npos);
  CHECK(html.find("'unsafe-inline'; script") != std::string::npos);
  CHECK(count(html, "unsafe-inline") == 1);
  CHECK(html.find("src=") == std::string::npos);
  CHECK(html.find("href=") == std::string::npos);
  CHECK(html.find("url(") == std::string::npos);
  CHECK(html.find("@import") == std::string::npos);
  CHECK(html.find("comparison") == std::string::npos);
}

TEST_CASE("report: strings from data are escaped everywhere") {
  ReportBuilder b;
  const std::string evil = "<script>alert(1)</script>\"'&<img src=x onerror=alert(2)>";
  b.add(ok("x.example", {assign("mx." + evil, evil, evil, Source::banner, 1)}));
  b.add(host("192.0.2.1", 64500, evil, false, false));
  b.add_problem({evil, 3, evil});
  const auto d = b.build(evil, {{evil, evil}, {"state", evil}}, true);
  Migration m;
  m.matrix[evil][evil] = 1;
  m.ids.push_back({evil, evil, 0, 1, 1, 0, 0, 1});
  m.changes.push_back({evil, "absent", "ok", "", evil + "=1", evil, evil});
  const Comparison cmp{evil, m};
  const auto html = render_html(d, &cmp);
  CHECK(count(html, "<script") == 1);  // the filter's, before </section> of the domains
  CHECK(html.find("<script>alert") == std::string::npos);
  CHECK(html.find("<img") == std::string::npos);
  CHECK(html.find("onerror=alert(2)>") == std::string::npos);
  CHECK(html.find("&lt;script&gt;alert(1)&lt;/script&gt;&quot;&#39;&amp;&lt;img") !=
        std::string::npos);
  // Every tag in the document is one the renderer writes.
  const std::regex tag("<([a-zA-Z!/][a-zA-Z0-9]*)");
  std::set<std::string> tags;
  for (std::sregex_iterator it(html.begin(), html.end(), tag), end; it != end; ++it)
    tags.insert((*it)[1]);
  const std::set<std::string> allowed = {
      "!DOCTYPE", "html",  "/html", "head",    "/head",    "meta",   "title",   "/title", "style",
      "/style",   "body",  "/body", "header",  "/header",  "h1",     "/h1",     "h2",     "/h2",
      "h3",       "/h3",   "p",     "/p",      "main",     "/main",  "div",     "/div",   "b",
      "/b",       "span",  "/span", "section", "/section", "svg",    "/svg",    "g",      "/g",
      "text",     "/text", "rect",  "table",   "/table",   "thead",  "/thead",  "tbody",  "/tbody",
      "tr",       "/tr",   "th",    "/th",     "td",       "/td",    "code",    "/code",  "ul",
      "/ul",      "li",    "/li",   "footer",  "/footer",  "script", "/script", "input"};
  for (const auto& t : tags) {
    INFO(t);
    CHECK(allowed.contains(t));
  }
  CHECK(html_escape("a<b>&\"'") == "a&lt;b&gt;&amp;&quot;&#39;");
}

TEST_CASE("report: comparison section and plain-text summary") {
  const auto d = sample_data();
  std::vector<DomainResult> before = {
      ok("a.example", {assign("mail.a.example", "a.example", std::nullopt, Source::banner, 1)})};
  std::vector<DomainResult> after = {
      ok("a.example", {assign("aspmx.l.google.com", "google.com", "Google", Source::tls, 1)})};
  const Comparison cmp{"/tmp/old", compare_runs(before, after)};
  const auto html = render_html(d, &cmp);
  CHECK(html.find("<section id=\"comparison\"") != std::string::npos);
  CHECK(html.find("data-chart=\"gains\"") != std::string::npos);
  CHECK(html.find("data-chart=\"losses\"") != std::string::npos);

  const auto text = render_text(d);
  CHECK(text.find("  state                      complete\n") != std::string::npos);
  CHECK(text.find("Domains: 7, with a provider: 4 (57.14%)") != std::string::npos);
  CHECK(text.find("Google") != std::string::npos);
  CHECK(text.find("certificate trusted (of handshakes)") != std::string::npos);
  CHECK(text.find("66.67% (2 of 3)") != std::string::npos);
  CHECK(text.find("AS15169") != std::string::npos);
}

TEST_CASE("results folder: providers.jsonl lines read back what the writer wrote") {
  DomainResult r =
      ok("b.example", {assign("aspmx.l.google.com", "google.com", "Google", Source::tls, 0.5),
                       assign("mail.b.example", "", std::nullopt, Source::mx, 0.5)});
  r.line = 12;
  r.providers[0].flag = Flag::unseen_as;
  r.providers[0].original_id = "x.example";
  r.providers[0].flag_reason = "why";
  r.providers[0].score = 8;
  r.providers[1].reason = "no registered domain";
  std::string line;
  append_jsonl(line, r);
  line.pop_back();
  std::string reason;
  const auto back = parse_providers_line(line, reason);
  REQUIRE(back);
  CHECK(*back == r);
  const auto fail = with_status("e.example", DomainOutcome::nxdomain, "because");
  line.clear();
  append_jsonl(line, fail);
  line.pop_back();
  CHECK(parse_providers_line(line, reason) == fail);
  CHECK_FALSE(
      parse_providers_line("{\"domain\":\"x\",\"status\":\"bogus\",\"providers\":[]}", reason));
  CHECK(reason.find("unknown status") != std::string::npos);
  CHECK_FALSE(parse_providers_line("{", reason));

  const auto flat = flatten_json(R"({"a":{"b":[1,"x",null],"c":true},"d":2.5})");
  CHECK(flat_value(flat, "a.b[0]") == "1");
  CHECK(flat_value(flat, "a.b[1]") == "x");
  CHECK(flat_value(flat, "a.b[2]") == "null");
  CHECK(flat_value(flat, "a.c") == "true");
  CHECK(flat_value(flat, "d") == "2.5");
}

TEST_CASE(
    "report: input lines that are not domain names are left out of the shares of all domains") {
  ReportBuilder b;
  b.add(ok("a.example", {assign("aspmx.l.google.com", "google.com", "Google", Source::tls, 1)}));
  b.add(with_status("b.example", DomainOutcome::no_mx, "because"));
  b.add(with_status("not a name", DomainOutcome::invalid, "because"));
  b.add(with_status("neither-is this", DomainOutcome::invalid, "because"));
  const auto d = b.build("/tmp/results", FlatJson{{"state", "complete"}}, false);
  REQUIRE(d.domains_total == 4);

  // Two domains, one with a provider: 50 %, not 25 % of the four input lines.
  const auto text = render_text(d);
  CHECK(
      text.find("Domains: 2, with a provider: 1 (50.00%); 2 input lines that are not domain names "
                "left out") != std::string::npos);
  const auto html = render_html(d, nullptr);
  CHECK(html.find(
            "<b>2</b><span>domains (2 input lines that are not domain names left out)</span>") !=
        std::string::npos);
  CHECK(html.find("with a provider (50.00%)") != std::string::npos);
  CHECK(html.find("<td>1</td><td>1</td><td>100.00%</td><td>50.00%</td>") != std::string::npos);
}

TEST_CASE("report: drill-down lists every known company, with examples") {
  ReportBuilder b(2);
  for (int i = 0; i < 30; ++i) {
    b.add(ok(
        fmt::format("own{}.example", i),
        {assign("mx.own.example", fmt::format("own{}.example", i), std::nullopt, Source::mx, 1)}));
  }
  b.add(ok("x.example", {assign("mx.tiny.example", "tiny.example", "TinyCo", Source::tls, 0.5),
                         assign("mx.x.example", "x.example", std::nullopt, Source::mx, 0.5)}));
  const auto html = render_html(b.build("/tmp/x", {}, false), nullptr, 5);
  // TinyCo ranks below 30 stand-alone IDs but is a company of the catalog.
  CHECK(html.find("<tr><td>company</td><td>TinyCo</td><td>1</td><td "
                  "class=\"examples\">x.example</td></tr>") != std::string::npos);
  CHECK(html.find("<td>company</td><td>own0.example</td>") != std::string::npos);
  CHECK(html.find("<td>company</td><td>own29.example</td>") == std::string::npos);
  CHECK(html.find("<tr><td>status</td><td>ok</td><td>31</td><td class=\"examples\">own0.example, "
                  "own1.example, \u2026</td></tr>") != std::string::npos);
}
