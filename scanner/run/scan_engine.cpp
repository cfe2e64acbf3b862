#include "mxscan/scanner/run/scan_engine.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <stdexcept>
#include <vector>

#include "dry_run_report.hpp"
#include "host_admission.hpp"
#include "mxscan/common/ip_address.hpp"
#include "mxscan/common/names.hpp"
#include "mxscan/common/output_file.hpp"
#include "mxscan/scanner/dns/dns_health.hpp"
#include "mxscan/scanner/dns/dns_stage.hpp"
#include "mxscan/scanner/dns/resolver_probe.hpp"
#include "mxscan/scanner/run/address_file.hpp"
#include "mxscan/scanner/run/observation_logs.hpp"
#include "mxscan/scanner/run/prior_work.hpp"
#include "mxscan/scanner/run/probe_inputs.hpp"
#include "mxscan/scanner/run/record_log.hpp"
#include "mxscan/scanner/run/scan_preflight.hpp"
#include "mxscan/scanner/run/scan_sink.hpp"
#include "mxscan/scanner/run/stage_options.hpp"
#include "mxscan/scanner/smtp/smtp_stage.hpp"
#include "new_results_folder.hpp"
#include "progress_ticker.hpp"
#include "scan_input.hpp"
#include "scan_log.hpp"
#include "scan_signals.hpp"

namespace mxscan {
namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

// An IPv4-mapped AAAA answer (::ffff:a.b.c.d) is contacted, blocked and recorded as
// a.b.c.d (IpAddress::parse folds it); the domain names the same text, so the host
// record is found for it (a mapped address in a blocked range was reported no_smtp
// instead of blocked: tests/e2e/blocklist_lab.py). Duplicates after folding are dropped.
void fold_mapped_addresses(DomainObs& obs) {
  for (auto& mx : obs.mx) {
    bool folded = false;
    for (auto& a : mx.addresses) {
      if (a.size() <= 7 || a.compare(0, 7, "::ffff:") != 0) continue;
      if (const auto ip = IpAddress::parse(a); ip && !ip->v6) {
        a = ip->to_string();
        folded = true;
      }
    }
    if (!folded) continue;
    std::vector<std::string> unique;
    for (auto& a : mx.addresses) {
      if (std::find(unique.begin(), unique.end(), a) == unique.end())
        unique.push_back(std::move(a));
    }
    mx.addresses = std::move(unique);
  }
}

// What a stop (Ctrl-C) did, for scan.log.
std::string stop_summary(const SmtpStageStats& s, Clock::duration since_signal) {
  return fmt::format(
      "stop: {} queued addresses dropped (re-queued on resume); {} sessions in "
      "flight sent QUIT or ended before their connect (re-queued on resume), {} "
      "finished whole and recorded; stopped after {:.1f} s",
      s.dropped, s.stopped_sessions, s.finished_after_stop,
      std::chrono::duration<double>(since_signal).count());
}

void record_digest(Manifest& m, const std::string& path) {
  if (path.empty()) return;
  try {
    m.file_digests[path] = sha256_file_hex(path);
  } catch (const std::exception&) {
    m.file_digests[path] = "unreadable";
  }
}

// Refusals that need no part of the scan built: nothing is written or contacted.
void refuse_plan(const ScanPlan& plan) {
  if (plan.config.conduct.blocklists.empty()) {
    throw std::runtime_error(
        "no blocklist configured: refusing to scan without one (the shipped "
        "configs/mxscan.toml names configs/blocklist.conf; lift ranges with --allow CIDR)");
  }
  if (plan.resume && !fs::is_directory(plan.out_dir)) {
    throw std::runtime_error("--resume " + plan.out_dir + ": no such results folder");
  }
}

// Shards of the one-shot scan each run their own SMTP stage: an address named
// by domains of several shards is contacted by each of them.
std::string sharded_scan_warning(const ScanPlan& plan) {
  if (plan.phase != ScanPhase::scan || plan.shard.count <= 1) return "";
  return fmt::format(
      "--shard {} on the one-shot scan: an address shared by domains of several shards (a "
      "provider's MX) is contacted once per shard, and --rate and --per-24 hold per shard only; "
      "for one contact per address campaign-wide use mxscan resolve / mxscan probe "
      "(docs/distributed.md)",
      plan.shard.to_string());
}

// A probe's addresses, read before anything is written; a resumed probe
// refuses resolve folders whose addresses changed since it started.
ProbeWork load_probe(const ScanPlan& plan) {
  ProbeWork work = load_probe_work(plan.resolve_dirs, plan.shard, plan.allow_partial);
  if (!plan.resume) return work;
  std::map<std::string, std::string> before;
  for (const auto& in : read_manifest(plan.out_dir).resolve_inputs) {
    before[in.path] = in.addresses_sha256;
  }
  for (const auto& in : work.inputs) {
    if (before.count(in.path) != 0 && before[in.path] != in.addresses_sha256) {
      throw CampaignInputError(in.path + "/" + kAddressesFile + " changed since " + plan.out_dir +
                               " started: its SHA-256 differs from the one in its manifest; "
                               "probe the new addresses into a new folder");
    }
  }
  return work;
}

// A probe's manifest names the resolve folders it read; what --allow-partial
// let through is said on stderr and kept in the manifest.
void note_probe_inputs(const ProbeWork& probe, Manifest& manifest) {
  manifest.resolve_inputs = probe.inputs;
  for (const auto& warning : probe.warnings) {
    std::fprintf(stderr, "mxscan: warning (--allow-partial): %s\n", warning.c_str());
    manifest.notes.push_back("--allow-partial: " + warning);
  }
}

// The manifest as the scan starts: a resume keeps the first run's start,
// command line and overrides, and counts itself.
Manifest start_manifest(const ScanPlan& plan) {
  const ScanConfig& config = plan.config;
  Manifest manifest;
  if (plan.resume) {
    Manifest before = read_manifest(plan.out_dir);
    manifest.started = before.started;
    manifest.resumes = before.resumes + 1;
    manifest.command_line = before.command_line;
    manifest.resume_overrides = before.resume_overrides;
    manifest.resume_overrides.insert(manifest.resume_overrides.end(), plan.resume_overrides.begin(),
                                     plan.resume_overrides.end());
  } else {
    manifest.started = utc_now_iso8601();
    manifest.command_line = plan.command_line;
  }
  manifest.config = config;
  manifest.domains_file = plan.domains_file;
  manifest.shard = plan.shard.to_string();
  manifest.phase = plan.phase;
  manifest.campaign_rate = plan.campaign_rate;
  manifest.dry_run = plan.dry_run;
  if (const std::string warning = sharded_scan_warning(plan); !warning.empty()) {
    manifest.notes.push_back(warning);
  }
  for (const auto& f : config.conduct.blocklists) record_digest(manifest, f);
  record_digest(manifest, config.conduct.exclude_domains);
  record_digest(manifest, config.asn.mmdb);
  record_digest(manifest, config.asn.pfx2as);
  record_digest(manifest, config.inference.providers);
  record_digest(manifest, config.inference.psl_file);
  record_digest(manifest, config.smtp.ca_file);
  if (config.asn.mmdb.empty() && config.asn.pfx2as.empty()) {
    manifest.notes.push_back(
        "no ASN source (--asn-db / --pfx2as): ASN fields are null and the "
        "inference's AS checks were skipped");
  }
  return manifest;
}

// Resolvers that do not answer make a scan of dns_error rows: refused before
// the folder exists and before anything else is contacted. A warning is said
// on stderr and kept in the manifest.
std::string probe_resolvers(const ScanPlan& plan, const DnsOptions& dns, Manifest& manifest) {
  if (plan.phase == ScanPhase::probe) return "";  // a probe asks no DNS question
  std::string warning =
      require_answering_resolver(dns, plan.config.dns.probe_name, plan.resume ? plan.out_dir : "");
  if (!warning.empty()) {
    std::fprintf(stderr, "mxscan: warning: %s\n", warning.c_str());
    manifest.notes.push_back(warning);
  }
  return warning;
}

void log_resume(ScanLog& log, std::uint32_t resume, const PriorWork& prior,
                std::uint64_t cut_bytes) {
  log.line(fmt::format(
      "resume #{}: {} domains and {} hosts done, {} addresses re-queued, "
      "{} bytes of partial records cut",
      resume, prior.domains.size(), prior.hosts.size(), prior.pending.size(), cut_bytes));
}

// An outage begins or ends (DnsHealth): in scan.log, and on stderr unless quiet.
void say_dns_event(ScanLog& log, const ScanPlan& plan, const std::string& event) {
  log.line(event);
  if (!plan.quiet) std::fprintf(stderr, "\nmxscan: %s\n", event.c_str());
}

void log_start(ScanLog& log, const ScanPlan& plan, const Manifest& manifest,
               const std::string& probe_warning, bool unlimited_rate) {
  log.line(fmt::format("{} {}: domains {} shard {} output {}{}", to_string(plan.phase),
                       plan.resume ? "resumed" : "started", plan.domains_file, manifest.shard,
                       plan.out_dir, plan.dry_run ? " (dry run)" : ""));
  if (!probe_warning.empty()) log.line("warning: " + probe_warning);
  if (const std::string warning = sharded_scan_warning(plan); !warning.empty()) {
    log.line("warning: " + warning);
    std::fputs(("mxscan: warning: " + warning + "\n").c_str(), stderr);
  }
  if (unlimited_rate) {
    const std::string warning =
        "warning: --rate 0: new SMTP sessions per second are not limited (only --concurrency "
        "and the per-/24 caps hold them back); use it on your own servers only";
    log.line(warning);
    std::fputs(("mxscan: " + warning + "\n").c_str(), stderr);
  }
}

// The first signal: admission is already stopped; sessions in flight are told.
void announce_stop(ScanLog& log, int sig, std::size_t in_flight, std::uint32_t timeout_ms) {
  log.line(
      fmt::format("signal {}: admission stopped; no new connection; {} sessions "
                  "in flight say QUIT at their next step or end at their deadline",
                  sig == SIGINT ? "SIGINT" : "SIGTERM", in_flight));
  std::fputs(fmt::format("\nmxscan: stopping: no new connections; {} sessions in flight "
                         "end within {} s (Ctrl-C again to stop now)\n",
                         in_flight, timeout_ms / 1000)
                 .c_str(),
             stderr);
}

// The second signal: what is recorded stays, the manifest says interrupted,
// and the process ends without waiting for anything (exit code 3).
template <typename Finish>
[[noreturn]] void stop_at_once(ObservationLogs& journal, const Finish& finish, ScanLog& log,
                               const std::string& out_dir) {
  journal.flush();
  try {
    finish(ScanState::interrupted);
  } catch (const std::exception& e) {
    // On this thread an exception would terminate; the folder is resumable.
    log.line(std::string("second signal: ") + e.what());
  }
  log.line("second signal: stopped at once");
  std::fputs(fmt::format("\nmxscan: stopped. Continue with: mxscan --resume {}\n", out_dir).c_str(),
             stderr);
  std::_Exit(3);
}

// A write error: the folder stays resumable (the manifest keeps its last good
// state if this write fails too), and the error says how to continue.
template <typename Finish>
[[noreturn]] void stop_on_write_error(const std::string& error, const Finish& finish, ScanLog& log,
                                      const std::string& out_dir) {
  try {
    finish(ScanState::interrupted);
  } catch (const std::exception&) {
  }
  log.line("stopped: " + error);
  throw RecordLogError(error + "\nmxscan: results so far are in " + out_dir +
                       "; once there is space, continue with: mxscan --resume " + out_dir);
}

// The stage's end with its figures, for scripts/bench scale and for anyone
// asking where a run's time went.
void log_dns_stage(ScanLog& log, const DnsStageStats& s) {
  log.line(fmt::format("dns stage: domains {} queries {} exchanges {} in {:.2f} s", s.domains,
                       s.resolver.queries, s.exchanges, s.seconds));
}

// Waits for the SMTP stage to finish its queue (or its stop) and logs its
// figures. `signalled` is read after the wait: a stop usually comes during it.
void drain_smtp(SmtpStage& smtp, ScanLog& log, const std::atomic<Clock::rep>& signalled,
                Clock::time_point scan_start) {
  smtp.close();
  smtp.wait();
  const SmtpStageStats s = smtp.stats();
  if (const auto at = signalled.load(); at != 0) {
    log.line(stop_summary(s, Clock::now() - Clock::time_point(Clock::duration(at))));
  }
  log.line(
      fmt::format("smtp stage: sessions {} retries {} peak in flight {} done {:.2f} s "
                  "after the start",
                  s.sessions, s.retries, s.peak_in_flight,
                  std::chrono::duration<double>(Clock::now() - scan_start).count()));
}

// The stages as a scan uses them, built before anything is contacted: the SMTP
// stage checks its options, the EHLO name and the descriptor limit as it is
// built; a dry run builds the report of what it would contact instead. The
// members end in reverse order of their build: the SMTP stage first.
struct Stages {
  DnsProgressToCounters dns_progress;
  DnsHealth health;
  std::unique_ptr<SmtpStage> smtp;
  std::unique_ptr<DryRunReport> dry;

  // Points `dns` at the progress counters and the health; sets the manifest's EHLO name.
  Stages(const ScanPlan& plan, const DnsHealth::Settings& outage,
         const std::shared_ptr<const AsnSource>& asn, DnsOptions& dns, ScanCounters& counters,
         ScanLog& log, ScanSink& sink, Manifest& manifest)
      : dns_progress(counters), health(outage, [&log, &plan](const std::string& event) {
          say_dns_event(log, plan, event);
        }) {
    dns.progress = &dns_progress;
    dns.health = &health;
    SmtpOptions options = smtp_options(plan.config);
    options.on_connect = [&counters] { counters.smtp_connect(); };
    counters.set_smtp_rate_limit(options.sessions_per_s);
    if (plan.dry_run) {
      dry = std::make_unique<DryRunReport>(build_blocklist(options), asn);
    } else if (plan.phase != ScanPhase::resolve) {
      smtp = std::make_unique<SmtpStage>(
          options, asn, [&sink](HostObs host) { sink.host(host, ScanSink::Source::scan); });
      manifest.ehlo_name = smtp->ehlo_name();
    }
  }
};

// `feed` (the DNS stage, or a probe's addresses) feeds the SMTP stage (or the
// dry run, or a resolve's address book) under the signal watcher and the
// progress ticker; then the SMTP stage drains its queue, or is aborted after a
// write error; the journal is flushed before the signal watcher ends.
template <typename Finish>
void run_stages(const ScanPlan& plan, Stages& stages, const std::function<void()>& feed,
                ObservationLogs& journal, ScanCounters& counters, ScanLog& log,
                std::atomic<bool>& stop, const Finish& finish) {
  std::atomic<Clock::rep> signalled{0};  // when the first signal came (steady clock)
  SignalWatcher signals(
      stop,
      [&](int sig) {
        stages.health.cancel();  // also ends a wait for an outage's verdict
        signalled.store(Clock::now().time_since_epoch().count());
        announce_stop(log, sig, stages.smtp ? stages.smtp->stop() : 0,
                      plan.config.smtp.session_timeout_ms);
      },
      [&] { stop_at_once(journal, finish, log, plan.out_dir); });
  ProgressTicker ticker(counters, plan.quiet, log, [&] { journal.flush(); });

  const auto scan_start = Clock::now();
  feed();
  stages.health.stop();
  if (stages.smtp && !journal.error().empty()) {
    stages.smtp->abort();  // a write error: results could not be recorded; --resume redoes them
  } else if (stages.smtp) {
    drain_smtp(*stages.smtp, log, signalled, scan_start);
  }
  ticker.stop();
  journal.flush();
}

// The DNS stage over the input, each domain to the sink, which hands its
// addresses to `submit`.
void resolve_domains(ScanInput& input, const DnsOptions& dns, ScanSink& sink,
                     const ScanSink::AddressFn& submit, ScanLog& log) {
  const DnsStageStats dns_stats = run_dns_stage(input, dns, [&](DomainObs&& obs) {
    fold_mapped_addresses(obs);
    sink.domain(obs, ScanSink::Source::scan, submit);
  });
  log_dns_stage(log, dns_stats);
}

// A probe's addresses, in order, until done or stopped; those with a host
// record (a resume) are skipped by `submit`.
void submit_probe_addresses(const ProbeWork& work, const ScanSink::AddressFn& submit,
                            const std::atomic<bool>& stop) {
  for (const auto& e : work.addresses) {
    if (stop.load()) return;
    submit(e.address, e.exchange);
  }
}

std::map<std::string, std::uint64_t> probe_counts(const ProbeWork& work, std::size_t done_before,
                                                  std::uint64_t unique_addresses) {
  return {{"campaign_addresses", work.campaign_addresses},
          {"addresses", work.addresses.size()},
          {"other_shards", work.campaign_addresses - work.addresses.size()},
          {"done_before_resume", done_before},
          {"unique_addresses", unique_addresses}};
}

std::map<std::string, std::uint64_t> input_counts(const ScanInput& input,
                                                  std::uint64_t unique_addresses) {
  const auto& in = input.stats();
  return {{"lines", in.lines},
          {"skipped_lines", in.skipped},
          {"valid", in.valid},
          {"invalid", in.invalid},
          {"duplicates", in.duplicates},
          {"other_shards", input.other_shards},
          {"excluded", input.excluded},
          {"done_before_resume", input.already_done},
          {"unique_addresses", unique_addresses}};
}

void write_dry_run(const DryRunReport& dry, const fs::path& dir, bool have_asn) {
  write_file((dir / "dry_run.json").string(), dry.json());
  std::fputs(dry.text(have_asn).c_str(), stdout);
}

// How to continue a scan that did not complete.
void advise_resume(const ScanPlan& plan, ScanState state) {
  const ScanConfig& config = plan.config;
  if (state == ScanState::failed) {
    std::fputs(fmt::format("mxscan: failed: the DNS resolvers stopped answering ({}); results so "
                           "far are in {}: continue with mxscan --resume {} once the resolver "
                           "answers\n",
                           fmt::join(config.dns.resolvers.empty()
                                         ? std::vector<std::string>{"/etc/resolv.conf"}
                                         : config.dns.resolvers,
                                     ", "),
                           plan.out_dir, plan.out_dir)
                   .c_str(),
               stderr);
  }
  if (state == ScanState::interrupted) {
    std::fputs(fmt::format("mxscan: interrupted; results so far are in {}. Continue with: "
                           "mxscan --resume {}\n",
                           plan.out_dir, plan.out_dir)
                   .c_str(),
               stderr);
  }
}

}  // namespace

std::string output_folder_exists_message(const std::string& out_dir) {
  return "output folder " + out_dir +
         " already exists: choose another -o, remove it, or continue that scan with --resume " +
         out_dir;
}

ScanOutcome run_scan(const ScanPlan& plan, ObservationHandler& consumer) {
  const SignalBlock signal_block;
  const ScanConfig& config = plan.config;
  // Refusals and checks first: nothing is written or contacted before them.
  refuse_plan(plan);
  const ScanPreflight ready = preflight_scan(plan);  // before anything is written
  const ProbeWork probe = plan.phase == ScanPhase::probe ? load_probe(plan) : ProbeWork{};
  const fs::path dir(plan.out_dir);
  ScanOutcome outcome;
  Manifest& manifest = outcome.manifest = start_manifest(plan);
  note_probe_inputs(probe, manifest);
  // Resolvers that do not answer are refused before the folder exists.
  DnsOptions dns = dns_options(config);
  const DnsHealth::Settings outage = dns_health_settings(config, dns);
  const std::string probe_warning = probe_resolvers(plan, dns, manifest);
  // Declared before everything that writes into the folder, so those are closed
  // before a failed start-up removes it.
  std::optional<NewResultsFolder> created;
  if (!plan.resume) created.emplace(plan.out_dir, manifest);

  // scan.log and the stop flag outlive the journal, whose write error uses both.
  ScanLog log(dir / "scan.log");
  ScanCounters counters;
  std::atomic<bool> stop{false};
  const auto finish = [&](ScanState state) {
    finish_manifest(plan.out_dir, manifest, state, counters.snapshot());
  };
  // The journal: open (cutting partial lines), then read back what is done.
  ObservationLogs journal(dir, plan.resume ? RecordLog::Mode::resume : RecordLog::Mode::create_new,
                          [&] {
                            stop.store(true);
                            log.line("write error: no new work admitted; stopping");
                          });
  ScanSink sink(journal, counters, consumer);
  PriorWork prior;
  if (plan.resume) {
    prior = load_prior_work(dir, sink);
    log_resume(log, manifest.resumes, prior, journal.truncated_bytes());
  }
  // The input's exclusions, and its size for the progress line.
  const auto excluded = read_exclusions(config.conduct.exclude_domains);
  if (auto lines = plan.phase == ScanPhase::probe ? std::nullopt : count_lines(plan.domains_file)) {
    counters.set_total(*lines / std::max<std::uint32_t>(plan.shard.count, 1));
  }

  // The stages, checked as they are built, before anything is contacted.
  Stages stages(plan, outage, ready.asn, dns, counters, log, sink, manifest);
  const std::size_t done_before = prior.hosts.size();
  if (plan.phase == ScanPhase::probe) manifest.input_counts = probe_counts(probe, done_before, 0);
  write_manifest(plan.out_dir, manifest);
  if (created) created->keep();  // from here on a stopped scan is resumed, not redone
  log_start(log, plan, manifest, probe_warning, stages.smtp && config.smtp.rate == 0);

  // Each address goes on once; a resume re-queues the ones it had not finished.
  // A resolve only notes them, for addresses.tsv.
  AddressBook book;
  HostAdmission hosts(std::move(prior.hosts), stages.smtp.get(), stages.dry.get(), counters);
  const ScanSink::AddressFn submit =
      plan.phase == ScanPhase::resolve
          ? ScanSink::AddressFn(std::bind_front(&AddressBook::add, &book))
          : std::bind_front(&HostAdmission::submit, &hosts);
  for (const auto& [address, exchange] : prior.pending) submit(address, exchange);

  // The scan itself: domains (or a probe's addresses) in, records out, until done or stopped.
  std::optional<ScanInput> input;
  if (plan.phase != ScanPhase::probe) {
    input.emplace(plan.domains_file, plan.shard, excluded, prior.domains, stop);
  }
  const std::function<void()> feed = [&] {
    if (input) {
      resolve_domains(*input, dns, sink, submit, log);
    } else {
      submit_probe_addresses(probe, submit, stop);
    }
  };
  run_stages(plan, stages, feed, journal, counters, log, stop, finish);

  // A write error ends the scan here, the folder resumable.
  if (const std::string error = journal.error(); !error.empty()) {
    stop_on_write_error(error, finish, log, plan.out_dir);
  }

  // The end: the outcome, the input's figures, the manifest's last state, how to continue.
  outcome.addresses = plan.phase == ScanPhase::resolve ? book.size() : hosts.unique();
  outcome.state = stop.load()                                         ? ScanState::interrupted
                  : stages.health.state() == DnsHealth::State::failed ? ScanState::failed
                                                                      : ScanState::complete;
  manifest.input_counts = input ? input_counts(*input, outcome.addresses)
                                : probe_counts(probe, done_before, outcome.addresses);
  if (stages.dry) write_dry_run(*stages.dry, dir, ready.asn != nullptr);
  if (plan.phase == ScanPhase::resolve && outcome.state == ScanState::complete) {
    try {
      write_address_file((dir / kAddressesFile).string(), book.entries());
    } catch (const std::exception& e) {
      stop_on_write_error(e.what(), finish, log, plan.out_dir);
    }
  }
  finish(outcome.state);
  log.line(fmt::format("{} {}: {} domains, {} unique addresses", to_string(plan.phase),
                       to_string(manifest.state), manifest.counts.domains_done, outcome.addresses));
  advise_resume(plan, outcome.state);
  return outcome;
}

}  // namespace mxscan
