#include "mxscan/scanner/smtp/smtp_stage.hpp"

// Hostile SMTP servers (docs/reliability.md): every misbehaviour of the in-process
// fault server in one scan. For each: the scan goes on (a well-behaved control
// server scanned alongside succeeds), the status is the expected one, what is
// kept stays within the caps, the HostObs written as JSONL reads back, and the
// line holds no control character a terminal would act on.
//
// The hostile certificates (a chain of 50, a 1 MB leaf, a leaf with 10,000
// SANs) are made here with OpenSSL's API into a temporary folder, so the test
// needs no PKI script and no openssl CLI.

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <thread>
#include <variant>
#include <vector>

#include "loopback_options.hpp"
#include "mxscan/common/observation_jsonl_reader.hpp"
#include "mxscan/common/observation_jsonl_writer.hpp"
#include "test_smtp_server.hpp"

using mxscan::HostObs;
using mxscan::SmtpOptions;
using mxscan::SmtpPhase;
using mxscan::SmtpStatus;
using mxscan::test::Fault;
using mxscan::test::TestPersona;
using mxscan::test::TestSmtpServer;
using namespace std::chrono_literals;

namespace {

// Appends instead of operator+ on temporaries (g++ 12 -Wrestrict false positive).
std::string numbered(std::string_view prefix, int n, std::string_view suffix = {}) {
  std::string out(prefix);
  out += std::to_string(n);
  out += suffix;
  return out;
}

struct PkeyFree {
  void operator()(EVP_PKEY* k) const { EVP_PKEY_free(k); }
};
struct X509Free {
  void operator()(X509* x) const { X509_free(x); }
};
struct BioFree {
  void operator()(BIO* b) const { BIO_free(b); }
};
using Pkey = std::unique_ptr<EVP_PKEY, PkeyFree>;
using Cert = std::unique_ptr<X509, X509Free>;

Pkey ec_key() {
  Pkey k(EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256"));
  REQUIRE(k);
  return k;
}

// A certificate for `cn` with `key`, signed by issuer_key under issuer_cn; optional
// dNSName SANs and a Netscape comment of comment_bytes (to make it big).
Cert make_cert(const std::string& cn, EVP_PKEY* key, const std::string& issuer_cn,
               EVP_PKEY* issuer_key, const std::vector<std::string>& sans,
               std::size_t comment_bytes, long serial) {
  Cert x(X509_new());
  REQUIRE(x);
  X509_set_version(x.get(), 2);
  ASN1_INTEGER_set(X509_get_serialNumber(x.get()), serial);
  X509_gmtime_adj(X509_getm_notBefore(x.get()), -3600);
  X509_gmtime_adj(X509_getm_notAfter(x.get()), 86400);
  const auto name = [](const std::string& text) {
    X509_NAME* n = X509_NAME_new();
    X509_NAME_add_entry_by_txt(n, "CN", MBSTRING_ASC,
                               reinterpret_cast<const unsigned char*>(text.c_str()), -1, -1, 0);
    return n;
  };
  X509_NAME* subject = name(cn);
  X509_NAME* issuer = name(issuer_cn);
  X509_set_subject_name(x.get(), subject);
  X509_set_issuer_name(x.get(), issuer);
  X509_NAME_free(subject);
  X509_NAME_free(issuer);
  X509_set_pubkey(x.get(), key);
  if (!sans.empty()) {
    GENERAL_NAMES* gens = sk_GENERAL_NAME_new_null();
    for (const auto& s : sans) {
      GENERAL_NAME* g = GENERAL_NAME_new();
      ASN1_IA5STRING* v = ASN1_IA5STRING_new();
      ASN1_STRING_set(v, s.data(), static_cast<int>(s.size()));
      GENERAL_NAME_set0_value(g, GEN_DNS, v);
      sk_GENERAL_NAME_push(gens, g);
    }
    REQUIRE(X509_add1_ext_i2d(x.get(), NID_subject_alt_name, gens, 0, 0) == 1);
    GENERAL_NAMES_free(gens);
  }
  if (comment_bytes > 0) {
    ASN1_IA5STRING* c = ASN1_IA5STRING_new();
    const std::string text(comment_bytes, 'x');
    ASN1_STRING_set(c, text.data(), static_cast<int>(text.size()));
    REQUIRE(X509_add1_ext_i2d(x.get(), NID_netscape_comment, c, 0, 0) == 1);
    ASN1_IA5STRING_free(c);
  }
  REQUIRE(X509_sign(x.get(), issuer_key, EVP_sha256()) > 0);
  return x;
}

// PEM as the test server reads it: key, leaf, chain.
void write_pem(const std::string& path, EVP_PKEY* key, const std::vector<Cert>& certs) {
  std::unique_ptr<BIO, BioFree> bio(BIO_new_file(path.c_str(), "w"));
  REQUIRE(bio);
  REQUIRE(PEM_write_bio_PrivateKey(bio.get(), key, nullptr, nullptr, 0, nullptr, nullptr) == 1);
  for (const auto& c : certs) REQUIRE(PEM_write_bio_X509(bio.get(), c.get()) == 1);
}

struct HostileCerts {
  std::filesystem::path dir;
  std::string plain, chain50, big, sans10k;
  HostileCerts() {
    dir = std::filesystem::temp_directory_path() /
          numbered("mxscan-hostile-", static_cast<int>(::getpid()));
    std::filesystem::create_directories(dir);
    plain = (dir / "plain.pem").string();
    chain50 = (dir / "chain50.pem").string();
    big = (dir / "big.pem").string();
    sans10k = (dir / "sans10k.pem").string();
    const Pkey leaf_key = ec_key();
    const Pkey ca_key = ec_key();
    {
      std::vector<Cert> v;
      v.push_back(make_cert("mx.test.lab.example", leaf_key.get(), "Hostile CA", ca_key.get(),
                            {"mx.test.lab.example"}, 0, 1));
      write_pem(plain, leaf_key.get(), v);
    }
    {
      // Leaf, then 49 issuers, each signed by the next.
      std::vector<Pkey> keys;
      keys.push_back(ec_key());
      std::vector<Cert> v;
      for (int i = 0; i < 50; ++i) {
        keys.push_back(ec_key());
        const std::string cn =
            i == 0 ? std::string("chain50.lab.example") : numbered("Chain CA ", i);
        v.push_back(make_cert(cn, keys[static_cast<std::size_t>(i)].get(),
                              numbered("Chain CA ", i + 1),
                              keys[static_cast<std::size_t>(i) + 1].get(), {}, 0, 100 + i));
      }
      write_pem(chain50, keys[0].get(), v);
    }
    {
      std::vector<Cert> v;
      v.push_back(make_cert("big.lab.example", leaf_key.get(), "Hostile CA", ca_key.get(),
                            {"big.lab.example"}, std::size_t{1} << 20, 2));
      write_pem(big, leaf_key.get(), v);
    }
    {
      std::vector<std::string> sans;
      for (int i = 0; i < 10000; ++i) sans.push_back(numbered("s", i, ".x"));
      std::vector<Cert> v;
      v.push_back(
          make_cert("sans.lab.example", leaf_key.get(), "Hostile CA", ca_key.get(), sans, 0, 3));
      write_pem(sans10k, leaf_key.get(), v);
    }
  }
  ~HostileCerts() {
    std::error_code ec;
    std::filesystem::remove_all(dir, ec);
  }
};

SmtpOptions hostile_options(std::uint16_t port) {
  SmtpOptions o = mxscan::test::loopback_options(port, 11);
  o.timeouts.greeting = 1500ms;
  o.timeouts.reply = 1500ms;
  o.timeouts.tls_handshake = 2000ms;
  return o;
}

// Bytes a terminal acts on: C0 controls, DEL, ESC-introduced sequences, and the
// UTF-8 forms of the C1 controls (U+0080..U+009F, e.g. U+009B CSI).
bool has_terminal_control(const std::string& line) {
  for (std::size_t i = 0; i < line.size(); ++i) {
    const auto c = static_cast<unsigned char>(line[i]);
    if (c < 0x20 || c == 0x7f) return true;
    if (c == 0xc2 && i + 1 < line.size()) {
      const auto d = static_cast<unsigned char>(line[i + 1]);
      if (d >= 0x80 && d <= 0x9f) return true;
    }
  }
  return false;
}

struct Case {
  std::string what;
  TestPersona persona;
  SmtpStatus status;
  SmtpPhase phase;
};

}  // namespace

TEST_CASE("hostile: every misbehaving server gets its status and the scan goes on",
          "[smtp][hostile]") {
  const HostileCerts certs;
  const auto base = [&] {
    TestPersona p;
    p.chain_file = certs.plain;
    return p;
  };
  const auto fault = [&](Fault f) {
    TestPersona p = base();
    p.fault = f;
    return p;
  };
  const auto banner = [&](const std::string& b) {
    TestPersona p = base();
    p.banner = b;
    return p;
  };
  const auto chained = [&](const std::string& file) {
    TestPersona p = base();
    p.chain_file = file;
    return p;
  };
  TestPersona renegotiate = fault(Fault::tls_renegotiate);

  const std::map<std::string, Case> cases{
      {"127.62.1.1",
       {"control: a well-behaved server", base(), SmtpStatus::success, SmtpPhase::done}},
      {"127.62.1.2",
       {"bytes before the greeting", fault(Fault::preamble), SmtpStatus::not_smtp,
        SmtpPhase::greeting}},
      {"127.62.1.3",
       // A NUL makes the reply line malformed (smtp_reply.cpp): no greeting was read.
       {"NUL bytes in the banner", banner(std::string("220 mx\0.evil.example ESMTP\0\0", 28)),
        SmtpStatus::not_smtp, SmtpPhase::greeting}},
      {"127.62.1.4",
       {"invalid UTF-8 in the banner",
        banner("220 mx.test.lab.example \xff\xfe\xc3\x28 \xed\xa0\x80 ESMTP"), SmtpStatus::success,
        SmtpPhase::done}},
      {"127.62.1.5",
       {"ANSI escape sequences in the banner",
        banner("220 mx.test.lab.example \x1b[2J\x1b[31mred\x1b[0m \x1b]0;title\x07 \xc2\x9b"
               "6n ESMTP"),
        SmtpStatus::success, SmtpPhase::done}},
      {"127.62.1.6",
       {"control characters in the banner",
        banner("220 mx\b\b\b\bok\x7f\x01\x02\x0b\x0c\x1f ESMTP\rfake"), SmtpStatus::success,
        SmtpPhase::done}},
      {"127.62.1.7",
       {"10,000 EHLO lines", fault(Fault::ehlo_10k), SmtpStatus::protocol_error, SmtpPhase::ehlo}},
      {"127.62.1.8",
       {"replies one byte per packet", fault(Fault::drip), SmtpStatus::success, SmtpPhase::done}},
      {"127.62.1.9",
       {"a chain of 50 certificates", chained(certs.chain50), SmtpStatus::success,
        SmtpPhase::done}},
      {"127.62.1.10",
       {"a 1 MB certificate", chained(certs.big), SmtpStatus::tls_failed,
        SmtpPhase::tls_handshake}},
      {"127.62.1.11",
       {"a certificate with 10,000 SANs", chained(certs.sans10k), SmtpStatus::success,
        SmtpPhase::done}},
      {"127.62.1.12",
       {"a TLS renegotiation request", renegotiate, SmtpStatus::success, SmtpPhase::done}},
      {"127.62.1.13",
       {"a close in the middle of the handshake", fault(Fault::tls_midway_close),
        SmtpStatus::tls_failed, SmtpPhase::tls_handshake}},
  };

  TestSmtpServer server;
  std::uint16_t port = 0;
  for (const auto& [a, c] : cases) port = server.listen(a, port, c.persona);
  server.start();
  std::vector<std::string> addresses;
  for (const auto& c : cases) addresses.push_back(c.first);
  const auto start = std::chrono::steady_clock::now();
  const auto results = mxscan::scan_addresses(hostile_options(port), addresses);
  const auto took = std::chrono::steady_clock::now() - start;
  for (int i = 0; i < 200 && server.stats().connections.size() < cases.size(); ++i)
    std::this_thread::sleep_for(10ms);
  server.stop();
  CHECK(took < 8s);
  REQUIRE(results.size() == cases.size());  // the scan went on: one result per address

  const SmtpOptions defaults;
  mxscan::ObservationReader reader;
  std::map<std::string, HostObs> by;
  for (const auto& h : results) by[h.address] = h;
  for (const auto& [a, c] : cases) {
    const HostObs& h = by[a];
    INFO(a << " " << c.what << ": " << to_string(h.status) << " / " << to_string(h.phase) << " / "
           << h.error);
    CHECK(h.status == c.status);
    CHECK(h.phase == c.phase);
    // Bounded: what is kept of replies stays within the reply caps.
    CHECK(h.banner.size() <= 32768);
    CHECK(h.ehlo.size() <= 32768);
    CHECK(h.ehlo_tls.size() <= 32768);
    if (h.tls) CHECK(h.tls->chain_der.size() <= defaults.max_chain_certs);
    // Valid JSON that reads back to the same record, and nothing raw for a terminal.
    std::string line;
    mxscan::append_jsonl(line, h);
    REQUIRE(!line.empty());
    REQUIRE(line.back() == '\n');
    line.pop_back();
    CHECK_FALSE(has_terminal_control(line));
    auto parsed = reader.parse_line(line);
    REQUIRE(std::holds_alternative<HostObs>(parsed));
    const auto& back = std::get<HostObs>(parsed);
    CHECK(back.status == h.status);
    CHECK(back.error == h.error);
    CHECK(back.ehlo == h.ehlo);
    CHECK(back.banner.size() <= h.banner.size() * 3);
  }
  // What was kept of the hostile banners: the bytes are recorded (JSON escapes them).
  CHECK(by["127.62.1.3"].banner.empty());
  CHECK(by["127.62.1.4"].banner.find("\xff\xfe") !=
        std::string::npos);  // kept as sent, JSON replaces
  CHECK(by["127.62.1.5"].banner.find("\x1b[2J") != std::string::npos);
  CHECK(by["127.62.1.8"].banner == "220 mx.test.lab.example ESMTP test");
  CHECK(by["127.62.1.8"].tls);
  REQUIRE(by["127.62.1.9"].tls);
  CHECK(by["127.62.1.9"].tls->chain_truncated);
  CHECK(by["127.62.1.9"].tls->chain_der.size() == defaults.max_chain_certs);
  CHECK(by["127.62.1.9"].tls->leaf.subject_cn == "chain50.lab.example");
  CHECK_FALSE(by["127.62.1.9"].tls->trusted);
  CHECK(by["127.62.1.10"].error.find("excessive message size") != std::string::npos);
  REQUIRE(by["127.62.1.11"].tls);
  CHECK(by["127.62.1.11"].tls->leaf.sans.size() == 10000);
  CHECK(by["127.62.1.12"].tls);
  // No forbidden command, and QUIT to every server that got as far as a reply.
  const auto stats = server.stats();
  CHECK(stats.forbidden == 0);
}
