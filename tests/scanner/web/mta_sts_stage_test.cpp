#include "mxscan/scanner/web/mta_sts_stage.hpp"

#include <catch2/catch.hpp>

#include <atomic>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <map>
#include <string>
#include <thread>
#include <vector>

#include "scripted_dns.hpp"
#include "test_https_server.hpp"

using mxscan::DomainObs;
using mxscan::MtaStsPolicy;
using mxscan::MtaStsStage;
using mxscan::MtaStsStageOptions;
using mxscan::dns::RrType;
using mxscan::test::Behaviour;
using mxscan::test::HttpsServer;
using mxscan::test::ScriptedDns;
using mxscan::test::web_pki_dir;
using namespace std::chrono_literals;

namespace {

const std::string kPolicy =
    "version: STSv1\nmode: enforce\nmx: *.good.lab.example\nmax_age: 86400\n";

// The scripted DNS server on a thread of its own (the stage has its own loop).
struct DnsThread {
  boost::asio::io_context io;
  ScriptedDns dns{io};
  std::thread thread;
  void start() {
    thread = std::thread([this] {
      auto guard = boost::asio::make_work_guard(io);
      io.run();
    });
  }
  ~DnsThread() {
    io.stop();
    if (thread.joinable()) thread.join();
  }
};

DomainObs domain_with_record(const std::string& name, const std::string& exchange) {
  DomainObs obs;
  obs.domain = name;
  obs.mx_status = mxscan::DnsStatus::ok;
  obs.mx.emplace_back();
  obs.mx.back().exchange = exchange;
  obs.signals.emplace();
  obs.signals->mta_sts.status = mxscan::DnsStatus::ok;
  obs.signals->mta_sts.record = "v=STSv1; id=1";
  obs.signals->mta_sts.id = "1";
  return obs;
}

MtaStsStageOptions options(const DnsThread& d, std::uint16_t port) {
  MtaStsStageOptions o;
  o.dns.resolvers = {d.dns.address()};
  o.dns.timeout = 500ms;
  o.dns.retries = 1;
  o.fetch.port = port;
  o.fetch.ca_file = web_pki_dir() + "/root.pem";
  o.fetch.response = 5s;
  o.blocklist.add(*mxscan::Cidr::parse("127.255.0.0/16"));
  return o;
}

std::map<std::string, MtaStsPolicy> run(MtaStsStage& stage, std::vector<DomainObs> domains,
                                        const std::atomic<bool>* stop = nullptr) {
  std::map<std::string, MtaStsPolicy> out;
  stage.start(
      [&out](DomainObs&& obs) {
        REQUIRE(obs.signals->mta_sts.policy);
        out[obs.domain] = *obs.signals->mta_sts.policy;
      },
      stop);
  for (auto& d : domains) stage.submit(std::move(d));
  stage.finish();
  return out;
}

}  // namespace

TEST_CASE("mta-sts stage: fetched, blocked, unresolved, one contact per policy host", "[web]") {
  HttpsServer server(web_pki_dir() + "/good.pem",
                     mxscan::test::http_reply("200 OK", "Content-Type: text/plain\r\n", kPolicy),
                     Behaviour::respond);
  DnsThread d;
  d.dns.on("mta-sts.good.lab.example", RrType::a,
           {0, {{"mta-sts.good.lab.example", RrType::a, "127.0.0.1"}}});
  d.dns.on("mta-sts.blocked.lab.example", RrType::a,
           {0, {{"mta-sts.blocked.lab.example", RrType::a, "127.255.0.1"}}});
  d.dns.on("mta-sts.none.lab.example", RrType::a, {3, {}});
  d.start();
  MtaStsStage stage(options(d, server.port()));
  std::vector<DomainObs> domains;
  // good.lab.example's certificate is for mta-sts.good.lab.example only.
  domains.push_back(domain_with_record("good.lab.example", "mx1.good.lab.example"));
  domains.push_back(domain_with_record("blocked.lab.example", "mx.blocked.lab.example"));
  domains.push_back(domain_with_record("none.lab.example", "mx.none.lab.example"));
  auto policies = run(stage, std::move(domains));
  REQUIRE(policies.size() == 3);

  const MtaStsPolicy& good = policies["good.lab.example"];
  INFO(good.error);
  CHECK(good.status == "ok");
  CHECK(good.mode == "enforce");
  CHECK(good.mx == std::vector<std::string>{"*.good.lab.example"});
  CHECK(good.max_age == 86400);
  CHECK(good.covers_mx);

  CHECK(policies["blocked.lab.example"].status == "blocked");
  CHECK(policies["blocked.lab.example"].error ==
        "mta-sts.blocked.lab.example: 127.255.0.1 is in the blocklist");
  CHECK(policies["none.lab.example"].status == "no_address");
  CHECK(policies["none.lab.example"].error.find("mta-sts.none.lab.example: nxdomain") == 0);

  CHECK(server.requests == 1);  // the good host once; the blocked one never
  CHECK(stage.stats().fetches == 1);
  CHECK(stage.stats().domains == 3);
}

TEST_CASE("mta-sts stage: after a stop nothing is contacted and held domains are dropped",
          "[web]") {
  HttpsServer server(web_pki_dir() + "/good.pem",
                     mxscan::test::http_reply("200 OK", "Content-Type: text/plain\r\n", kPolicy),
                     Behaviour::respond);
  DnsThread d;
  d.dns.on("mta-sts.good.lab.example", RrType::a,
           {0, {{"mta-sts.good.lab.example", RrType::a, "127.0.0.1"}}});
  d.start();
  MtaStsStage stage(options(d, server.port()));
  const std::atomic<bool> stop{true};
  std::vector<DomainObs> domains;
  domains.push_back(domain_with_record("good.lab.example", "mx1.good.lab.example"));
  const auto policies = run(stage, std::move(domains), &stop);
  CHECK(policies.empty());
  CHECK(server.requests == 0);
  CHECK(stage.stats().dropped == 1);
}

TEST_CASE("mta-sts stage: the policy of a fetch", "[web]") {
  mxscan::PolicyFetch f;
  f.status = "ok";
  f.body = "version: STSv1\nmode: testing\nmx: mx.a.example\nmax_age: 60\n";
  f.error = "content-type text/html, not text/plain";
  const std::vector<std::string> covered = {"mx.a.example"};
  const std::vector<std::string> uncovered = {"mx.a.example", "mx.b.example"};
  const MtaStsPolicy p = mxscan::mta_sts_policy_of(f, covered);
  CHECK(p.status == "ok");
  CHECK(p.error == f.error);  // the content-type note is kept
  CHECK(p.mode == "testing");
  CHECK(p.covers_mx);
  CHECK_FALSE(mxscan::mta_sts_policy_of(f, uncovered).covers_mx);
  f.body = "<html>";
  const MtaStsPolicy bad = mxscan::mta_sts_policy_of(f, covered);
  CHECK(bad.status == "malformed");
  CHECK(bad.error == "line 1: not a key: value field");
  f.status = "redirect";
  f.error = "301 to https://x.example/";
  CHECK(mxscan::mta_sts_policy_of(f, covered).status == "redirect");
  CHECK(mxscan::mta_sts_policy_of(f, covered).error == f.error);
}

TEST_CASE("mta-sts stage: refuses an unusable port or timeout", "[web]") {
  MtaStsStageOptions o;
  o.dns.resolvers = {"127.0.0.1:53"};
  o.fetch.port = 0;
  CHECK_THROWS_WITH(MtaStsStage(o), "mta_sts.port must be a TCP port, 1 to 65535");
  o.fetch.port = 443;
  o.fetch.connect = 0ms;
  CHECK_THROWS_WITH(MtaStsStage(o), "mta_sts.timeout_ms must be positive");
}

TEST_CASE("mta-sts stage: only domains with an MTA-STS record are held", "[web]") {
  DomainObs obs = domain_with_record("a.example", "mx.a.example");
  CHECK(mxscan::wants_mta_sts_policy(obs));
  obs.signals->mta_sts.record.clear();
  CHECK_FALSE(mxscan::wants_mta_sts_policy(obs));
  obs.signals.reset();
  CHECK_FALSE(mxscan::wants_mta_sts_policy(obs));
}
