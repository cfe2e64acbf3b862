#include "mxscan/common/observation_jsonl_writer.hpp"

#include "mxscan/common/json_text.hpp"
#include "mxscan/common/observation_jsonl_reader.hpp"

#include <catch2/catch.hpp>

#include <cstdio>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

using namespace mxscan;
using namespace std::string_literals;

namespace {

bool operator_eq(const MxRecord& a, const MxRecord& b) {
  return a.exchange == b.exchange && a.preference == b.preference &&
         a.addr_status == b.addr_status && a.cnames == b.cnames && a.addresses == b.addresses;
}

bool same(const DomainObs& a, const DomainObs& b) {
  if (a.domain != b.domain || a.line != b.line || a.mx_status != b.mx_status ||
      a.mx_capped != b.mx_capped || a.cnames != b.cnames || a.error != b.error ||
      a.mx.size() != b.mx.size()) {
    return false;
  }
  for (std::size_t i = 0; i < a.mx.size(); ++i) {
    if (!operator_eq(a.mx[i], b.mx[i])) return false;
  }
  return true;
}

bool same(const TlsObs& a, const TlsObs& b) {
  return a.version == b.version && a.cipher == b.cipher && a.chain_der == b.chain_der &&
         a.leaf.subject_cn == b.leaf.subject_cn && a.leaf.sans == b.leaf.sans &&
         a.leaf.sha256 == b.leaf.sha256 && a.leaf.not_before == b.leaf.not_before &&
         a.leaf.not_after == b.leaf.not_after && a.trusted == b.trusted &&
         a.verify_error == b.verify_error && a.chain_truncated == b.chain_truncated;
}

bool same(const HostObs& a, const HostObs& b) {
  if (a.tls.has_value() != b.tls.has_value()) return false;
  if (a.tls && !same(*a.tls, *b.tls)) return false;
  return a.address == b.address && a.port == b.port && a.asn == b.asn && a.as_name == b.as_name &&
         a.status == b.status && a.phase == b.phase && a.banner == b.banner && a.ehlo == b.ehlo &&
         a.ehlo_tls == b.ehlo_tls && a.starttls_offered == b.starttls_offered &&
         a.starttls_accepted == b.starttls_accepted &&
         a.plaintext_after_starttls == b.plaintext_after_starttls && a.error == b.error &&
         a.duration_ms == b.duration_ms;
}

DomainObs google_domain() {
  DomainObs d;
  d.domain = "netflix.com";
  d.line = 7;
  d.mx_status = DnsStatus::ok;
  d.mx_capped = true;
  d.cnames = {"netflix.alias.example", "mail.alias.example"};
  d.mx.push_back({"aspmx.l.google.com", 1, DnsStatus::ok, {}, {"142.250.102.27", "2a00:1450:4013:c00::1b"}});
  d.mx.push_back({"alt1.aspmx.l.google.com", 5, DnsStatus::timeout, {"a.example", "b.example"}, {}});
  return d;
}

HostObs tls_host() {
  HostObs h;
  h.address = "142.250.102.27";
  h.port = 25;
  h.asn = 15169;
  h.as_name = "GOOGLE";
  h.status = SmtpStatus::success;
  h.phase = SmtpPhase::done;
  h.banner = "220 mx.google.com ESMTP x1-20020a05\r\nsecond \"line\"";
  h.ehlo = "250-mx.google.com at your service\n250-SIZE 157286400\n250 STARTTLS";
  h.ehlo_tls = "250-mx.google.com at your service\n250 SMTPUTF8";
  h.starttls_offered = true;
  h.starttls_accepted = true;
  TlsObs tls;
  tls.version = "TLSv1.3";
  tls.cipher = "TLS_AES_256_GCM_SHA384";
  tls.chain_der = {std::string("\x30\x82\x00\x01\x00\xff", 6), std::string(1500, '\x5a')};
  tls.leaf.subject_cn = "mx.google.com";
  tls.leaf.sans = {"mx.google.com", "*.aspmx.l.google.com"};
  tls.leaf.sha256 = std::string(64, 'a');
  tls.leaf.not_before = "2026-01-01T00:00:00Z";
  tls.leaf.not_after = "2026-03-26T00:00:00Z";
  tls.trusted = true;
  tls.chain_truncated = true;
  h.tls = tls;
  h.plaintext_after_starttls = 17;
  h.duration_ms = 312.25;
  return h;
}

struct Collect : ObservationHandler {
  std::vector<DomainObs> domains;
  std::vector<HostObs> hosts;
  std::vector<ReadProblem> problems;
  void on_domain(DomainObs& d) override { domains.push_back(d); }
  void on_host(HostObs& h) override { hosts.push_back(h); }
  void on_malformed(const ReadProblem& p) override { problems.push_back(p); }
};

std::string line_of(const DomainObs& d) {
  std::string s;
  append_jsonl(s, d);
  return s;
}
std::string line_of(const HostObs& h) {
  std::string s;
  append_jsonl(s, h);
  return s;
}

std::string reason_of(std::string_view line) {
  ObservationReader reader;
  auto parsed = reader.parse_line(line);
  auto* bad = std::get_if<MalformedLine>(&parsed);
  return bad ? bad->reason : std::string("(parsed)");
}

}  // namespace

TEST_CASE("domain records round-trip through JSON Lines") {
  std::vector<DomainObs> originals;
  originals.push_back(google_domain());
  DomainObs nx;
  nx.domain = "does-not-exist.example";
  nx.mx_status = DnsStatus::nxdomain;
  nx.error = "NXDOMAIN from 127.0.0.1";
  originals.push_back(nx);
  DomainObs null_mx;
  null_mx.domain = "example.org";
  null_mx.mx_status = DnsStatus::null_mx;
  null_mx.line = 3;
  originals.push_back(null_mx);
  DomainObs weird;
  weird.domain = "b\xC3\xBC" "cher.example";  // raw text kept for an invalid name
  weird.mx_status = DnsStatus::invalid_name;
  weird.error = "tab\there, quote \" and backslash \\";
  originals.push_back(weird);

  std::string text;
  for (const auto& d : originals) text += line_of(d);
  ObservationReader reader;
  Collect got;
  auto counts = reader.read_text(text, "mem", got);
  CHECK(counts.domains == originals.size());
  CHECK(counts.malformed == 0);
  REQUIRE(got.domains.size() == originals.size());
  for (std::size_t i = 0; i < originals.size(); ++i) {
    INFO(text);
    CHECK(same(got.domains[i], originals[i]));
  }
  // Writing what was read gives the same bytes.
  std::string again;
  for (const auto& d : got.domains) again += line_of(d);
  CHECK(again == text);
}

TEST_CASE("host records round-trip, with and without TLS, ASN and chain decoding") {
  HostObs bare;
  bare.address = "2001:db8::25";
  bare.port = 587;
  bare.status = SmtpStatus::connect_timeout;
  bare.phase = SmtpPhase::connect;
  bare.error = "no SYN-ACK within 10 s";
  bare.duration_ms = 10000;
  const std::vector<HostObs> originals{tls_host(), bare};

  std::string text;
  for (const auto& h : originals) text += line_of(h);
  {
    ObservationReader reader;
    Collect got;
    reader.read_text(text, "mem", got);
    REQUIRE(got.hosts.size() == 2);
    CHECK(same(got.hosts[0], originals[0]));
    CHECK(same(got.hosts[1], originals[1]));
    CHECK_FALSE(got.hosts[1].asn.has_value());
    std::string again = line_of(got.hosts[0]) + line_of(got.hosts[1]);
    CHECK(again == text);
  }
  {
    ObservationReader reader({.decode_chains = false});
    Collect got;
    reader.read_text(text, "mem", got);
    REQUIRE(got.hosts.size() == 2);
    REQUIRE(got.hosts[0].tls.has_value());
    CHECK(got.hosts[0].tls->chain_der.empty());
    CHECK(got.hosts[0].tls->leaf.sans == originals[0].tls->leaf.sans);
    CHECK(got.hosts[0].tls->trusted);
  }
}

TEST_CASE("written lines are valid JSON even with NUL, ESC and invalid UTF-8") {
  HostObs h = tls_host();
  h.banner = "220 evil\0host\x1b[2J\xff\xfe mail"s;
  h.ehlo = "250 caf\xE9";
  const std::string line = line_of(h);
  CHECK(json::is_valid_utf8(line));
  CHECK(line.find('\0') == std::string::npos);
  CHECK(line.find('\x1b') == std::string::npos);
  CHECK(line.find("\\u0000") != std::string::npos);
  CHECK(line.find("\\u001b") != std::string::npos);
  CHECK(line.back() == '\n');
  CHECK(std::count(line.begin(), line.end(), '\n') == 1);
  ObservationReader reader;
  auto parsed = reader.parse_line(std::string_view(line).substr(0, line.size() - 1));
  auto* back = std::get_if<HostObs>(&parsed);
  REQUIRE(back != nullptr);
  CHECK(back->banner == "220 evil\0host\x1b[2J\xEF\xBF\xBD\xEF\xBF\xBD mail"s);
  CHECK(back->ehlo == "250 caf\xEF\xBF\xBD");
}

TEST_CASE("unknown fields are ignored, fields may come in any order") {
  const std::string line =
      R"({"mx":[{"addresses":["192.0.2.1"],"future":{"x":[1,2]},"addr_status":"ok","preference":10,)"
      R"("exchange":"mx.example.com"}],"extra":null,"mx_status":"ok","domain":"example.com",)"
      R"("schema":"mxscan/domain/1"})";
  ObservationReader reader;
  auto parsed = reader.parse_line(line);
  auto* d = std::get_if<DomainObs>(&parsed);
  REQUIRE(d != nullptr);
  CHECK(d->domain == "example.com");
  REQUIRE(d->mx.size() == 1);
  CHECK(d->mx[0].preference == 10);
  CHECK(d->mx[0].addresses == std::vector<std::string>{"192.0.2.1"});
  CHECK(d->line == 0);
  CHECK(d->cnames.empty());  // absent: files written before the field existed
}

TEST_CASE("malformed lines get a clear reason") {
  CHECK_THAT(reason_of("{\"schema\":\"mxscan/domain/1\",\"domain\":\"a.com\",\"mx\":[]"),
             Catch::Contains("invalid JSON") && Catch::Contains("ended early"));
  CHECK(reason_of("not json") == "not a JSON object");
  CHECK_THAT(reason_of(R"({"domain":"a.com","mx_status":"ok","mx":[]})"), Catch::Contains("schema"));
  CHECK_THAT(reason_of(R"({"schema":"mxscan/domain/2","domain":"a.com","mx_status":"ok","mx":[]})"),
             Catch::Contains("unsupported schema \"mxscan/domain/2\""));
  CHECK_THAT(reason_of(R"({"schema":"mxscan/domain/1","domain":"a.com","mx":[]})"),
             Catch::Contains("missing required field \"mx_status\""));
  CHECK_THAT(reason_of(R"({"schema":"mxscan/domain/1","domain":"a.com","mx_status":"weird","mx":[]})"),
             Catch::Contains("mx_status") && Catch::Contains("unknown value \"weird\""));
  CHECK_THAT(reason_of(R"({"schema":"mxscan/domain/1","domain":"a.com","mx_status":"ok","mx":[{"exchange":"m.a.com","preference":70000,"addr_status":"ok","addresses":[]}]})"),
             Catch::Contains("mx.preference") && Catch::Contains("out of range"));
  CHECK_THAT(reason_of(R"({"schema":"mxscan/domain/1","domain":"a.com","mx_status":"ok","mx":[{"exchange":"m.a.com","preference":1,"addr_status":"ok","addresses":["not-an-ip"]}]})"),
             Catch::Contains("not an IP address"));
  CHECK_THAT(reason_of(R"({"schema":"mxscan/domain/1","domain":"a.com","mx_status":"ok","cnames":"b.com","mx":[]})"),
             Catch::Contains("cnames"));
  CHECK_THAT(reason_of(R"({"schema":"mxscan/domain/1","domain":"a.com","mx_status":"ok","mx":[{"exchange":"m.a.com"}]})"),
             Catch::Contains("missing required field \"preference\" in an mx record"));
  CHECK_THAT(reason_of(R"({"schema":"mxscan/host/1","address":"192.0.2.1","port":25,"status":"success"})"),
             Catch::Contains("missing required field \"phase\""));
  CHECK_THAT(reason_of(R"({"schema":"mxscan/host/1","address":"192.0.2.1","port":25,"status":"success","phase":"done","asn":"15169"})"),
             Catch::Contains("asn"));
  CHECK_THAT(reason_of(R"({"schema":"mxscan/host/1","address":"192.0.2.1","port":25,"status":"success","phase":"done","tls":{"version":"TLSv1.2","cipher":"x","chain":["@@@@"],"leaf":{"cn":null,"sans":[]},"trusted":false}})"),
             Catch::Contains("not valid base64"));
  CHECK_THAT(reason_of(R"({"schema":"mxscan/host/1","address":"192.0.2.1","port":25,"status":"success","phase":"done"} {"x":1})"),
             Catch::Contains("after the record"));
  CHECK_THAT(reason_of("{\"schema\":\"mxscan/host/1\",\"address\":\"192.0.2.1\",\"port\":25,\"status\":\"success\",\"phase\":\"done\",\"banner\":\"\xff\"}"),
             Catch::Contains("UTF-8") || Catch::Contains("UTF8"));
  CHECK(reason_of("[1,2]") == "not a JSON object");
  // Keys are matched as written (docs/formats.md): an escaped spelling is another key.
  CHECK_THAT(reason_of(R"({"schema":"mxscan/domain/1","dom\u0061in":"a.com","mx_status":"ok","mx":[]})"),
             Catch::Contains("missing required field \"domain\""));
  CHECK_THAT(reason_of(R"({"schema":"mxscan/domain/1","domain":"a.com","mx_status":"ok","mx":[1,}])"),
             Catch::Contains("invalid JSON") || Catch::Contains("field \"mx\""));
}

TEST_CASE("a file with malformed lines reports file:line, counts them and loses nothing else") {
  const std::string path = std::string(MXSCAN_BINARY_DIR) + "/observation_jsonl_test.jsonl";
  {
    std::ofstream out(path, std::ios::binary);
    out << line_of(google_domain());                       // 1
    out << "{\"schema\":\"mxscan/domain/1\",\"domain\":\n";  // 2 truncated
    out << "\n";                                           // 3 blank
    out << line_of(tls_host());                            // 4
    out << "garbage\r\n";                                  // 5
    std::string crlf = line_of(tls_host());
    crlf.insert(crlf.size() - 1, "\r");
    out << crlf;                                           // 6 CRLF is fine
    std::string last = line_of(google_domain());
    last.pop_back();
    out << last;                                           // 7 no final newline
  }
  ObservationReader reader({.decode_chains = true, .max_line_bytes = 1 << 20});
  Collect got;
  auto counts = reader.read_file(path, got);
  std::remove(path.c_str());
  CHECK(counts.lines == 7);
  CHECK(counts.blank == 1);
  CHECK(counts.domains == 2);
  CHECK(counts.hosts == 2);
  CHECK(counts.malformed == 2);
  REQUIRE(got.problems.size() == 2);
  CHECK(got.problems[0].file == path);
  CHECK(got.problems[0].line == 2);
  CHECK(got.problems[1].line == 5);
  CHECK(same(got.hosts[1], tls_host()));
  CHECK(same(got.domains[1], google_domain()));
}

TEST_CASE("over-long lines are reported and skipped, later lines still read") {
  const std::string path = std::string(MXSCAN_BINARY_DIR) + "/observation_jsonl_long.jsonl";
  HostObs big = tls_host();
  big.banner = std::string(20u << 20u, 'x');  // 20 MiB: larger than the 8 MiB chunk
  {
    std::ofstream out(path, std::ios::binary);
    out << line_of(google_domain()) << line_of(big) << line_of(google_domain());
    out << line_of(big);  // within the limit below when it is raised
  }
  {
    ObservationReader reader({.decode_chains = false, .max_line_bytes = 1u << 20u});
    Collect got;
    auto counts = reader.read_file(path, got);
    CHECK(counts.lines == 4);
    CHECK(counts.domains == 2);
    CHECK(counts.hosts == 0);
    CHECK(counts.malformed == 2);
    REQUIRE(got.problems.size() == 2);
    CHECK(got.problems[0].line == 2);
    CHECK(got.problems[1].line == 4);
  }
  {
    ObservationReader reader({.decode_chains = false, .max_line_bytes = 64u << 20u});
    Collect got;
    auto counts = reader.read_file(path, got);
    CHECK(counts.hosts == 2);
    CHECK(counts.malformed == 0);
    REQUIRE(got.hosts.size() == 2);
    CHECK(got.hosts[0].banner.size() == (20u << 20u));
  }
  std::remove(path.c_str());
}

TEST_CASE("a missing file is an error naming it") {
  ObservationReader reader;
  Collect got;
  CHECK_THROWS_WITH(reader.read_file("/nonexistent/domains.jsonl", got),
                    Catch::Contains("/nonexistent/domains.jsonl"));
}

TEST_CASE("the bundled sample is in canonical form: read then written gives the same bytes") {
  for (const char* name : {"domains.jsonl", "hosts.jsonl"}) {
    const std::string path = std::string(MXSCAN_SOURCE_DIR) + "/tests/data/sample/" + name;
    std::ifstream in(path, std::ios::binary);
    REQUIRE(in.good());
    const std::string original((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    ObservationReader reader;
    Collect got;
    const auto counts = reader.read_file(path, got);
    INFO(path);
    CHECK(counts.malformed == 0);
    CHECK(counts.domains + counts.hosts > 0);
    std::string rewritten;
    for (const auto& d : got.domains) append_jsonl(rewritten, d);
    for (const auto& h : got.hosts) append_jsonl(rewritten, h);
    CHECK(rewritten == original);
  }
}

TEST_CASE("without chain decoding, the chain is cut before parsing and nothing else changes") {
  HostObs h = tls_host();
  h.banner = "220 \"chain\":[ ] tricky banner";  // the key's text inside a string is escaped
  h.ehlo = "250 ]";
  std::string line = line_of(h);
  line.pop_back();
  ObservationReader without({.decode_chains = false});
  auto parsed = without.parse_line(line);
  auto* got = std::get_if<HostObs>(&parsed);
  REQUIRE(got != nullptr);
  CHECK(got->banner == h.banner);
  CHECK(got->ehlo == h.ehlo);
  REQUIRE(got->tls.has_value());
  CHECK(got->tls->chain_der.empty());
  CHECK(got->tls->leaf.sans == h.tls->leaf.sans);
  CHECK(got->duration_ms == h.duration_ms);

  // Through the file reader, which is where the cut happens.
  const std::string path = std::string(MXSCAN_BINARY_DIR) + "/observation_jsonl_chain.jsonl";
  {
    std::ofstream out(path, std::ios::binary);
    out << line << "\n" << line_of(google_domain());
  }
  Collect collected;
  const auto counts = without.read_file(path, collected);
  std::remove(path.c_str());
  CHECK(counts.malformed == 0);
  REQUIRE(collected.hosts.size() == 1);
  HostObs expected = h;
  expected.tls->chain_der.clear();
  CHECK(same(collected.hosts[0], expected));
  REQUIRE(collected.domains.size() == 1);
  CHECK(same(collected.domains[0], google_domain()));
}

TEST_CASE("addresses are checked every time, repeated or not") {
  ObservationReader reader;
  const std::string good =
      R"({"schema":"mxscan/host/1","address":"192.0.2.1","port":25,"status":"success","phase":"done"})";
  for (int i = 0; i < 3; ++i) CHECK(std::holds_alternative<HostObs>(reader.parse_line(good)));
  CHECK_THAT(reason_of(R"({"schema":"mxscan/host/1","address":"","port":25,"status":"success","phase":"done"})"),
             Catch::Contains("not an IP address"));
  CHECK_THAT(reason_of(R"({"schema":"mxscan/host/1","address":"192.0.2.256","port":25,"status":"success","phase":"done"})"),
             Catch::Contains("not an IP address"));
  CHECK_THAT(reason_of(R"({"schema":"mxscan/host/1","address":"[2001:db8::1]","port":25,"status":"success","phase":"done"})"),
             Catch::Contains("not an IP address"));
}
