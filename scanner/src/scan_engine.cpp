#include "mxscan/scanner/scan_engine.hpp"

#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <unistd.h>

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <algorithm>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <filesystem>
#include <functional>
#include <iterator>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <stdexcept>
#include <thread>
#include <unordered_set>
#include <vector>

#include "mxscan/common/domain_list.hpp"
#include "mxscan/common/json_text.hpp"
#include "mxscan/common/names.hpp"
#include "mxscan/common/observation_jsonl_writer.hpp"
#include "mxscan/common/output_file.hpp"
#include "mxscan/scanner/dns_health.hpp"
#include "mxscan/scanner/dns_stage.hpp"
#include "mxscan/scanner/ip_prefix.hpp"
#include "mxscan/scanner/progress_line.hpp"
#include "mxscan/scanner/record_log.hpp"
#include "mxscan/scanner/resolver_probe.hpp"
#include "mxscan/scanner/scan_preflight.hpp"
#include "mxscan/scanner/smtp_stage.hpp"
#include "mxscan/scanner/stage_options.hpp"

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
    for (auto& a : mx.addresses)
      if (std::find(unique.begin(), unique.end(), a) == unique.end())
        unique.push_back(std::move(a));
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

// ---------------------------------------------------------------------------
// Text written to scan.log and, unless quiet, to stderr.
class ScanLog {
 public:
  explicit ScanLog(const fs::path& path) : file_(std::fopen(path.c_str(), "a")) {
    if (file_ == nullptr) throw std::runtime_error("cannot write " + path.string());
  }
  ~ScanLog() { std::fclose(file_); }
  ScanLog(const ScanLog&) = delete;
  ScanLog& operator=(const ScanLog&) = delete;

  void line(const std::string& text) {
    std::lock_guard lock(mutex_);
    std::fprintf(file_, "%s %s\n", utc_now_iso8601().c_str(), text.c_str());
    std::fflush(file_);
  }

 private:
  std::mutex mutex_;
  std::FILE* file_;
};

// ---------------------------------------------------------------------------
// The input as the scan sees it: the list, minus other shards, opted-out
// domains and domains already done (resume). Reading stops when asked to.
class ScanInput final : public DomainSource {
 public:
  ScanInput(const std::string& path, const ShardSpec& shard,
            const std::unordered_set<std::string>& opted_out,
            const std::unordered_set<std::string>& done, const std::atomic<bool>& stop)
      : reader_(path), shard_(shard), excluded_(opted_out), done_(done), stop_(stop) {}

  std::optional<DomainRecord> next() override {
    while (!stop_.load(std::memory_order_relaxed)) {
      auto record = reader_.next();
      if (!record) return std::nullopt;
      if (!shard_.contains(record->domain)) {
        ++other_shards;
      } else if (is_excluded(record->domain)) {
        ++excluded;
      } else if (done_.count(record->domain) != 0) {
        ++already_done;
      } else {
        return record;
      }
    }
    return std::nullopt;
  }

  const DomainListStats& stats() const noexcept { return reader_.stats(); }

  std::uint64_t other_shards = 0;
  std::uint64_t excluded = 0;
  std::uint64_t already_done = 0;

 private:
  // An opt-out covers the name and every name under it.
  bool is_excluded(std::string_view name) const {
    if (excluded_.empty()) return false;
    while (true) {
      if (excluded_.count(std::string(name)) != 0) return true;
      auto dot = name.find('.');
      if (dot == std::string_view::npos) return false;
      name.remove_prefix(dot + 1);
    }
  }

  DomainListReader reader_;
  ShardSpec shard_;
  const std::unordered_set<std::string>& excluded_;
  const std::unordered_set<std::string>& done_;
  const std::atomic<bool>& stop_;
};

std::unordered_set<std::string> read_exclusions(const std::string& path) {
  std::unordered_set<std::string> names;
  if (path.empty()) return names;
  DomainListReader reader(path, DomainListFormat::plain);
  while (auto r = reader.next()) {
    if (r->valid()) names.insert(r->domain);
  }
  return names;
}

// Lines in a plain list, for the progress line's total (an estimate: comments,
// blanks and duplicates count). Unknown for stdin and compressed lists.
std::optional<std::uint64_t> count_lines(const std::string& path) {
  if (path == "-" || path.ends_with(".gz")) return std::nullopt;
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return std::nullopt;
  std::vector<char> buf(1 << 20);
  std::uint64_t lines = 0;
  ssize_t n = 0;
  while ((n = ::read(fd, buf.data(), buf.size())) > 0) {
    for (ssize_t i = 0; i < n; ++i) lines += buf[static_cast<std::size_t>(i)] == '\n' ? 1 : 0;
  }
  ::close(fd);
  return lines;
}

// ---------------------------------------------------------------------------
// SIGINT/SIGTERM: the first asks for a clean stop, the second stops at once
// (after flushing). Signals are blocked in every thread and taken here with
// sigtimedwait, so no handler runs in the middle of the engine.
class SignalWatcher {
 public:
  SignalWatcher(std::atomic<bool>& stop, std::function<void(int)> on_first,
                std::function<void()> on_second)
      : stop_(stop), on_first_(std::move(on_first)), on_second_(std::move(on_second)) {
    sigemptyset(&set_);
    sigaddset(&set_, SIGINT);
    sigaddset(&set_, SIGTERM);
    thread_ = std::thread([this] { watch(); });
  }
  ~SignalWatcher() {
    done_.store(true);
    thread_.join();
  }
  SignalWatcher(const SignalWatcher&) = delete;
  SignalWatcher& operator=(const SignalWatcher&) = delete;

  int received() const noexcept { return received_.load(); }

 private:
  void watch() {
    const timespec tick{0, 100'000'000};
    while (!done_.load()) {
      int sig = sigtimedwait(&set_, nullptr, &tick);
      if (sig < 0) continue;
      if (received_.fetch_add(1) == 0) {
        stop_.store(true);
        on_first_(sig);
      } else {
        on_second_();
      }
    }
  }

  std::atomic<bool>& stop_;
  std::function<void(int)> on_first_;
  std::function<void()> on_second_;
  sigset_t set_{};
  std::atomic<bool> done_{false};
  std::atomic<int> received_{0};
  std::thread thread_;
};

// Blocks SIGINT/SIGTERM for this thread and every thread it starts (the
// stages' workers), from before the first thread exists; a signal arriving
// early stays pending until the SignalWatcher takes it.
class SignalBlock {
 public:
  SignalBlock() {
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &set, &old_);
  }
  ~SignalBlock() { pthread_sigmask(SIG_SETMASK, &old_, nullptr); }
  SignalBlock(const SignalBlock&) = delete;
  SignalBlock& operator=(const SignalBlock&) = delete;

 private:
  sigset_t old_{};
};

// ---------------------------------------------------------------------------
// The resolver's live figures (queries sent, in flight) for the progress line.
class DnsProgressToCounters final : public DnsProgress {
 public:
  explicit DnsProgressToCounters(ScanCounters& counters) : counters_(counters) {}
  void query_sent() noexcept override {
    counters_.dns_query_sent();
    counters_.dns_in_flight(1);
  }
  void query_finished() noexcept override { counters_.dns_in_flight(-1); }

 private:
  ScanCounters& counters_;
};

// Once a second: the progress line (stderr, scan.log) and a flush of the logs
// so that a killed scan loses at most a second of work.
class ProgressTicker {
 public:
  ProgressTicker(const ScanCounters& counters, bool quiet, ScanLog& log,
                 std::function<void()> flush)
      : counters_(counters),
        quiet_(quiet),
        terminal_(isatty(STDERR_FILENO) == 1),
        log_(log),
        flush_(std::move(flush)),
        start_(Clock::now()),
        thread_([this] { run(); }) {}
  ~ProgressTicker() { stop(); }
  ProgressTicker(const ProgressTicker&) = delete;
  ProgressTicker& operator=(const ProgressTicker&) = delete;

  void stop() {
    {
      std::lock_guard lock(mutex_);
      if (stopped_) return;
      stopped_ = true;
    }
    cv_.notify_all();
    thread_.join();
    report(true);  // the final figures
    if (!quiet_ && terminal_) std::fputs("\n", stderr);
  }

 private:
  void run() {
    std::unique_lock lock(mutex_);
    while (!cv_.wait_for(lock, std::chrono::seconds(1), [this] { return stopped_; })) {
      lock.unlock();
      flush_();
      report();
      lock.lock();
    }
  }

  // The final report's rates are the whole run's averages: the last interval
  // is a fraction of a second, too short for a rate.
  void report(bool final = false) {
    auto now = counters_.snapshot();
    auto t = Clock::now();
    double elapsed = std::chrono::duration<double>(t - start_).count();
    double interval = std::chrono::duration<double>(t - last_time_).count();
    if (last_time_ == Clock::time_point{} || final) interval = elapsed;
    if (final) last_ = ScanSnapshot{};
    const auto fields = progress_fields(now, last_, elapsed, interval);
    const std::string line = fit_progress(fields, 0);
    last_ = now;
    last_time_ = t;
    log_.line(line);
    if (!quiet_) {
      const std::string shown =
          terminal_ ? fit_progress(fields, terminal_columns(STDERR_FILENO)) : line;
      std::fputs(progress_output(shown, terminal_).c_str(), stderr);
      std::fflush(stderr);
    }
  }

  const ScanCounters& counters_;
  bool quiet_;
  bool terminal_;
  ScanLog& log_;
  std::function<void()> flush_;
  Clock::time_point start_;
  ScanSnapshot last_;
  Clock::time_point last_time_{};
  std::mutex mutex_;
  std::condition_variable cv_;
  bool stopped_ = false;
  std::thread thread_;
};

// ---------------------------------------------------------------------------
// The two observation files, each written by several threads.
//
// A write error (disk full, I/O error) must not escape from here: add() runs
// on the DNS and SMTP threads and flush() on the ticker and signal threads,
// where an exception would call std::terminate. The first error is kept and
// writing stops for good (a later write could follow a partial line; resume
// cuts only the last one); on_error stops admission, and run_scan drops the
// SMTP stage's queue (SmtpStage::abort) and reports the error. Records not written are simply not
// done:
// --resume scans those domains and re-queues those addresses.
class ObservationLogs {
 public:
  ObservationLogs(const fs::path& dir, RecordLog::Mode mode, std::function<void()> on_error)
      : domains_((dir / "domains.jsonl").string(), mode),
        hosts_((dir / "hosts.jsonl").string(), mode),
        on_error_(std::move(on_error)) {}

  void add(const DomainObs& obs) {
    std::lock_guard lock(domains_mutex_);
    if (failed_.load()) return;
    domain_text_.clear();
    append_jsonl(domain_text_, obs);
    guarded([&] { domains_.append_lines(domain_text_); });
  }
  void add(const HostObs& obs) {
    std::lock_guard lock(hosts_mutex_);
    if (failed_.load()) return;
    host_text_.clear();
    append_jsonl(host_text_, obs);
    guarded([&] { hosts_.append_lines(host_text_); });
  }
  void flush() {
    {
      std::lock_guard lock(domains_mutex_);
      if (!failed_.load()) guarded([&] { domains_.flush(); });
    }
    std::lock_guard lock(hosts_mutex_);
    if (!failed_.load()) guarded([&] { hosts_.flush(); });
  }
  std::uint64_t truncated_bytes() const {
    return domains_.truncated_bytes() + hosts_.truncated_bytes();
  }
  // The first write error, or empty.
  std::string error() const {
    std::lock_guard lock(error_mutex_);
    return error_;
  }

 private:
  template <typename Write>
  void guarded(Write write) {
    try {
      write();
    } catch (const RecordLogError& e) {
      {
        std::lock_guard lock(error_mutex_);
        if (error_.empty()) error_ = e.what();
      }
      if (!failed_.exchange(true)) on_error_();
    }
  }

  std::mutex domains_mutex_;
  std::mutex hosts_mutex_;
  RecordLog domains_;
  RecordLog hosts_;
  std::string domain_text_;
  std::string host_text_;
  std::function<void()> on_error_;
  std::atomic<bool> failed_{false};
  mutable std::mutex error_mutex_;
  std::string error_;
};

// What an earlier run of this scan left: done domains and hosts, handed to the
// consumer as they are read.
struct PriorWork {
  std::unordered_set<std::string> domains;
  std::unordered_set<std::string> hosts;
  std::vector<std::pair<std::string, std::string>> pending;  // (address, exchange)
  ReadCounts counts;
};

class PriorWorkLoader final : public ObservationHandler {
 public:
  PriorWorkLoader(PriorWork& work, ObservationHandler& consumer, ScanCounters& counters)
      : work_(work), consumer_(consumer), counters_(counters) {}

  void on_domain(DomainObs& obs) override {
    counters_.domain_done(obs.mx_status);
    if (obs.mx_status == DnsStatus::invalid_name) counters_.domain_invalid();
    for (const auto& mx : obs.mx) {
      for (const auto& a : mx.addresses) addresses_.emplace(a, mx.exchange);
    }
    work_.domains.insert(obs.domain);
    consumer_.on_domain(obs);
  }
  void on_host(HostObs& obs) override {
    counters_.smtp_done(obs.status);
    work_.hosts.insert(obs.address);
    consumer_.on_host(obs);
  }
  void on_malformed(const ReadProblem& p) override { consumer_.on_malformed(p); }

  void finish() {
    for (const auto& [address, exchange] : addresses_) {
      if (work_.hosts.count(address) == 0) work_.pending.emplace_back(address, exchange);
    }
  }

 private:
  PriorWork& work_;
  ObservationHandler& consumer_;
  ScanCounters& counters_;
  std::map<std::string, std::string> addresses_;  // ordered: a deterministic re-queue
};

// ---------------------------------------------------------------------------
// Dry run: what would be contacted.
class DryRunReport {
 public:
  DryRunReport(Blocklist blocklist, std::shared_ptr<const AsnSource> asn)
      : blocklist_(std::move(blocklist)), asn_(std::move(asn)) {}

  void add(const std::string& address) {
    auto ip = IpAddress::parse(address);
    if (!ip) {
      ++invalid_;
      return;
    }
    if (blocklist_.is_blocked(*ip)) {
      ++blocked_;
      return;
    }
    ++addresses_;
    prefixes_.insert(ip->masked(ip->v6 ? 48 : 24).to_string());
    if (asn_) {
      auto info = asn_->lookup(*ip);
      if (info) {
        auto& entry = ases_[info->asn];
        ++entry.first;
        entry.second = info->name;
      } else {
        ++no_asn_;
      }
    }
  }

  std::string text(bool have_asn) const {
    std::string out = fmt::format(
        "dry run: would contact {} addresses in {} /24 (IPv4) or /48 (IPv6) prefixes{}; "
        "{} blocked, {} not addresses\n",
        addresses_, prefixes_.size(),
        have_asn ? fmt::format(" and {} ASes ({} addresses without an AS)", ases_.size(), no_asn_)
                 : std::string(" (no ASN source: ASes not counted)"),
        blocked_, invalid_);
    std::vector<std::pair<std::uint64_t, std::uint32_t>> top;
    for (const auto& [asn, entry] : ases_) top.emplace_back(entry.first, asn);
    std::sort(top.begin(), top.end(), [](auto a, auto b) {
      return a.first != b.first ? a.first > b.first : a.second < b.second;
    });
    for (std::size_t i = 0; i < top.size() && i < 10; ++i) {
      out += fmt::format("  AS{:<10} {:>8} addresses  {}\n", top[i].second, top[i].first,
                         ases_.at(top[i].second).second);
    }
    return out;
  }

  std::string json() const {
    std::string out = fmt::format(
        "{{\"schema\":\"mxscan/dry-run/1\",\"addresses\":{},\"prefixes\":{},\"ases\":{},"
        "\"blocked\":{},\"not_addresses\":{},\"addresses_without_as\":{},\"by_as\":",
        addresses_, prefixes_.size(), ases_.size(), blocked_, invalid_, no_asn_);
    json::append_array(out, ases_, [](std::string& o, const auto& as) {
      fmt::format_to(std::back_inserter(o), "{{\"asn\":{},\"addresses\":{}}}", as.first,
                     as.second.first);
    });
    return out + "}\n";
  }

  std::uint64_t addresses() const noexcept { return addresses_; }

 private:
  Blocklist blocklist_;
  std::shared_ptr<const AsnSource> asn_;
  std::uint64_t addresses_ = 0, blocked_ = 0, invalid_ = 0, no_asn_ = 0;
  std::set<std::string> prefixes_;
  std::map<std::uint32_t, std::pair<std::uint64_t, std::string>> ases_;
};

void record_digest(Manifest& m, const std::string& path) {
  if (path.empty()) return;
  try {
    m.file_digests[path] = sha256_file_hex(path);
  } catch (const std::exception&) {
    m.file_digests[path] = "unreadable";
  }
}

// A new results folder, created under a hidden name next to its final one and
// renamed into place once its manifest is written: a scan stopped at any moment
// leaves no folder or one that --resume can read. Until the scan is under way
// (keep()), the folder is removed again when start-up fails, so a refused
// setting leaves nothing behind and the same -o works on the next try.
class NewResultsFolder {
 public:
  NewResultsFolder(const std::string& out_dir, const Manifest& manifest) : dir_(out_dir) {
    fs::path final_path(out_dir);
    if (!final_path.has_filename()) final_path = final_path.parent_path();  // "-o out/"
    const fs::path staging =
        final_path.parent_path() /
        fmt::format(".{}.starting-{}", final_path.filename().string(), getpid());
    std::error_code ec;
    if (!fs::create_directory(staging, ec)) {
      throw std::runtime_error("cannot create output folder " + out_dir + ": " +
                               (ec ? ec.message() : staging.string() + " exists"));
    }
    try {
      write_manifest(staging.string(), manifest);
    } catch (...) {
      fs::remove_all(staging, ec);
      throw;
    }
    if (renameat2(AT_FDCWD, staging.c_str(), AT_FDCWD, final_path.c_str(), RENAME_NOREPLACE) != 0) {
      const int err = errno;
      fs::remove_all(staging, ec);
      if (err == EEXIST) {
        throw std::runtime_error(output_folder_exists_message(out_dir));
      }
      throw std::runtime_error("cannot create output folder " + out_dir + ": " +
                               std::generic_category().message(err));
    }
  }
  NewResultsFolder(const NewResultsFolder&) = delete;
  NewResultsFolder& operator=(const NewResultsFolder&) = delete;
  ~NewResultsFolder() {
    if (kept_) return;
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }
  void keep() { kept_ = true; }

 private:
  fs::path dir_;
  bool kept_ = false;
};

}  // namespace

std::string output_folder_exists_message(const std::string& out_dir) {
  return "output folder " + out_dir +
         " already exists: choose another -o, remove it, or continue that scan with --resume " +
         out_dir;
}

ScanOutcome run_scan(const ScanPlan& plan, ObservationHandler& consumer) {
  const SignalBlock signal_block;
  const ScanConfig& config = plan.config;
  if (config.conduct.blocklists.empty()) {
    throw std::runtime_error(
        "no blocklist configured: refusing to scan without one (the shipped "
        "configs/mxscan.toml names configs/blocklist.conf; lift ranges with --allow CIDR)");
  }
  if (plan.resume && !fs::is_directory(plan.out_dir)) {
    throw std::runtime_error("--resume " + plan.out_dir + ": no such results folder");
  }
  const ScanPreflight ready = preflight_scan(plan);  // before anything is written
  const fs::path dir(plan.out_dir);

  ScanOutcome outcome;
  Manifest& manifest = outcome.manifest;
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
  manifest.dry_run = plan.dry_run;
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
  // Resolvers that do not answer make a scan of dns_error rows: refused before
  // the folder exists and before anything else is contacted.
  DnsOptions dns = dns_options(config);
  const DnsHealth::Settings outage = dns_health_settings(config, dns);
  const std::string probe_warning =
      require_answering_resolver(dns, config.dns.probe_name, plan.resume ? plan.out_dir : "");
  if (!probe_warning.empty()) {
    std::fprintf(stderr, "mxscan: warning: %s\n", probe_warning.c_str());
    manifest.notes.push_back(probe_warning);
  }
  // Declared before everything that writes into the folder, so those are closed
  // before a failed start-up removes it.
  std::optional<NewResultsFolder> created;
  if (!plan.resume) created.emplace(plan.out_dir, manifest);

  ScanLog log(dir / "scan.log");
  ScanCounters counters;
  std::atomic<bool> stop{false};
  std::mutex consumer_mutex;

  // The journal: open (cutting partial lines), then read back what is done.
  ObservationLogs logs(dir, plan.resume ? RecordLog::Mode::resume : RecordLog::Mode::create_new,
                       [&] {
                         stop.store(true);
                         log.line("write error: no new work admitted; stopping");
                       });
  PriorWork prior;
  if (plan.resume) {
    PriorWorkLoader loader(prior, consumer, counters);
    ObservationReader reader({.decode_chains = true});
    for (const char* name : {"domains.jsonl", "hosts.jsonl"}) {
      prior.counts += reader.read_file((dir / name).string(), loader);
    }
    loader.finish();
    log.line(
        fmt::format("resume #{}: {} domains and {} hosts done, {} addresses re-queued, "
                    "{} bytes of partial records cut",
                    manifest.resumes, prior.domains.size(), prior.hosts.size(),
                    prior.pending.size(), logs.truncated_bytes()));
  }

  auto excluded = read_exclusions(config.conduct.exclude_domains);
  if (auto lines = count_lines(plan.domains_file)) {
    counters.set_total(*lines / std::max<std::uint32_t>(plan.shard.count, 1));
  }

  // Stages. The SMTP stage validates options, the EHLO name and the
  // descriptor limit before anything is contacted.
  DnsProgressToCounters dns_progress(counters);
  dns.progress = &dns_progress;
  DnsHealth health(outage, [&](const std::string& event) {
    log.line(event);
    if (!plan.quiet) std::fprintf(stderr, "\nmxscan: %s\n", event.c_str());
  });
  dns.health = &health;
  SmtpOptions smtp_opts = smtp_options(config);
  smtp_opts.on_connect = [&counters] { counters.smtp_connect(); };
  counters.set_smtp_rate_limit(smtp_opts.sessions_per_s);
  auto asn = ready.asn;
  std::unique_ptr<SmtpStage> smtp;
  std::unique_ptr<DryRunReport> dry;
  if (plan.dry_run) {
    dry = std::make_unique<DryRunReport>(build_blocklist(smtp_opts), asn);
  } else {
    smtp = std::make_unique<SmtpStage>(smtp_opts, asn, [&](HostObs host) {
      logs.add(host);
      counters.smtp_done(host.status);
      counters.smtp_finished_in_flight();
      std::lock_guard lock(consumer_mutex);
      consumer.on_host(host);
    });
    manifest.ehlo_name = smtp->ehlo_name();
  }
  write_manifest(plan.out_dir, manifest);
  if (created) created->keep();  // from here on a stopped scan is resumed, not redone
  log.line(fmt::format("scan {}: domains {} shard {} output {}{}",
                       plan.resume ? "resumed" : "started", plan.domains_file, manifest.shard,
                       plan.out_dir, plan.dry_run ? " (dry run)" : ""));
  if (!probe_warning.empty()) log.line("warning: " + probe_warning);
  if (smtp && config.smtp.rate == 0) {
    const std::string warning =
        "warning: --rate 0: new SMTP sessions per second are not limited (only --concurrency "
        "and the per-/24 caps hold them back); use it on your own servers only";
    log.line(warning);
    std::fputs(("mxscan: " + warning + "\n").c_str(), stderr);
  }

  std::unordered_set<std::string> seen(prior.hosts.begin(), prior.hosts.end());
  auto submit = [&](const std::string& address, const std::string& exchange) {
    if (!seen.insert(address).second) return;
    if (dry) {
      dry->add(address);
      return;
    }
    counters.smtp_started();
    if (smtp->submit(address, exchange) == SubmitResult::closed) counters.smtp_withdrawn();
  };
  for (const auto& [address, exchange] : prior.pending) {
    prior.hosts.insert(address);  // keeps `seen` and the re-queue in step
    submit(address, exchange);
  }

  ScanInput input(plan.domains_file, plan.shard, excluded, prior.domains, stop);
  std::atomic<Clock::rep> signalled{0};  // when the first signal came (steady clock)
  {
    SignalWatcher signals(
        stop,
        [&](int sig) {
          health.cancel();  // also ends a wait for an outage's verdict
          signalled.store(Clock::now().time_since_epoch().count());
          const std::size_t in_flight = smtp ? smtp->stop() : 0;
          log.line(
              fmt::format("signal {}: admission stopped; no new connection; {} sessions "
                          "in flight say QUIT at their next step or end at their deadline",
                          sig == SIGINT ? "SIGINT" : "SIGTERM", in_flight));
          std::fputs(fmt::format("\nmxscan: stopping: no new connections; {} sessions in flight "
                                 "end within {} s (Ctrl-C again to stop now)\n",
                                 in_flight, config.smtp.session_timeout_ms / 1000)
                         .c_str(),
                     stderr);
        },
        [&] {
          logs.flush();
          manifest.state = "interrupted";
          manifest.ended = utc_now_iso8601();
          manifest.counts = counters.snapshot();
          try {
            write_manifest(plan.out_dir, manifest);
          } catch (const std::exception& e) {
            // On this thread an exception would terminate; the folder is resumable.
            log.line(std::string("second signal: ") + e.what());
          }
          log.line("second signal: stopped at once");
          std::fputs(
              fmt::format("\nmxscan: stopped. Continue with: mxscan --resume {}\n", plan.out_dir)
                  .c_str(),
              stderr);
          std::_Exit(3);
        });
    ProgressTicker ticker(counters, plan.quiet, log, [&] { logs.flush(); });

    const auto scan_start = Clock::now();
    const DnsStageStats dns_stats = run_dns_stage(input, dns, [&](DomainObs&& obs) {
      fold_mapped_addresses(obs);
      logs.add(obs);
      counters.domain_done(obs.mx_status);
      if (obs.mx_status == DnsStatus::invalid_name) counters.domain_invalid();
      for (const auto& mx : obs.mx) {
        for (const auto& a : mx.addresses) submit(a, mx.exchange);
      }
      std::lock_guard lock(consumer_mutex);
      consumer.on_domain(obs);
    });
    health.stop();
    // Stage ends with their figures, for scripts/bench scale and for anyone
    // asking where a run's time went.
    log.line(fmt::format("dns stage: domains {} queries {} exchanges {} in {:.2f} s",
                         dns_stats.domains, dns_stats.resolver.queries, dns_stats.exchanges,
                         dns_stats.seconds));
    if (smtp && !logs.error().empty()) {
      smtp->abort();  // a write error: results could not be recorded; --resume redoes them
    } else if (smtp) {
      smtp->close();
      smtp->wait();
      const SmtpStageStats s = smtp->stats();
      if (const auto at = signalled.load(); at != 0) {
        log.line(stop_summary(s, Clock::now() - Clock::time_point(Clock::duration(at))));
      }
      log.line(
          fmt::format("smtp stage: sessions {} retries {} peak in flight {} done {:.2f} s "
                      "after the start",
                      s.sessions, s.retries, s.peak_in_flight,
                      std::chrono::duration<double>(Clock::now() - scan_start).count()));
    }
    ticker.stop();
    logs.flush();
  }

  if (const std::string error = logs.error(); !error.empty()) {
    // The folder stays resumable: the manifest keeps its last good state if
    // this write fails too.
    manifest.state = "interrupted";
    manifest.ended = utc_now_iso8601();
    manifest.counts = counters.snapshot();
    try {
      write_manifest(plan.out_dir, manifest);
    } catch (const std::exception&) {
    }
    log.line("stopped: " + error);
    throw RecordLogError(error + "\nmxscan: results so far are in " + plan.out_dir +
                         "; once there is space, continue with: mxscan --resume " + plan.out_dir);
  }

  outcome.addresses = seen.size();
  const bool interrupted = stop.load();
  const bool dns_failed = !interrupted && health.state() == DnsHealth::State::failed;
  outcome.state = interrupted  ? ScanState::interrupted
                  : dns_failed ? ScanState::failed
                               : ScanState::complete;
  const auto& in = input.stats();
  manifest.input_counts = {{"lines", in.lines},
                           {"skipped_lines", in.skipped},
                           {"valid", in.valid},
                           {"invalid", in.invalid},
                           {"duplicates", in.duplicates},
                           {"other_shards", input.other_shards},
                           {"excluded", input.excluded},
                           {"done_before_resume", input.already_done},
                           {"unique_addresses", seen.size()}};
  manifest.state = interrupted ? "interrupted" : dns_failed ? "failed" : "complete";
  manifest.ended = utc_now_iso8601();
  manifest.counts = counters.snapshot();
  if (dry) {
    write_file((dir / "dry_run.json").string(), dry->json());
    std::fputs(dry->text(asn != nullptr).c_str(), stdout);
  }
  write_manifest(plan.out_dir, manifest);
  log.line(fmt::format("scan {}: {} domains, {} unique addresses", manifest.state,
                       manifest.counts.domains_done, seen.size()));
  if (dns_failed) {
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
  if (interrupted) {
    std::fputs(fmt::format("mxscan: interrupted; results so far are in {}. Continue with: "
                           "mxscan --resume {}\n",
                           plan.out_dir, plan.out_dir)
                   .c_str(),
               stderr);
  }
  return outcome;
}

}  // namespace mxscan
