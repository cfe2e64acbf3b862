#include "mxscan/scanner/smtp/smtp_stage.hpp"
#include "mxscan/common/asn/open_asn_source.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509_vfy.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <barrier>
#include <catch2/catch.hpp>
#include <chrono>
#include <cstdlib>
#include <fstream>
#include <map>
#include <thread>

#include "loopback_options.hpp"
#include "mxscan/common/asn/pfx2as_asn_source.hpp"
#include "mxscan/scanner/tls/tls_client.hpp"
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

// The lab PKI (scripts/lib/lab_pki.sh), built once and shared by test processes.
const std::string& pki_dir() {
  static const std::string dir = [] {
    std::string d = MXSCAN_BINARY_DIR "/smtp-test-pki";
    const std::string requests = d + ".requests";
    {
      std::ofstream r(requests);
      r << "multisan\ttrusted\tmx1.multi.lab.example\tmx1.multi.lab.example,mx2.multi.lab.example,"
           "mail.other.example\n"
        << "wildcard\ttrusted\t*.wild.lab.example\t*.wild.lab.example\n"
        << "expired\texpired\texpired.lab.example\t\n"
        << "notyet\tnotyet\tnotyet.lab.example\t\n"
        << "selfsigned\tselfsigned\tself.lab.example\t\n"
        << "unknownca\tunknownca\tunknown.lab.example\t\n"
        << "nointer\tnointermediate\tnointer.lab.example\t\n"
        << "oversized\toversized\tbig.lab.example\t\n";
    }
    const std::string cmd =
        "flock " + d + ".lock bash -c 'set -e; [ -s " + d + "/oversized.pem ] || { source " +
        MXSCAN_SOURCE_DIR "/scripts/lib/lab_pki.sh; pki_build " + d + " " + requests + "; }'";
    REQUIRE(std::system(cmd.c_str()) == 0);
    return d;
  }();
  return dir;
}

std::string chain(const std::string& name) { return pki_dir() + "/" + name + ".pem"; }

SmtpOptions lab_options(std::uint16_t port) {
  SmtpOptions o = mxscan::test::loopback_options(port, 7);
  o.ca_file = pki_dir() + "/root.pem";
  o.timeouts.greeting = 800ms;
  o.timeouts.reply = 800ms;
  o.timeouts.tls_handshake = 1500ms;
  return o;
}

std::map<std::string, HostObs> by_address(std::vector<HostObs> v) {
  std::map<std::string, HostObs> m;
  for (auto& o : v) m[o.address] = std::move(o);
  return m;
}

HostObs scan_one(const SmtpOptions& o, const std::string& address) {
  auto v = mxscan::scan_addresses(o, {address});
  REQUIRE(v.size() == 1);
  return v[0];
}

// One server with one persona per address on a shared port; the scan of each address.
struct Lab {
  TestSmtpServer server;
  std::uint16_t port = 0;
  void add(const std::string& address, TestPersona p) {
    port = server.listen(address, port, std::move(p));
  }
};

// The server logs a connection when its side ends, which may be just after the client's.
void wait_for_logs(const TestSmtpServer& server, std::size_t n) {
  for (int i = 0; i < 200 && server.stats().connections.size() < n; ++i)
    std::this_thread::sleep_for(10ms);
}

TestPersona tls_persona(const std::string& chain_name) {
  TestPersona p;
  p.chain_file = chain(chain_name);
  return p;
}

}  // namespace

TEST_CASE("session: full STARTTLS dialogue with a trusted lab chain", "[smtp]") {
  Lab lab;
  lab.add("127.61.1.1", tls_persona("multisan"));
  lab.server.start();
  const HostObs h = scan_one(lab_options(lab.port), "127.61.1.1");
  wait_for_logs(lab.server, 1);
  lab.server.stop();
  INFO(h.error);
  CHECK(h.status == SmtpStatus::success);
  CHECK(h.phase == SmtpPhase::done);
  CHECK(h.banner == "220 mx.test.lab.example ESMTP test");
  CHECK(h.ehlo.find("250-STARTTLS") != std::string::npos);
  CHECK(h.starttls_offered);
  CHECK(h.starttls_accepted);
  CHECK(h.plaintext_after_starttls == 0);
  REQUIRE(h.tls);
  CHECK(h.ehlo_tls.find("STARTTLS") == std::string::npos);
  CHECK(h.ehlo_tls.rfind("250-mx.test.lab.example", 0) == 0);
  CHECK(h.tls->version == "TLSv1.3");
  // The scanner offers AES-128-GCM first (tls_client.cpp) and OpenSSL servers follow
  // the client's order by default.
  CHECK(h.tls->cipher == "TLS_AES_128_GCM_SHA256");
  CHECK(h.tls->trusted);
  CHECK(h.tls->verify_error.empty());
  REQUIRE(h.tls->chain_der.size() == 2);  // leaf + intermediate, as sent
  CHECK(h.tls->leaf.subject_cn == "mx1.multi.lab.example");
  CHECK(h.tls->leaf.sans == std::vector<std::string>{"mx1.multi.lab.example",
                                                     "mx2.multi.lab.example",
                                                     "mail.other.example"});
  const auto leaf = mxscan::parse_der_certificate(h.tls->chain_der[0]);
  REQUIRE(leaf);
  CHECK(mxscan::certificate_info(leaf.get()).sha256 == h.tls->leaf.sha256);
  const auto pem_leaf =
      mxscan::read_pem_certificate(chain("multisan"));  // key first, then the leaf
  REQUIRE(pem_leaf);
  CHECK(mxscan::der_of(pem_leaf.get()) == h.tls->chain_der[0]);
  const auto intermediate = mxscan::parse_der_certificate(h.tls->chain_der[1]);
  REQUIRE(intermediate);  // the leaf's issuer, as the server sent it second
  CHECK(X509_NAME_cmp(X509_get_subject_name(intermediate.get()),
                      X509_get_issuer_name(leaf.get())) == 0);
  CHECK(h.tls->leaf.sha256.size() == 64);
  CHECK(h.tls->leaf.not_before.size() == 20);
  CHECK(h.tls->leaf.not_before < h.tls->leaf.not_after);
  // What the server heard: EHLO, STARTTLS, EHLO, QUIT and nothing else; no SNI by default.
  const auto stats = lab.server.stats();
  REQUIRE(stats.connections.size() == 1);
  CHECK(stats.connections[0].commands ==
        std::vector<std::string>{"EHLO scanner.test.lab.example", "STARTTLS",
                                 "EHLO scanner.test.lab.example", "QUIT"});
  CHECK(stats.connections[0].quit);
  CHECK(stats.connections[0].sni.empty());
  CHECK(stats.forbidden == 0);
}

TEST_CASE("session: certificates that do not verify are still captured, with OpenSSL's reason",
          "[smtp]") {
  Lab lab;
  const std::map<std::string, std::string> cases{
      {"127.61.2.1", "expired"},   {"127.61.2.2", "notyet"},  {"127.61.2.3", "selfsigned"},
      {"127.61.2.4", "unknownca"}, {"127.61.2.5", "nointer"}, {"127.61.2.6", "wildcard"},
  };
  for (const auto& [address, name] : cases) lab.add(address, tls_persona(name));
  lab.server.start();
  std::vector<std::string> addresses;
  addresses.reserve(cases.size());
  for (const auto& c : cases) addresses.push_back(c.first);
  auto hosts = by_address(mxscan::scan_addresses(lab_options(lab.port), addresses));
  lab.server.stop();
  for (const auto& [address, name] : cases) {
    INFO(name << " " << hosts[address].error);
    REQUIRE(hosts[address].status == SmtpStatus::success);
    REQUIRE(hosts[address].tls);
  }
  CHECK(hosts["127.61.2.1"].tls->verify_error == "certificate has expired");
  CHECK(hosts["127.61.2.2"].tls->verify_error == "certificate is not yet valid");
  CHECK(hosts["127.61.2.3"].tls->verify_error == "self-signed certificate");
  CHECK(hosts["127.61.2.4"].tls->verify_error == "self-signed certificate in certificate chain");
  CHECK(hosts["127.61.2.5"].tls->verify_error == "unable to get local issuer certificate");
  CHECK(hosts["127.61.2.5"].tls->chain_der.size() == 1);
  for (const char* a : {"127.61.2.1", "127.61.2.2", "127.61.2.3", "127.61.2.4", "127.61.2.5"})
    CHECK_FALSE(hosts[a].tls->trusted);
  CHECK(hosts["127.61.2.6"].tls->trusted);
  CHECK(hosts["127.61.2.6"].tls->leaf.subject_cn == "*.wild.lab.example");
  CHECK(hosts["127.61.2.6"].tls->leaf.sans == std::vector<std::string>{"*.wild.lab.example"});
  CHECK(hosts["127.61.2.1"].tls->leaf.not_after < hosts["127.61.2.6"].tls->leaf.not_before);
}

TEST_CASE("session: a chain's verdict is computed once and reused", "[smtp]") {
  Lab lab;
  for (const char* a : {"127.61.14.1", "127.61.14.2", "127.61.14.3"})
    lab.add(a, tls_persona("expired"));
  lab.add("127.61.14.4", tls_persona("multisan"));
  lab.server.start();
  SmtpOptions o = lab_options(lab.port);
  o.max_in_flight = 1;  // one after the other: the cache is filled before the next handshake
  std::vector<HostObs> results;
  mxscan::SmtpStageStats stats;
  {
    mxscan::SmtpStage stage(o, nullptr, [&](HostObs h) { results.push_back(std::move(h)); });
    for (const char* a : {"127.61.14.1", "127.61.14.2", "127.61.14.3", "127.61.14.4"})
      stage.submit(a);
    stage.close();
    stage.wait();
    stats = stage.stats();
  }
  auto h = by_address(results);
  for (const char* a : {"127.61.14.1", "127.61.14.2", "127.61.14.3"}) {
    REQUIRE(h[a].tls);
    CHECK_FALSE(h[a].tls->trusted);
    CHECK(h[a].tls->verify_error == "certificate has expired");
    // The chain and the leaf's digest are this session's, whether verified or cached.
    CHECK(h[a].tls->chain_der == h["127.61.14.1"].tls->chain_der);
    const auto leaf = mxscan::parse_der_certificate(h[a].tls->chain_der.at(0));
    REQUIRE(leaf);
    CHECK(mxscan::certificate_info(leaf.get()).sha256 == h[a].tls->leaf.sha256);
  }
  REQUIRE(h["127.61.14.4"].tls);
  CHECK(h["127.61.14.4"].tls->trusted);
  CHECK(h["127.61.14.4"].tls->chain_der != h["127.61.14.1"].tls->chain_der);
  CHECK(stats.chains_verified == 2);
  CHECK(stats.chain_verdicts_cached == 2);
}

// The stage's worker threads share the context's trusted certificates, and a scan's
// first verifications can run on two threads at the same moment. Under TSan this
// failed (a race inside OpenSSL 3.0 on the root's lazily cached extensions) until
// TlsClientContext computed those caches before handing the context out.
TEST_CASE("tls: two threads verify against a fresh context's trust store at the same moment",
          "[smtp]") {
  const std::string path = chain("multisan");
  for (int round = 0; round < 40; ++round) {
    mxscan::TlsClientSettings settings;
    settings.ca_file = pki_dir() + "/root.pem";
    const mxscan::TlsClientContext context(settings);
    std::barrier start(2);
    std::atomic<int> verified{0};
    auto verify = [&] {
      // Each thread parses its own copy of the chain, as each handshake does.
      std::vector<mxscan::X509Ptr> certs;
      std::unique_ptr<BIO, decltype(&BIO_free)> bio(BIO_new_file(path.c_str(), "r"), &BIO_free);
      while (X509* cert = PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr))
        certs.emplace_back(cert);
      ERR_clear_error();
      auto stack_free = [](STACK_OF(X509) * stack) { sk_X509_free(stack); };
      std::unique_ptr<STACK_OF(X509), decltype(stack_free)> sent(sk_X509_new_null(), stack_free);
      for (std::size_t i = 1; i < certs.size(); ++i) sk_X509_push(sent.get(), certs[i].get());
      std::unique_ptr<X509_STORE_CTX, decltype(&X509_STORE_CTX_free)> check(X509_STORE_CTX_new(),
                                                                            &X509_STORE_CTX_free);
      const bool ready = certs.size() >= 2 &&
                         X509_STORE_CTX_init(check.get(), SSL_CTX_get_cert_store(context.get()),
                                             certs[0].get(), sent.get()) == 1;
      start.arrive_and_wait();
      if (ready && X509_verify_cert(check.get()) == 1) ++verified;
    };
    std::thread first(verify), second(verify);
    first.join();
    second.join();
    REQUIRE(verified == 2);
  }
}

TEST_CASE("session: the system trust store does not know the lab root", "[smtp]") {
  Lab lab;
  lab.add("127.61.3.1", tls_persona("multisan"));
  lab.server.start();
  SmtpOptions o = lab_options(lab.port);
  o.ca_file.clear();
  const HostObs h = scan_one(o, "127.61.3.1");
  REQUIRE(h.tls);
  CHECK_FALSE(h.tls->trusted);
  CHECK(h.tls->verify_error == "unable to get local issuer certificate");
}

TEST_CASE("session: each status, with the phase reached", "[smtp]") {
  Lab lab;
  auto persona = [](Fault f) {
    TestPersona p = tls_persona("multisan");
    p.fault = f;
    return p;
  };
  TestPersona g4 = persona(Fault::none);
  g4.banner = "421-4.3.2 busy\n421 4.3.2 try later";
  TestPersona g5 = persona(Fault::none);
  g5.banner = "554 5.7.1 no scanners";
  TestPersona ehlo_bad = persona(Fault::none);
  ehlo_bad.ehlo_code = 502;
  ehlo_bad.helo_code = 550;
  TestPersona helo_ok = persona(Fault::none);
  helo_ok.ehlo_code = 500;
  TestPersona refuse = persona(Fault::none);
  refuse.refuse_starttls = true;
  TestPersona plain = persona(Fault::none);
  plain.offer_starttls = false;
  TestPersona lf = persona(Fault::none);
  lf.lf_only = true;
  const std::map<std::string, TestPersona> personas{
      {"127.61.4.1", persona(Fault::tarpit)},
      {"127.61.4.2", persona(Fault::close)},
      {"127.61.4.3", persona(Fault::reset)},
      {"127.61.4.4", persona(Fault::garbage)},
      {"127.61.4.5", g4},
      {"127.61.4.6", g5},
      {"127.61.4.7", ehlo_bad},
      {"127.61.4.8", refuse},
      {"127.61.4.9", persona(Fault::tls_garbage)},
      {"127.61.4.10", persona(Fault::tls_stall)},
      {"127.61.4.11", persona(Fault::ehlo_silent)},
      {"127.61.4.12", persona(Fault::endless_ehlo)},
      {"127.61.4.13", persona(Fault::huge_line)},
      {"127.61.4.14", persona(Fault::mixed_codes)},
      {"127.61.4.15", persona(Fault::no_eol)},
      {"127.61.4.16", helo_ok},
      {"127.61.4.17", plain},
      {"127.61.4.18", persona(Fault::inject)},
      {"127.61.4.19", tls_persona("oversized")},
      {"127.61.4.20", lf},
  };
  for (const auto& [a, p] : personas) lab.add(a, p);
  lab.server.start();
  std::vector<std::string> addresses;
  addresses.reserve(personas.size());
  for (const auto& p : personas) addresses.push_back(p.first);
  addresses.push_back("127.61.4.99");  // nobody listens: refused
  const auto start = std::chrono::steady_clock::now();
  auto h = by_address(mxscan::scan_addresses(lab_options(lab.port), addresses));
  const auto took = std::chrono::steady_clock::now() - start;
  wait_for_logs(lab.server, 20);
  lab.server.stop();
  CHECK(took < 6s);  // every timeout bounded, all in parallel
  struct Expect {
    SmtpStatus status;
    SmtpPhase phase;
  };
  const std::map<std::string, Expect> expected{
      {"127.61.4.1", {SmtpStatus::greeting_timeout, SmtpPhase::greeting}},
      {"127.61.4.2", {SmtpStatus::closed, SmtpPhase::greeting}},
      {"127.61.4.3", {SmtpStatus::reset, SmtpPhase::greeting}},
      {"127.61.4.4", {SmtpStatus::not_smtp, SmtpPhase::greeting}},
      {"127.61.4.5", {SmtpStatus::greeting_4xx, SmtpPhase::greeting}},
      {"127.61.4.6", {SmtpStatus::greeting_5xx, SmtpPhase::greeting}},
      {"127.61.4.7", {SmtpStatus::ehlo_failed, SmtpPhase::ehlo}},
      {"127.61.4.8", {SmtpStatus::starttls_refused, SmtpPhase::starttls}},
      {"127.61.4.9", {SmtpStatus::tls_failed, SmtpPhase::tls_handshake}},
      {"127.61.4.10", {SmtpStatus::tls_failed, SmtpPhase::tls_handshake}},
      {"127.61.4.11", {SmtpStatus::io_timeout, SmtpPhase::ehlo}},
      {"127.61.4.12", {SmtpStatus::protocol_error, SmtpPhase::ehlo}},
      {"127.61.4.13", {SmtpStatus::protocol_error, SmtpPhase::greeting}},
      {"127.61.4.14", {SmtpStatus::protocol_error, SmtpPhase::ehlo}},
      {"127.61.4.15", {SmtpStatus::greeting_timeout, SmtpPhase::greeting}},
      {"127.61.4.16", {SmtpStatus::success, SmtpPhase::done}},
      {"127.61.4.17", {SmtpStatus::success, SmtpPhase::done}},
      {"127.61.4.18", {SmtpStatus::success, SmtpPhase::done}},
      {"127.61.4.19", {SmtpStatus::tls_failed, SmtpPhase::tls_handshake}},
      {"127.61.4.20", {SmtpStatus::success, SmtpPhase::done}},
      {"127.61.4.99", {SmtpStatus::refused, SmtpPhase::connect}},
  };
  for (const auto& [a, e] : expected) {
    INFO(a << ": " << to_string(h[a].status) << " / " << to_string(h[a].phase) << " / "
           << h[a].error);
    CHECK(h[a].status == e.status);
    CHECK(h[a].phase == e.phase);
  }
  CHECK(h["127.61.4.5"].banner == "421-4.3.2 busy\n421 4.3.2 try later");
  CHECK(h["127.61.4.16"].ehlo.find("500 ") == 0);
  CHECK(h["127.61.4.16"].ehlo.find("\n250 mx.test.lab.example") != std::string::npos);
  CHECK_FALSE(h["127.61.4.16"].starttls_offered);
  CHECK_FALSE(h["127.61.4.17"].starttls_offered);
  CHECK_FALSE(h["127.61.4.17"].tls);
  CHECK(h["127.61.4.18"].plaintext_after_starttls == 29);  // "250-injected\r\n250 plaintext\r\n"
  CHECK(h["127.61.4.18"].tls);
  CHECK(h["127.61.4.19"].error.find("excessive message size") != std::string::npos);
  CHECK(h["127.61.4.20"].tls);

  // QUIT whenever the connection was usable; never a forbidden command.
  const auto stats = lab.server.stats();
  CHECK(stats.forbidden == 0);
  std::map<std::string, bool> quit;
  for (const auto& c : stats.connections) quit[c.local] = c.quit;
  for (const char* a : {"127.61.4.5", "127.61.4.6", "127.61.4.7", "127.61.4.8", "127.61.4.16",
                        "127.61.4.17", "127.61.4.18", "127.61.4.20"}) {
    INFO(a);
    CHECK(quit[a]);
  }
  CHECK(stats.accepted.count("127.61.4.99") == 0);
}

TEST_CASE("session: the hard session deadline bounds everything", "[smtp]") {
  Lab lab;
  TestPersona p;
  p.fault = Fault::tarpit;
  lab.add("127.61.5.1", p);
  lab.server.start();
  SmtpOptions o = lab_options(lab.port);
  o.timeouts.greeting = 30s;
  o.timeouts.session = 300ms;
  const auto start = std::chrono::steady_clock::now();
  const HostObs h = scan_one(o, "127.61.5.1");
  CHECK(std::chrono::steady_clock::now() - start < 2s);
  CHECK(h.status == SmtpStatus::greeting_timeout);
  CHECK(h.error.find("session deadline") != std::string::npos);
}

TEST_CASE("session: SNI only when asked, with the exchange name", "[smtp]") {
  Lab lab;
  lab.add("127.61.6.1", tls_persona("multisan"));
  lab.server.start();
  SmtpOptions o = lab_options(lab.port);
  o.sni = true;
  {
    mxscan::SmtpStage stage(o, nullptr, [](const HostObs&) {});
    CHECK(stage.submit("127.61.6.1", "mx1.multi.lab.example") == mxscan::SubmitResult::queued);
  }
  wait_for_logs(lab.server, 1);
  lab.server.stop();
  const auto stats = lab.server.stats();
  REQUIRE(stats.connections.size() == 1);
  CHECK(stats.connections[0].sni == "mx1.multi.lab.example");
}

TEST_CASE("conduct: blocked addresses are reported and never contacted", "[smtp]") {
  Lab lab;
  TestPersona p;
  p.offer_starttls = false;
  lab.add("127.61.7.1", p);
  lab.add("127.61.7.2", p);
  lab.server.start();
  SmtpOptions o = lab_options(lab.port);
  o.allow = {"127.61.7.2/32"};  // only this one is lifted
  o.ipv6 = true;
  auto h = by_address(mxscan::scan_addresses(
      o, {"127.61.7.1", "::ffff:127.61.7.1", "127.61.7.2", "::ffff:127.61.7.2", "0.0.0.0",
          "::", "::1", "10.1.2.3", "not-an-address"}));
  lab.server.stop();
  CHECK(h["127.61.7.1"].status == SmtpStatus::blocked);
  CHECK(h["127.61.7.1"].phase == SmtpPhase::none);
  CHECK(h["0.0.0.0"].status == SmtpStatus::blocked);
  CHECK(h["::"].status == SmtpStatus::blocked);
  CHECK(h["::1"].status == SmtpStatus::blocked);
  CHECK(h["10.1.2.3"].status == SmtpStatus::blocked);
  CHECK(h["not-an-address"].status == SmtpStatus::not_contacted);
  CHECK(h["127.61.7.2"].status == SmtpStatus::success);
  CHECK(h.size() == 7);  // mapped forms were folded into their IPv4 address: deduplicated
  const auto stats = lab.server.stats();
  CHECK(stats.accepted.count("127.61.7.1") == 0);
  CHECK(stats.accepted.at("127.61.7.2") == 1);
}

TEST_CASE("conduct: each address once per scan, IPv6 only when enabled", "[smtp]") {
  Lab lab;
  TestPersona p;
  p.offer_starttls = false;
  lab.add("127.61.8.1", p);
  lab.server.start();
  SmtpOptions o = lab_options(lab.port);
  o.allow = {"127.0.0.0/8", "::1/128"};
  std::vector<HostObs> results;
  mxscan::SmtpStage stage(o, nullptr, [&](HostObs h) { results.push_back(std::move(h)); });
  CHECK(stage.submit("127.61.8.1", "a.example") == mxscan::SubmitResult::queued);
  CHECK(stage.submit("127.61.8.1", "b.example") == mxscan::SubmitResult::duplicate);
  CHECK(stage.submit("::ffff:127.61.8.1") == mxscan::SubmitResult::duplicate);
  CHECK(stage.submit("::1") == mxscan::SubmitResult::ipv6_disabled);
  stage.close();
  stage.wait();
  lab.server.stop();
  CHECK(stage.submit("127.61.8.9") == mxscan::SubmitResult::closed);
  CHECK(results.size() == 2);
  CHECK(lab.server.stats().accepted.at("127.61.8.1") == 1);
  const auto s = stage.stats();
  CHECK(s.duplicates == 2);
  CHECK(s.ipv6_skipped == 1);
  CHECK(s.sessions == 1);
}

TEST_CASE("conduct: IPv6 sessions when enabled", "[smtp]") {
  Lab lab;
  TestPersona p;
  p.offer_starttls = false;
  lab.add("::1", p);
  lab.server.start();
  SmtpOptions o = lab_options(lab.port);
  o.allow = {"::1/128"};
  o.ipv6 = true;
  const HostObs h = scan_one(o, "::1");
  CHECK(h.status == SmtpStatus::success);
  CHECK(h.address == "::1");
}

TEST_CASE("conduct: per-/24 cap on sessions in flight, observed by the server", "[smtp]") {
  Lab lab;
  TestPersona slow;
  slow.fault = Fault::ehlo_silent;  // every session lasts one reply timeout
  std::vector<std::string> addresses;
  for (int i = 1; i <= 12; ++i) {
    addresses.push_back("127.61.9." + std::to_string(i));
    addresses.push_back("127.61.10." + std::to_string(i));
  }
  for (const auto& a : addresses) lab.add(a, slow);
  lab.server.start();
  SmtpOptions o = lab_options(lab.port);
  o.timeouts.reply = 200ms;
  o.prefix_max_in_flight = 3;
  mxscan::SmtpStageStats stats;
  {
    mxscan::SmtpStage stage(o, nullptr, [](const HostObs&) {});
    for (const auto& a : addresses) stage.submit(a);
    stage.close();
    stage.wait();
    stats = stage.stats();
  }
  lab.server.stop();
  const auto server = lab.server.stats();
  CHECK(server.max_per_24.at("127.61.9") == 3);
  CHECK(server.max_per_24.at("127.61.10") == 3);
  CHECK(server.max_concurrent >= 4);  // the two /24s proceed side by side
  CHECK(stats.peak_prefix_in_flight == 3);
  CHECK(server.accepted.size() == 24);
}

TEST_CASE("conduct: global and per-/24 rates of new sessions", "[smtp]") {
  Lab lab;
  TestPersona p;
  p.offer_starttls = false;
  std::vector<std::string> addresses;
  for (int i = 1; i <= 5; ++i) addresses.push_back("127.61.11." + std::to_string(i));
  for (const auto& a : addresses) lab.add(a, p);
  lab.server.start();
  SmtpOptions o = lab_options(lab.port);
  o.prefix_sessions_per_s = 10;  // 5 sessions in one /24: at least 0.4 s
  auto start = std::chrono::steady_clock::now();
  CHECK(mxscan::scan_addresses(o, addresses).size() == 5);
  CHECK(std::chrono::steady_clock::now() - start >= 390ms);
  for (int i = 1; i <= 10; ++i) addresses.push_back("127.61." + std::to_string(20 + i) + ".1");
  for (int i = 1; i <= 10; ++i) lab.add("127.61." + std::to_string(20 + i) + ".1", p);
  o.prefix_sessions_per_s = 0;
  o.sessions_per_s = 20;  // 15 sessions at 20/s (burst 2): at least 0.6 s
  start = std::chrono::steady_clock::now();
  CHECK(mxscan::scan_addresses(o, addresses).size() == 15);
  CHECK(std::chrono::steady_clock::now() - start >= 600ms);
  lab.server.stop();
}

TEST_CASE("conduct: retries only for connect timeouts, bounded, with backoff", "[smtp]") {
  // A listener with a full accept queue drops SYNs: a connect timeout on loopback.
  const int lfd = ::socket(AF_INET, SOCK_STREAM, 0);
  REQUIRE(lfd >= 0);
  sockaddr_in sa{};
  sa.sin_family = AF_INET;
  sa.sin_port = 0;
  inet_pton(AF_INET, "127.61.12.1", &sa.sin_addr);
  REQUIRE(::bind(lfd, reinterpret_cast<sockaddr*>(&sa), sizeof sa) == 0);
  REQUIRE(::listen(lfd, 0) == 0);
  socklen_t len = sizeof sa;
  REQUIRE(::getsockname(lfd, reinterpret_cast<sockaddr*>(&sa), &len) == 0);
  const int filler = ::socket(AF_INET, SOCK_STREAM, 0);
  REQUIRE(::connect(filler, reinterpret_cast<sockaddr*>(&sa), sizeof sa) == 0);

  SmtpOptions o = lab_options(ntohs(sa.sin_port));
  o.timeouts.connect = 300ms;
  o.retries = 2;
  o.retry_backoff = 100ms;
  mxscan::SmtpStageStats stats;
  std::vector<HostObs> results;
  const auto start = std::chrono::steady_clock::now();
  {
    mxscan::SmtpStage stage(o, nullptr, [&](HostObs h) { results.push_back(std::move(h)); });
    stage.submit("127.61.12.1");
    stage.submit("127.61.12.99");  // refused: never retried
    stage.close();
    stage.wait();
    stats = stage.stats();
  }
  const auto took = std::chrono::steady_clock::now() - start;
  ::close(filler);
  ::close(lfd);
  auto h = by_address(results);
  CHECK(h["127.61.12.1"].status == SmtpStatus::connect_timeout);
  CHECK(h["127.61.12.99"].status == SmtpStatus::refused);
  CHECK(stats.sessions == 4);  // 3 attempts + 1
  CHECK(stats.retries == 2);
  CHECK(took >= 3 * 300ms + 100ms + 200ms);
}

TEST_CASE("conduct: configuration errors are clear and nothing starts", "[smtp]") {
  SmtpOptions o = lab_options(25);
  o.ehlo_name = "localhost";
  CHECK_THROWS_WITH(mxscan::SmtpStage(o, nullptr, nullptr), Catch::Contains("--ehlo-name"));
  o = lab_options(25);
  o.blocklist_files = {"/nonexistent/optout.conf"};
  CHECK_THROWS_WITH(mxscan::SmtpStage(o, nullptr, nullptr),
                    Catch::Contains("/nonexistent/optout.conf"));
  o = lab_options(25);
  o.ca_file = "/nonexistent/ca.pem";
  CHECK_THROWS_WITH(mxscan::SmtpStage(o, nullptr, nullptr), Catch::Contains("--ca-file"));
  o = lab_options(25);
  o.allow = {"127.0.0.1/8"};
  CHECK_THROWS_WITH(mxscan::SmtpStage(o, nullptr, nullptr), Catch::Contains("--allow"));
}

TEST_CASE("stage: ASN annotation from the configured source", "[smtp]") {
  Lab lab;
  TestPersona p;
  p.offer_starttls = false;
  lab.add("127.61.13.1", p);
  lab.server.start();
  auto asn =
      std::make_shared<mxscan::Pfx2AsSource>(std::string_view("127.61.13.0\t24\t15169\n"), "lab");
  auto results = mxscan::scan_addresses(lab_options(lab.port), {"127.61.13.1", "10.0.0.1"}, asn);
  lab.server.stop();
  auto h = by_address(results);
  CHECK(h["127.61.13.1"].asn == 15169u);
  CHECK_FALSE(h["10.0.0.1"].asn);
  CHECK(mxscan::open_asn_source("", "") == nullptr);
}

TEST_CASE("stage: several worker threads keep every cap and deliver every result", "[smtp]") {
  Lab lab;
  TestPersona p = tls_persona("multisan");
  std::vector<std::string> addresses;
  for (int net = 1; net <= 4; ++net)
    for (int host = 1; host <= 10; ++host)
      addresses.push_back("127.61." + std::to_string(40 + net) + "." + std::to_string(host));
  for (const auto& a : addresses) lab.add(a, p);
  lab.server.start();
  SmtpOptions o = lab_options(lab.port);
  o.threads = 2;
  o.prefix_max_in_flight = 2;
  o.max_in_flight = 6;
  std::vector<HostObs> results;
  mxscan::SmtpStageStats stats;
  {
    mxscan::SmtpStage stage(o, nullptr, [&](HostObs h) { results.push_back(std::move(h)); });
    for (const auto& a : addresses) CHECK(stage.submit(a) == mxscan::SubmitResult::queued);
    stage.close();
    stage.wait();
    stats = stage.stats();
  }
  lab.server.stop();
  REQUIRE(results.size() == addresses.size());
  for (const auto& h : results) {
    INFO(h.address << " " << h.error);
    CHECK(h.status == SmtpStatus::success);
    CHECK((h.tls && h.tls->trusted));
  }
  const auto server = lab.server.stats();
  for (const auto& [net, peak] : server.max_per_24) CHECK(peak <= 2);
  CHECK(server.max_concurrent <= 6);
  CHECK(stats.sessions == addresses.size());
  CHECK(server.forbidden == 0);
}

TEST_CASE("stage: a window that stops filling is dispatched without close()", "[smtp]") {
  Lab lab;
  TestPersona p;
  p.offer_starttls = false;
  lab.add("127.61.50.1", p);
  lab.server.start();
  std::atomic<int> delivered{0};
  mxscan::SmtpStage stage(lab_options(lab.port), nullptr, [&](const HostObs&) { ++delivered; });
  stage.submit("127.61.50.1");
  for (int i = 0; i < 40 && delivered == 0; ++i) std::this_thread::sleep_for(100ms);
  CHECK(delivered == 1);  // within about a second, while the stage is still open
  stage.close();
  stage.wait();
  lab.server.stop();
}

TEST_CASE("conduct: addresses are visited in a randomised order", "[smtp]") {
  Lab lab;
  TestPersona p;
  p.offer_starttls = false;
  std::vector<std::string> addresses;
  for (int i = 1; i <= 40; ++i) addresses.push_back("127.61.60." + std::to_string(i));
  for (const auto& a : addresses) lab.add(a, p);
  lab.server.start();
  SmtpOptions o = lab_options(lab.port);
  o.max_in_flight = 1;  // one at a time: the server sees the visiting order
  o.shuffle_seed = 0;   // random
  CHECK(mxscan::scan_addresses(o, addresses).size() == addresses.size());
  wait_for_logs(lab.server, addresses.size());
  lab.server.stop();
  std::vector<std::string> visited;
  for (const auto& c : lab.server.stats().connections) visited.push_back(c.local);
  REQUIRE(visited.size() == addresses.size());
  CHECK(visited != addresses);
  auto sorted = visited;
  std::sort(sorted.begin(), sorted.end());
  auto expected = addresses;
  std::sort(expected.begin(), expected.end());
  CHECK(sorted == expected);
}

TEST_CASE("stage: abort() stops sessions in flight at once", "[smtp]") {
  Lab lab;
  TestPersona p;
  p.fault = Fault::tarpit;
  for (int i = 1; i <= 5; ++i) lab.add("127.61.70." + std::to_string(i), p);
  lab.server.start();
  SmtpOptions o = lab_options(lab.port);
  o.timeouts.greeting = 30s;
  std::atomic<int> delivered{0};
  const auto start = std::chrono::steady_clock::now();
  {
    mxscan::SmtpStage stage(o, nullptr, [&](const HostObs&) { ++delivered; });
    for (int i = 1; i <= 5; ++i) stage.submit("127.61.70." + std::to_string(i));
    stage.flush();
    for (int i = 0; i < 50 && stage.in_flight() < 5; ++i) std::this_thread::sleep_for(20ms);
    CHECK(stage.in_flight() == 5);
    stage.abort();
  }
  CHECK(std::chrono::steady_clock::now() - start < 5s);
  CHECK(delivered == 0);
  lab.server.stop();
}
