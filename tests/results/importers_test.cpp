#include "mxscan/results/importers.hpp"

#include <catch2/catch.hpp>

#include <cstdio>
#include <fstream>
#include <string>
#include <vector>

#include "mxscan/common/asn/pfx2as_asn_source.hpp"
#include "mxscan/common/names.hpp"
#include "mxscan/inference/batch.hpp"
#include "mxscan/inference/catalog.hpp"

using namespace mxscan;

namespace {

const std::string kDir = MXSCAN_SOURCE_DIR "/tests/data/import/";

const Catalog& catalog() {
  static const Catalog c = Catalog::load(MXSCAN_SOURCE_DIR "/configs/providers.toml");
  return c;
}

const PublicSuffixList& psl() {
  static const PublicSuffixList p;
  return p;
}

class Collect : public ObservationHandler {
 public:
  explicit Collect(Batch& batch) : batch_(batch) {}
  void on_domain(DomainObs& obs) override {
    batch_.add(obs);
    domains.push_back(obs);
  }
  void on_host(HostObs& obs) override {
    batch_.add(obs);
    hosts.push_back(obs);
  }
  void on_malformed(const ReadProblem& p) override { problems.push_back(p); }
  std::vector<DomainObs> domains;
  std::vector<HostObs> hosts;
  std::vector<ReadProblem> problems;

 private:
  Batch& batch_;
};

Results native(const std::vector<std::string>& files) {
  Batch batch(catalog(), psl());
  Collect sink(batch);
  ObservationReader reader;
  for (const auto& f : files) reader.read_file(kDir + f, sink);
  REQUIRE(sink.problems.empty());
  return batch.finish();
}

std::string temp_file(const std::string& name, const std::string& text) {
  const std::string path = MXSCAN_BINARY_DIR "/" + name;
  std::ofstream(path, std::ios::trunc) << text;
  return path;
}

}  // namespace

TEST_CASE(
    "import: ZDNS + ZGrab2 with a pfx2as file infer what the native files of the same scan infer") {
  const auto expected = native({"native/domains.jsonl", "native/hosts.jsonl"});

  const Pfx2AsSource asn(kDir + "pfx2as.txt");
  Batch batch(catalog(), psl());
  Collect sink(batch);
  const auto zdns = import_file(ImportFormat::zdns, kDir + "zdns.jsonl", sink, &asn);
  const auto zgrab = import_file(ImportFormat::zgrab2, kDir + "zgrab2.jsonl", sink, &asn);
  CHECK(sink.problems.empty());
  CHECK(zdns.domains == 29);
  CHECK(zgrab.hosts == 21);
  const auto got = batch.finish();
  REQUIRE(got.domains.size() == expected.domains.size());
  for (std::size_t i = 0; i < got.domains.size(); ++i) {
    INFO(got.domains[i].domain);
    CHECK(got.domains[i] == expected.domains[i]);
  }
  CHECK(got.stats == expected.stats);
  // The method found providers through every source, so the equality is not vacuous.
  std::size_t ok = 0;
  for (const auto& d : got.domains) ok += d.status == DomainOutcome::ok ? 1 : 0;
  CHECK(ok >= 20);
}

TEST_CASE("import: ZDNS + Censys records infer what the native files of the same scan infer") {
  const auto expected = native({"native/domains.jsonl", "native/hosts_censys.jsonl"});
  Batch batch(catalog(), psl());
  Collect sink(batch);
  import_file(ImportFormat::zdns, kDir + "zdns.jsonl", sink, nullptr);
  const auto censys = import_file(ImportFormat::censys, kDir + "censys.jsonl", sink, nullptr);
  CHECK(sink.problems.empty());
  CHECK(censys.hosts == 19);
  const auto got = batch.finish();
  CHECK(got.domains == expected.domains);
  // Censys carries the AS itself.
  REQUIRE(!sink.hosts.empty());
  CHECK(sink.hosts[0].asn == 15169U);
  CHECK(sink.hosts[0].as_name == "GOOGLE");
}

TEST_CASE("import: ZDNS v1 and v2 layouts give the same DomainObs") {
  const std::string v1 =
      R"({"name":"Example.COM.","status":"NOERROR","data":{"exchanges":[{"name":"mx2.example.com.","type":"MX","preference":20,"ipv4_addresses":["192.0.2.2"]},{"name":"MX1.example.com.","type":"MX","preference":10,"ipv4_addresses":["192.0.2.1"],"ipv6_addresses":["2001:db8::1"]}]}})";
  const std::string v2 =
      R"({"name":"Example.COM.","results":{"MXLOOKUP":{"status":"NOERROR","timestamp":"t","data":{"exchanges":[{"name":"mx2.example.com.","type":"MX","preference":20,"ipv4_addresses":["192.0.2.2"]},{"name":"MX1.example.com.","type":"MX","preference":10,"ipv4_addresses":["192.0.2.1"],"ipv6_addresses":["2001:db8::1"]}]}}}})";
  auto a = import_zdns_line(v1, 7);
  auto b = import_zdns_line(v2, 7);
  REQUIRE(std::holds_alternative<DomainObs>(a));
  REQUIRE(std::holds_alternative<DomainObs>(b));
  const auto& d = std::get<DomainObs>(a);
  CHECK(d.domain == "example.com");
  CHECK(d.line == 7);
  CHECK(d.mx_status == DnsStatus::ok);
  REQUIRE(d.mx.size() == 2);
  CHECK(d.mx[0].exchange == "mx1.example.com");  // sorted by preference
  CHECK(d.mx[0].addresses == std::vector<std::string>{"192.0.2.1", "2001:db8::1"});
  CHECK(d.mx[1].addr_status == DnsStatus::ok);
  const auto& e = std::get<DomainObs>(b);
  CHECK(e.domain == d.domain);
  CHECK(e.mx.size() == d.mx.size());
  CHECK(e.mx[0].addresses == d.mx[0].addresses);
}

TEST_CASE("import: ZDNS statuses, null MX and exchanges without addresses") {
  auto status_of = [](const std::string& line) {
    return std::get<DomainObs>(import_zdns_line(line, 1)).mx_status;
  };
  CHECK(status_of(R"({"name":"a.example","status":"NXDOMAIN"})") == DnsStatus::nxdomain);
  CHECK(status_of(R"({"name":"a.example","status":"SERVFAIL"})") == DnsStatus::servfail);
  CHECK(status_of(R"({"name":"a.example","status":"TIMEOUT"})") == DnsStatus::timeout);
  CHECK(status_of(R"({"name":"a.example","status":"NO_ANSWER"})") == DnsStatus::nodata);
  CHECK(status_of(R"({"name":"a.example","status":"NOERROR","data":{"exchanges":[]}})") ==
        DnsStatus::nodata);
  CHECK(
      status_of(
          R"({"name":"a.example","status":"NOERROR","data":{"exchanges":[{"name":".","type":"MX","preference":0}]}})") ==
      DnsStatus::null_mx);
  auto d = std::get<DomainObs>(import_zdns_line(
      R"({"name":"a.example","status":"NOERROR","data":{"exchanges":[{"name":"mx.a.example.","type":"MX","preference":5}]}})",
      1));
  REQUIRE(d.mx.size() == 1);
  CHECK(d.mx[0].addr_status == DnsStatus::nodata);
  CHECK(d.mx[0].addresses.empty());
}

TEST_CASE("import: malformed lines are counted with file:line and the rest is kept") {
  const std::string path =
      temp_file("import-bad-zgrab2.jsonl",
                "{\"ip\":\"192.0.2.1\",\"data\":{\"smtp\":{\"status\":\"success\",\"result\":{"
                "\"banner\":\"220 mx.example.net ESMTP\\r\\n\"}}}}\n"
                "not json\n"
                "\n"
                "{\"ip\":\"999.1.1.1\",\"data\":{\"smtp\":{\"status\":\"success\"}}}\n"
                "{\"ip\":\"192.0.2.2\",\"data\":{\"smtp\":{\"status\":\"weird\"}}}\n"
                "{\"ip\":\"192.0.2.3\",\"data\":{\"http\":{}}}\n"
                "{\"ip\":\"192.0.2.4\",\"data\":{\"smtp\":{\"status\":\"connection-refused\"}}}\n");
  Batch batch(catalog(), psl());
  Collect sink(batch);
  const auto counts = import_file(ImportFormat::zgrab2, path, sink, nullptr);
  CHECK(counts.lines == 7);
  CHECK(counts.blank == 1);
  CHECK(counts.hosts == 2);
  CHECK(counts.malformed == 4);
  REQUIRE(sink.problems.size() == 4);
  CHECK(sink.problems[0].file == path);
  CHECK(sink.problems[0].line == 2);
  CHECK(sink.problems[1].line == 4);
  CHECK(sink.problems[1].reason.find("not an IP address") != std::string::npos);
  CHECK(sink.problems[2].reason.find("unknown ZGrab2 status") != std::string::npos);
  CHECK(sink.problems[3].reason.find("data.smtp") != std::string::npos);
  REQUIRE(sink.hosts.size() == 2);
  CHECK(sink.hosts[0].banner == "220 mx.example.net ESMTP");
  CHECK(sink.hosts[0].status == SmtpStatus::success);
  CHECK(sink.hosts[1].status == SmtpStatus::refused);
  CHECK(sink.hosts[1].phase == SmtpPhase::connect);
  CHECK_THROWS_WITH(
      import_file(ImportFormat::zdns, MXSCAN_BINARY_DIR "/no-such-file.jsonl", sink, nullptr),
      Catch::Contains("cannot read"));
}

TEST_CASE("import: ZGrab2 TLS from raw DER or from parsed names; Censys record") {
  // Every TLS host of the fixture, raw DER or parsed names only, keeps the leaf's names.
  std::ifstream in(kDir + "zgrab2.jsonl");
  std::string line;
  int with_tls = 0;
  while (std::getline(in, line)) {
    auto parsed = import_zgrab2_line(line);
    REQUIRE(std::holds_alternative<HostObs>(parsed));
    const auto& h = std::get<HostObs>(parsed);
    if (!h.tls) continue;
    ++with_tls;
    CHECK(!h.tls->leaf.sha256.empty());
    CHECK((!h.tls->leaf.subject_cn.empty() || !h.tls->leaf.sans.empty()));
    CHECK(h.starttls_offered);
    CHECK(h.starttls_accepted);
    CHECK((h.tls->version == "TLSv1.3" || h.tls->version == "TLSv1.2"));
    CHECK(h.tls->trusted == h.tls->verify_error.empty());
  }
  CHECK(with_tls == 15);

  auto c = import_censys_line(
      R"({"ip":"192.0.2.9","autonomous_system":{"asn":64500,"name":"EXAMPLE-AS"},"smtp":{"starttls":{"banner":"554 go away\r\n","ehlo":"","tls":null}}})");
  REQUIRE(std::holds_alternative<HostObs>(c));
  CHECK(std::get<HostObs>(c).status == SmtpStatus::greeting_5xx);
  CHECK(std::get<HostObs>(c).asn == 64500U);
  CHECK(std::holds_alternative<MalformedLine>(import_censys_line(R"({"ip":"192.0.2.9"})")));
}

TEST_CASE("import: reply text and the STARTTLS extension") {
  using import_detail::lists_starttls;
  using import_detail::reply_text;
  CHECK(reply_text("220 a\r\n") == "220 a");
  CHECK(reply_text("250-a\r\n250-starttls\r\n250 SIZE\r\n") == "250-a\n250-starttls\n250 SIZE");
  CHECK(lists_starttls("250-a\n250-starttls\n250 SIZE"));
  CHECK(lists_starttls("250-a\n250 STARTTLS"));
  CHECK_FALSE(lists_starttls("250-a\n250-X-STARTTLS-NOT\n250 SIZE"));
  CHECK_FALSE(lists_starttls("220 STARTTLS"));
  CHECK(parse_import_format("zgrab2") == ImportFormat::zgrab2);
  CHECK_FALSE(parse_import_format("zmap"));
}
