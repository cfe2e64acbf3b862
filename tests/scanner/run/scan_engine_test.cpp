// The scan engine's own pieces on a real temporary folder: the sink that both
// the live scan and --resume hand records to, finish_manifest, and whole scans
// (run_scan) against an in-process DNS server that answers NXDOMAIN, stopped
// by a real SIGINT and resumed.
#include "mxscan/scanner/run/scan_engine.hpp"

#include <catch2/catch.hpp>

#include <pthread.h>
#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <future>
#include <map>
#include <set>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "mxscan/scanner/run/manifest.hpp"
#include "mxscan/scanner/run/observation_logs.hpp"
#include "mxscan/scanner/run/prior_work.hpp"
#include "mxscan/scanner/run/scan_sink.hpp"
#include "nxdomain_responder.hpp"
#include "temp_dir.hpp"

namespace {

using mxscan::ScanSink;
using mxscan::ScanState;
using mxscan::test::TempDir;
namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

// Counts what the consumer (the inference batch in mxscan) receives, by name.
struct RecordingConsumer final : mxscan::ObservationHandler {
  std::map<std::string, int> domains;
  std::map<std::string, int> hosts;
  int malformed = 0;
  void on_domain(mxscan::DomainObs& obs) override { ++domains[obs.domain]; }
  void on_host(mxscan::HostObs& obs) override { ++hosts[obs.address]; }
  void on_malformed(const mxscan::ReadProblem&) override { ++malformed; }
};

std::vector<std::string> lines_of(const fs::path& file) {
  std::vector<std::string> lines;
  std::ifstream in(file);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

mxscan::DomainObs domain(const std::string& name, mxscan::DnsStatus status,
                         std::vector<std::string> addresses = {}) {
  mxscan::DomainObs obs;
  obs.domain = name;
  obs.mx_status = status;
  if (!addresses.empty()) {
    mxscan::MxRecord mx;
    mx.exchange = "mx." + name;
    mx.addr_status = mxscan::DnsStatus::ok;
    mx.addresses = std::move(addresses);
    obs.mx.push_back(std::move(mx));
  }
  return obs;
}

mxscan::ObservationLogs journal_in(const TempDir& dir, mxscan::RecordLog::Mode mode) {
  return mxscan::ObservationLogs(dir.path, mode, [] { FAIL("journal write error"); });
}

}  // namespace

TEST_CASE(
    "scan sink: a live record is journaled, counted and consumed once; a resumed one is "
    "counted and consumed once, not journaled again") {
  TempDir dir;
  std::vector<std::pair<std::string, std::string>> handed_on;
  const ScanSink::AddressFn collect = [&](const std::string& a, const std::string& x) {
    handed_on.emplace_back(a, x);
  };
  {
    auto journal = journal_in(dir, mxscan::RecordLog::Mode::create_new);
    mxscan::ScanCounters counters;
    RecordingConsumer consumer;
    ScanSink sink(journal, counters, consumer);
    auto a = domain("a.test", mxscan::DnsStatus::ok, {"192.0.2.1", "192.0.2.2"});
    auto b = domain("b.test", mxscan::DnsStatus::nxdomain);
    auto c = domain("-bad-", mxscan::DnsStatus::invalid_name);
    for (auto* obs : {&a, &b, &c}) sink.domain(*obs, ScanSink::Source::scan, collect);
    counters.smtp_started();
    mxscan::HostObs host;
    host.address = "192.0.2.1";
    host.status = mxscan::SmtpStatus::greeting_4xx;
    sink.host(host, ScanSink::Source::scan);
    journal.flush();

    CHECK(lines_of(dir.path / "domains.jsonl").size() == 3);
    CHECK(lines_of(dir.path / "hosts.jsonl").size() == 1);
    const auto n = counters.snapshot();
    CHECK(n.domains_done == 3);
    CHECK(n.domains_invalid == 1);
    CHECK(n.smtp_done == 1);
    CHECK(n.smtp_in_flight == 0);
    CHECK(consumer.domains ==
          std::map<std::string, int>{{"a.test", 1}, {"b.test", 1}, {"-bad-", 1}});
    CHECK(consumer.hosts == std::map<std::string, int>{{"192.0.2.1", 1}});
    CHECK(handed_on == std::vector<std::pair<std::string, std::string>>{
                           {"192.0.2.1", "mx.a.test"}, {"192.0.2.2", "mx.a.test"}});
  }

  const auto domains_size = fs::file_size(dir.path / "domains.jsonl");
  const auto hosts_size = fs::file_size(dir.path / "hosts.jsonl");
  auto journal = journal_in(dir, mxscan::RecordLog::Mode::resume);
  mxscan::ScanCounters counters;
  RecordingConsumer consumer;
  ScanSink sink(journal, counters, consumer);
  const mxscan::PriorWork prior = mxscan::load_prior_work(dir.path, sink);
  journal.flush();

  CHECK(fs::file_size(dir.path / "domains.jsonl") == domains_size);
  CHECK(fs::file_size(dir.path / "hosts.jsonl") == hosts_size);
  const auto n = counters.snapshot();
  CHECK(n.domains_done == 3);
  CHECK(n.domains_invalid == 1);
  CHECK(n.smtp_done == 1);
  CHECK(n.hosts_by_status[static_cast<std::size_t>(mxscan::SmtpStatus::greeting_4xx)] == 1);
  CHECK(consumer.domains == std::map<std::string, int>{{"a.test", 1}, {"b.test", 1}, {"-bad-", 1}});
  CHECK(consumer.hosts == std::map<std::string, int>{{"192.0.2.1", 1}});
  CHECK(consumer.malformed == 0);
  CHECK(prior.domains.size() == 3);
  CHECK(prior.hosts == std::unordered_set<std::string>{"192.0.2.1"});
  // The address of a done domain without a host record is queued again.
  CHECK(prior.pending ==
        std::vector<std::pair<std::string, std::string>>{{"192.0.2.2", "mx.a.test"}});
}

TEST_CASE("finish_manifest writes each state with its end and counts; read back as written") {
  for (const ScanState state :
       {ScanState::running, ScanState::complete, ScanState::interrupted, ScanState::failed}) {
    TempDir dir;
    mxscan::Manifest m;
    m.started = "2026-12-07T10:00:00Z";
    m.domains_file = "list.txt";
    mxscan::ScanCounters counters;
    counters.domain_done(mxscan::DnsStatus::nxdomain);
    counters.domain_done(mxscan::DnsStatus::ok);
    mxscan::finish_manifest(dir.path.string(), m, state, counters.snapshot());

    const std::string name(mxscan::to_string(state));
    CHECK(mxscan::parse_scan_state(name) == state);
    std::ifstream in(dir.path / "manifest.json");
    const std::string json((std::istreambuf_iterator<char>(in)), {});
    CHECK_THAT(json, Catch::Contains("\"state\" : \"" + name + "\"") &&
                         Catch::Contains("\"domains_done\" : 2"));
    CHECK_FALSE(m.ended.empty());
    CHECK(mxscan::read_manifest(dir.path.string()).state == state);
  }
}

TEST_CASE("a manifest with a state this mxscan does not know is refused on read") {
  TempDir dir;
  mxscan::Manifest m;
  mxscan::finish_manifest(dir.path.string(), m, ScanState::interrupted, {});
  std::ifstream in(dir.path / "manifest.json");
  std::string json((std::istreambuf_iterator<char>(in)), {});
  const std::string was = "\"state\" : \"interrupted\"";
  REQUIRE(json.find(was) != std::string::npos);
  json.replace(json.find(was), was.size(), "\"state\" : \"bogus\"");
  dir.file("manifest.json", json);
  CHECK_THROWS_WITH(mxscan::read_manifest(dir.path.string()),
                    Catch::Contains("manifest.json: unknown state 'bogus'"));
  CHECK_FALSE(mxscan::parse_scan_state("bogus").has_value());
  CHECK_FALSE(mxscan::parse_scan_state("").has_value());
}

namespace {

// A whole scan's plan: `count` names under .test, the in-process resolver, no
// SMTP server to contact (every name is NXDOMAIN).
mxscan::ScanPlan plan_for(const TempDir& dir, const std::string& resolver, int count) {
  std::string list;
  for (int i = 0; i < count; ++i) list += "d" + std::to_string(i) + ".test\n";
  mxscan::ScanPlan plan;
  plan.domains_file = dir.file("list.txt", list);
  plan.out_dir = (dir.path / "out").string();
  plan.quiet = true;
  plan.command_line = "scan_engine_test";
  plan.config.dns.resolvers = {resolver};
  plan.config.dns.retries = 0;
  plan.config.conduct.blocklists = {std::string(MXSCAN_SOURCE_DIR) + "/configs/blocklist.conf"};
  plan.config.smtp.ehlo_name = "scanner.test";
  return plan;
}

// SIGINT and SIGTERM blocked in this thread (and so in every thread it
// starts) while it lives, so a signal sent to the process waits for the
// scan's own watcher.
struct BlockStopSignals {
  sigset_t old{};
  BlockStopSignals() {
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &set, &old);
  }
  ~BlockStopSignals() { pthread_sigmask(SIG_SETMASK, &old, nullptr); }
};

}  // namespace

TEST_CASE("run_scan: SIGINT leaves an interrupted manifest; --resume completes every domain once",
          "[scan]") {
  const BlockStopSignals blocked;  // before any thread of the test starts
  TempDir dir;
  mxscan::test::NxdomainResponder dns;
  constexpr int kDomains = 4000;
  mxscan::ScanPlan plan = plan_for(dir, dns.address(), kDomains);
  plan.config.dns.rate = 200;  // about 20 s for the list: long enough to be stopped
  const fs::path out(plan.out_dir);

  RecordingConsumer first;
  auto running = std::async(std::launch::async, [&] { return mxscan::run_scan(plan, first); });
  // Stopped once records are on disk (the journal is flushed once a second).
  const auto until = Clock::now() + std::chrono::seconds(60);
  while (Clock::now() < until &&
         !(fs::exists(out / "domains.jsonl") && fs::file_size(out / "domains.jsonl") > 0)) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  REQUIRE(fs::file_size(out / "domains.jsonl") > 0);
  REQUIRE(::kill(::getpid(), SIGINT) == 0);
  const mxscan::ScanOutcome stopped = running.get();

  CHECK(stopped.state == ScanState::interrupted);
  CHECK(stopped.manifest.state == ScanState::interrupted);
  const mxscan::Manifest on_disk = mxscan::read_manifest(plan.out_dir);
  CHECK(on_disk.state == ScanState::interrupted);
  CHECK_FALSE(stopped.manifest.ended.empty());
  const auto done_before = lines_of(out / "domains.jsonl").size();
  CHECK(done_before > 0);
  CHECK(done_before < static_cast<std::size_t>(kDomains));
  CHECK(first.domains.size() == done_before);
  CHECK(stopped.manifest.counts.domains_done == done_before);
  std::string log_text;
  for (const auto& line : lines_of(out / "scan.log")) log_text += line + "\n";
  CHECK_THAT(log_text, Catch::Contains("signal SIGINT: admission stopped") &&
                           Catch::Contains("stop: 0 queued addresses dropped") &&
                           Catch::Contains("scan interrupted: " + std::to_string(done_before) +
                                           " domains, 0 unique addresses"));

  plan.resume = true;
  plan.config.dns.rate = 0;
  RecordingConsumer second;
  const mxscan::ScanOutcome resumed = mxscan::run_scan(plan, second);
  CHECK(resumed.state == ScanState::complete);
  CHECK(mxscan::read_manifest(plan.out_dir).state == ScanState::complete);
  CHECK(resumed.manifest.resumes == 1);
  CHECK(resumed.manifest.counts.domains_done == kDomains);
  CHECK(resumed.manifest.input_counts.at("done_before_resume") == done_before);
  // Read back and scanned, each domain reached the consumer exactly once.
  CHECK(second.domains.size() == static_cast<std::size_t>(kDomains));
  int more_than_once = 0;
  for (const auto& [name, times] : second.domains) more_than_once += times != 1 ? 1 : 0;
  CHECK(more_than_once == 0);
  std::set<std::string> journaled;
  const auto lines = lines_of(out / "domains.jsonl");
  for (const auto& line : lines) {
    const auto at = line.find("\"domain\":\"") + 10;
    journaled.insert(line.substr(at, line.find('"', at) - at));
  }
  CHECK(lines.size() == static_cast<std::size_t>(kDomains));
  CHECK(journaled.size() == static_cast<std::size_t>(kDomains));
  CHECK(second.hosts.empty());
  log_text.clear();
  for (const auto& line : lines_of(out / "scan.log")) log_text += line + "\n";
  CHECK_THAT(log_text, Catch::Contains("resume #1: " + std::to_string(done_before) +
                                       " domains and 0 hosts done") &&
                           Catch::Contains("scan complete: " + std::to_string(kDomains) +
                                           " domains, 0 unique addresses"));
  CHECK(dns.answered() > 0);
}
