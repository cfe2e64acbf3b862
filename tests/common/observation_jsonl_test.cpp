#include "mxscan/common/observation_jsonl_writer.hpp"

#include "mxscan/common/json_text.hpp"
#include "mxscan/common/observation_jsonl_reader.hpp"

#include <catch2/catch.hpp>

#include <cstdio>
#include <fstream>
#include <iterator>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

using namespace mxscan;
using namespace std::string_literals;

namespace {

DomainObs google_domain() {
  DomainObs d;
  d.domain = "netflix.com";
  d.line = 7;
  d.mx_status = DnsStatus::ok;
  d.mx_capped = true;
  d.cnames = {"netflix.alias.example", "mail.alias.example"};
  d.mx.push_back(
      {"aspmx.l.google.com", 1, DnsStatus::ok, {}, {"142.250.102.27", "2a00:1450:4013:c00::1b"}});
  d.mx.push_back(
      {"alt1.aspmx.l.google.com", 5, DnsStatus::timeout, {"a.example", "b.example"}, {}});
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

// Records with every field away from its default (full_fields_test checks it).
DomainObs full_domain() {
  DomainObs d = google_domain();
  d.mx[0].cnames = {"aspmx.alias.example"};
  d.mx[0].addr_status = DnsStatus::servfail;
  d.error = "partial answer";
  d.mx[0].tlsa.emplace();
  d.mx[0].tlsa->status = DnsStatus::ok;
  d.mx[0].tlsa->authenticated = true;
  d.mx[0].tlsa->records.push_back({3, 1, 1, std::string(64, 'c')});
  DomainSignals& s = d.signals.emplace();
  s.spf = {DnsStatus::ok,
           "v=spf1 include:_spf.google.com ~all",
           {"_spf.google.com", "_netblocks.google.com"},
           "permerror",
           "more than 2 void lookups",
           4};
  s.mta_sts.status = DnsStatus::ok;
  s.mta_sts.record = "v=STSv1; id=20260101";
  s.mta_sts.id = "20260101";
  s.mta_sts.policy = MtaStsPolicy{"ok", "slow", "enforce", {"*.aspmx.l.google.com"}, 604800, true};
  s.tls_rpt = {DnsStatus::ok, "v=TLSRPTv1; rua=mailto:tls@example.org", {"mailto:tls@example.org"}};
  s.dmarc = {DnsStatus::ok,
             "v=DMARC1; p=reject; rua=mailto:x@ag.dmarcian.com; ruf=mailto:f@example.org",
             "reject",
             {"mailto:x@ag.dmarcian.com"},
             {"mailto:f@example.org"}};
  return d;
}

HostObs full_host() {
  HostObs h = tls_host();
  h.port = 465;
  h.error = "closed after QUIT";
  h.tls->verify_error = "unable to get local issuer certificate";
  return h;
}

// Where the value written at `start` ends (at its closing ',', '}' or ']').
std::size_t value_end(std::string_view text, std::size_t start) {
  int depth = 0;
  bool in_string = false;
  for (std::size_t i = start; i < text.size(); ++i) {
    const char c = text[i];
    if (in_string) {
      if (c == '\\') {
        ++i;
      } else if (c == '"') {
        in_string = false;
      }
    } else if (c == '"') {
      in_string = true;
    } else if (c == '{' || c == '[') {
      ++depth;
    } else if (c == '}' || c == ']' || c == ',') {
      if (depth == 0) return i;
      if (c != ',') --depth;
    }
  }
  return text.size();
}

// The members of one object as the writer puts it (no spaces; keys unescaped).
std::vector<std::pair<std::string, std::string>> members(std::string_view object) {
  std::vector<std::pair<std::string, std::string>> out;
  std::size_t i = 1;
  while (i < object.size() && object[i] == '"') {
    const std::size_t key_end = object.find('"', i + 1);
    const std::size_t end = value_end(object, key_end + 2);
    out.emplace_back(object.substr(i + 1, key_end - i - 1),
                     object.substr(key_end + 2, end - key_end - 2));
    i = end + 1;
  }
  return out;
}

// Adds to `out` the fields (as dotted paths) that `full` writes as `defaults`
// does: nested objects are compared member by member, lists of objects by
// their first element.
void unset_fields(std::string_view full, std::string_view defaults, const std::string& path,
                  std::vector<std::string>& out) {
  const auto got = members(full);
  const auto base = members(defaults);
  REQUIRE(got.size() == base.size());
  for (std::size_t i = 0; i < got.size(); ++i) {
    const auto& [key, value] = got[i];
    REQUIRE(key == base[i].first);
    const std::string_view other = base[i].second;
    if (value.starts_with('{') && other.starts_with('{')) {
      unset_fields(value, other, path + key + ".", out);
    } else if (value.starts_with("[{") && other.starts_with("[{")) {
      unset_fields(std::string_view(value).substr(1, value_end(value, 1) - 1),
                   other.substr(1, value_end(other, 1) - 1), path + key + "[0].", out);
    } else if (value == other && key != "schema") {
      out.push_back(path + key);
    }
  }
}

std::vector<std::string> unset_fields(std::string line, std::string defaults) {
  line.pop_back();  // the newline
  defaults.pop_back();
  std::vector<std::string> out;
  unset_fields(line, defaults, "", out);
  return out;
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
  weird.domain =
      "b\xC3\xBC"
      "cher.example";  // raw text kept for an invalid name
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
    CHECK(got.domains[i] == originals[i]);
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
    CHECK(got.hosts[0] == originals[0]);
    CHECK(got.hosts[1] == originals[1]);
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
  CHECK_THAT(reason_of(R"({"domain":"a.com","mx_status":"ok","mx":[]})"),
             Catch::Contains("schema"));
  CHECK_THAT(reason_of(R"({"schema":"mxscan/domain/2","domain":"a.com","mx_status":"ok","mx":[]})"),
             Catch::Contains("unsupported schema \"mxscan/domain/2\""));
  CHECK_THAT(reason_of(R"({"schema":"mxscan/domain/1","domain":"a.com","mx":[]})"),
             Catch::Contains("missing required field \"mx_status\""));
  CHECK_THAT(
      reason_of(R"({"schema":"mxscan/domain/1","domain":"a.com","mx_status":"weird","mx":[]})"),
      Catch::Contains("mx_status") && Catch::Contains("unknown value \"weird\""));
  CHECK_THAT(
      reason_of(
          R"({"schema":"mxscan/domain/1","domain":"a.com","mx_status":"ok","mx":[{"exchange":"m.a.com","preference":70000,"addr_status":"ok","addresses":[]}]})"),
      Catch::Contains("mx.preference") && Catch::Contains("out of range"));
  CHECK_THAT(
      reason_of(
          R"({"schema":"mxscan/domain/1","domain":"a.com","mx_status":"ok","mx":[{"exchange":"m.a.com","preference":1,"addr_status":"ok","addresses":["not-an-ip"]}]})"),
      Catch::Contains("not an IP address"));
  CHECK_THAT(
      reason_of(
          R"({"schema":"mxscan/domain/1","domain":"a.com","mx_status":"ok","cnames":"b.com","mx":[]})"),
      Catch::Contains("cnames"));
  CHECK_THAT(
      reason_of(
          R"({"schema":"mxscan/domain/1","domain":"a.com","mx_status":"ok","mx":[{"exchange":"m.a.com"}]})"),
      Catch::Contains("missing required field \"preference\" in an mx record"));
  CHECK_THAT(
      reason_of(R"({"schema":"mxscan/host/1","address":"192.0.2.1","port":25,"status":"success"})"),
      Catch::Contains("missing required field \"phase\""));
  CHECK_THAT(
      reason_of(
          R"({"schema":"mxscan/host/1","address":"192.0.2.1","port":25,"status":"success","phase":"done","asn":"15169"})"),
      Catch::Contains("asn"));
  CHECK_THAT(
      reason_of(
          R"({"schema":"mxscan/host/1","address":"192.0.2.1","port":25,"status":"success","phase":"done","tls":{"version":"TLSv1.2","cipher":"x","chain":["@@@@"],"leaf":{"cn":null,"sans":[]},"trusted":false}})"),
      Catch::Contains("not valid base64"));
  CHECK_THAT(
      reason_of(
          R"({"schema":"mxscan/host/1","address":"192.0.2.1","port":25,"status":"success","phase":"done"} {"x":1})"),
      Catch::Contains("after the record"));
  CHECK_THAT(reason_of("{\"schema\":\"mxscan/host/"
                       "1\",\"address\":\"192.0.2.1\",\"port\":25,\"status\":\"success\",\"phase\":"
                       "\"done\",\"banner\":\"\xff\"}"),
             Catch::Contains("UTF-8") || Catch::Contains("UTF8"));
  CHECK(reason_of("[1,2]") == "not a JSON object");
  // Keys are matched as written (docs/formats.md): an escaped spelling is another key.
  CHECK_THAT(
      reason_of(R"({"schema":"mxscan/domain/1","dom\u0061in":"a.com","mx_status":"ok","mx":[]})"),
      Catch::Contains("missing required field \"domain\""));
  CHECK_THAT(
      reason_of(R"({"schema":"mxscan/domain/1","domain":"a.com","mx_status":"ok","mx":[1,}])"),
      Catch::Contains("invalid JSON") || Catch::Contains("field \"mx\""));
}

TEST_CASE("a file with malformed lines reports file:line, counts them and loses nothing else") {
  const std::string path = std::string(MXSCAN_BINARY_DIR) + "/observation_jsonl_test.jsonl";
  {
    std::ofstream out(path, std::ios::binary);
    out << line_of(google_domain());                         // 1
    out << "{\"schema\":\"mxscan/domain/1\",\"domain\":\n";  // 2 truncated
    out << "\n";                                             // 3 blank
    out << line_of(tls_host());                              // 4
    out << "garbage\r\n";                                    // 5
    std::string crlf = line_of(tls_host());
    crlf.insert(crlf.size() - 1, "\r");
    out << crlf;  // 6 CRLF is fine
    std::string last = line_of(google_domain());
    last.pop_back();
    out << last;  // 7 no final newline
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
  CHECK(got.hosts[1] == tls_host());
  CHECK(got.domains[1] == google_domain());
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
    const std::string original((std::istreambuf_iterator<char>(in)),
                               std::istreambuf_iterator<char>());
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
  CHECK(collected.hosts[0] == expected);
  REQUIRE(collected.domains.size() == 1);
  CHECK(collected.domains[0] == google_domain());
}

TEST_CASE("addresses are checked every time, repeated or not") {
  ObservationReader reader;
  const std::string good =
      R"({"schema":"mxscan/host/1","address":"192.0.2.1","port":25,"status":"success","phase":"done"})";
  for (int i = 0; i < 3; ++i) CHECK(std::holds_alternative<HostObs>(reader.parse_line(good)));
  CHECK_THAT(
      reason_of(
          R"({"schema":"mxscan/host/1","address":"","port":25,"status":"success","phase":"done"})"),
      Catch::Contains("not an IP address"));
  CHECK_THAT(
      reason_of(
          R"({"schema":"mxscan/host/1","address":"192.0.2.256","port":25,"status":"success","phase":"done"})"),
      Catch::Contains("not an IP address"));
  CHECK_THAT(
      reason_of(
          R"({"schema":"mxscan/host/1","address":"[2001:db8::1]","port":25,"status":"success","phase":"done"})"),
      Catch::Contains("not an IP address"));
}

TEST_CASE("the full records below set every field the writer writes") {
  DomainObs domain_defaults;
  domain_defaults.mx.emplace_back();  // so the MX record's own fields are compared too
  domain_defaults.mx[0].tlsa.emplace().records.emplace_back();
  domain_defaults.signals.emplace().mta_sts.policy.emplace();
  HostObs host_defaults;
  host_defaults.tls.emplace();
  const std::vector<std::string> none;
  CHECK(unset_fields(line_of(full_domain()), line_of(domain_defaults)) == none);
  CHECK(unset_fields(line_of(full_host()), line_of(host_defaults)) == none);
  // The check itself notices a field left at its default.
  HostObs partial = full_host();
  partial.tls->leaf.not_after.clear();
  partial.port = 25;
  CHECK(unset_fields(line_of(partial), line_of(host_defaults)) ==
        std::vector<std::string>{"port", "tls.leaf.not_after"});
}

TEST_CASE("a full record written then read back is the same record, field for field") {
  ObservationReader reader;
  const std::string domain = line_of(full_domain());
  const std::string host = line_of(full_host());
  Collect got;
  reader.read_text(domain + host, "mem", got);
  REQUIRE(got.domains.size() == 1);
  REQUIRE(got.hosts.size() == 1);
  CHECK(got.domains[0] == full_domain());
  CHECK(got.hosts[0] == full_host());
  CHECK(line_of(got.domains[0]) == domain);
  CHECK(line_of(got.hosts[0]) == host);
}

TEST_CASE("a minimal record after a full one reads with every other field at its default") {
  // Only the required fields: whatever the full record before it set must not leak in.
  const std::string min_domain =
      R"({"schema":"mxscan/domain/1","domain":"b.example","mx_status":"ok","mx":[)"
      R"({"exchange":"mx.b.example","preference":0,"addr_status":"nodata","addresses":[]}]})";
  const std::string min_host =
      R"({"schema":"mxscan/host/1","address":"192.0.2.9","port":2525,"status":"refused","phase":"connect"})";
  const std::string min_tls_host =
      R"({"schema":"mxscan/host/1","address":"192.0.2.10","port":25,"status":"success",)"
      R"("phase":"done","tls":{"version":"TLSv1.2","cipher":"AES128-SHA","chain":[],)"
      R"("leaf":{"cn":null,"sans":[]},"trusted":false}})";
  DomainObs want_domain;
  want_domain.domain = "b.example";
  want_domain.mx_status = DnsStatus::ok;
  want_domain.mx.emplace_back().exchange = "mx.b.example";
  want_domain.mx[0].addr_status = DnsStatus::nodata;
  HostObs want_host;
  want_host.address = "192.0.2.9";
  want_host.port = 2525;
  want_host.status = SmtpStatus::refused;
  want_host.phase = SmtpPhase::connect;
  HostObs want_tls_host;
  want_tls_host.address = "192.0.2.10";
  want_tls_host.status = SmtpStatus::success;
  want_tls_host.phase = SmtpPhase::done;
  want_tls_host.tls.emplace();
  want_tls_host.tls->version = "TLSv1.2";
  want_tls_host.tls->cipher = "AES128-SHA";

  for (const bool decode_chains : {true, false}) {
    INFO("decode_chains " << decode_chains);
    ObservationReader reader({.decode_chains = decode_chains});
    std::string text = line_of(full_domain());
    text.append(min_domain).append("\n");
    text.append(line_of(full_host())).append(min_host).append("\n");
    text.append(line_of(full_host())).append(min_tls_host).append("\n");
    Collect got;
    const auto counts = reader.read_text(text, "mem", got);
    CHECK(counts.malformed == 0);
    REQUIRE(got.domains.size() == 2);
    REQUIRE(got.hosts.size() == 4);
    CHECK(got.domains[1] == want_domain);
    CHECK(got.hosts[1] == want_host);
    CHECK(got.hosts[3] == want_tls_host);

    // One line at a time, through the same reader's scratch records.
    const auto parse = [&reader](std::string line) {
      if (line.ends_with('\n')) line.pop_back();
      return reader.parse_line(line);
    };
    CHECK(std::get<DomainObs>(parse(line_of(full_domain()))) == full_domain());
    CHECK(std::get<DomainObs>(parse(min_domain)) == want_domain);
    CHECK(std::get<HostObs>(parse(line_of(full_host()))).tls.has_value());
    CHECK(std::get<HostObs>(parse(min_host)) == want_host);
    CHECK(std::get<HostObs>(parse(line_of(full_host()))).tls.has_value());
    CHECK(std::get<HostObs>(parse(min_tls_host)) == want_tls_host);
  }
}

TEST_CASE("a domain without signals is written as before signals existed") {
  // Byte for byte the line of earlier versions: no "signals", no "tlsa".
  CHECK(line_of(google_domain()) ==
        R"({"schema":"mxscan/domain/1","domain":"netflix.com","line":7,"mx_status":"ok",)"
        R"("mx_capped":true,"cnames":["netflix.alias.example","mail.alias.example"],"mx":[)"
        R"({"exchange":"aspmx.l.google.com","preference":1,"addr_status":"ok","cnames":[],)"
        R"("addresses":["142.250.102.27","2a00:1450:4013:c00::1b"]},)"
        R"({"exchange":"alt1.aspmx.l.google.com","preference":5,"addr_status":"timeout",)"
        R"("cnames":["a.example","b.example"],"addresses":[]}],"error":null})"
        "\n");
  ObservationReader reader;
  const auto got = std::get<DomainObs>(reader.parse_line(line_of(google_domain())));
  CHECK_FALSE(got.signals.has_value());
  CHECK_FALSE(got.mx[0].tlsa.has_value());
  CHECK(got == google_domain());
}

TEST_CASE("signals round-trip; a record without them after one with them reads without them") {
  ObservationReader reader;
  Collect got;
  const auto counts = reader.read_text(
      line_of(full_domain()) + line_of(google_domain()) + line_of(full_domain()), "mem", got);
  CHECK(counts.malformed == 0);
  REQUIRE(got.domains.size() == 3);
  CHECK(got.domains[0] == full_domain());
  CHECK(got.domains[1] == google_domain());
  CHECK(got.domains[2] == full_domain());
  CHECK(line_of(got.domains[0]) == line_of(full_domain()));
}

TEST_CASE("signals: parts and optional fields may be missing or null") {
  ObservationReader reader;
  const std::string line =
      R"({"schema":"mxscan/domain/1","domain":"a.com","mx_status":"ok","mx":[)"
      R"({"exchange":"m.a.com","preference":1,"addr_status":"ok","addresses":[],"tlsa":)"
      R"({"status":"nxdomain","records":[]}}],)"
      R"("signals":{"spf":{"status":"ok","record":"v=spf1 -all","error":null,"future":1},)"
      R"("mta_sts":{"status":"nodata","policy":null}}})";
  const auto got = std::get<DomainObs>(reader.parse_line(line));
  REQUIRE(got.signals.has_value());
  CHECK(got.signals->spf.status == DnsStatus::ok);
  CHECK(got.signals->spf.record == "v=spf1 -all");
  CHECK(got.signals->spf.error.empty());
  CHECK(got.signals->mta_sts.status == DnsStatus::nodata);
  CHECK_FALSE(got.signals->mta_sts.policy.has_value());
  CHECK(got.signals->dmarc.status == DnsStatus::not_queried);
  REQUIRE(got.mx[0].tlsa.has_value());
  CHECK(got.mx[0].tlsa->status == DnsStatus::nxdomain);
  CHECK_FALSE(got.mx[0].tlsa->authenticated);
  // null signals read as not collected
  const auto none = std::get<DomainObs>(reader.parse_line(
      R"({"schema":"mxscan/domain/1","domain":"a.com","mx_status":"ok","mx":[],"signals":null})"));
  CHECK_FALSE(none.signals.has_value());
}

TEST_CASE("malformed signals get a clear reason") {
  const std::string head = R"({"schema":"mxscan/domain/1","domain":"a.com","mx_status":"ok",)";
  CHECK_THAT(reason_of(head + R"("mx":[],"signals":[]})"), Catch::Contains("signals"));
  CHECK_THAT(reason_of(head + R"("mx":[],"signals":{"spf":{"record":"v=spf1"}}})"),
             Catch::Contains("missing required field \"status\" in signals.spf"));
  CHECK_THAT(reason_of(head + R"("mx":[],"signals":{"dmarc":{"status":"maybe"}}})"),
             Catch::Contains("signals.dmarc.status") && Catch::Contains("unknown value"));
  CHECK_THAT(reason_of(head + R"("mx":[],"signals":{"spf":{"status":"ok","lookups":-1}}})"),
             Catch::Contains("signals.spf.lookups"));
  CHECK_THAT(reason_of(head + R"("mx":[],"signals":{"tls_rpt":{"status":"ok","rua":"x"}}})"),
             Catch::Contains("signals.tls_rpt.rua"));
  CHECK_THAT(
      reason_of(head + R"("mx":[],"signals":{"mta_sts":{"status":"ok","policy":{"mode":"x"}}}})"),
      Catch::Contains("missing required field \"status\" in signals.mta_sts.policy"));
  const std::string mx =
      R"("mx":[{"exchange":"m.a.com","preference":1,"addr_status":"ok","addresses":[],"tlsa":)";
  CHECK_THAT(reason_of(head + mx +
                       R"({"status":"ok","records":[{"usage":256,"selector":1,)"
                       R"("matching_type":1,"data":"00"}]}}]})"),
             Catch::Contains("mx.tlsa.records.usage") && Catch::Contains("out of range"));
  CHECK_THAT(reason_of(head + mx + R"({"status":"ok","records":[{"usage":3}]}}]})"),
             Catch::Contains("missing required field \"selector\" in mx.tlsa.records"));
  CHECK_THAT(reason_of(head + mx + R"({"records":[]}}]})"),
             Catch::Contains("missing required field \"status\" in mx.tlsa"));
}
