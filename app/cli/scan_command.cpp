#include "scan_command.hpp"

#include <fmt/format.h>
#include <CLI/CLI.hpp>

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <functional>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <system_error>

#include "config_search.hpp"
#include "infer_command.hpp"
#include "invalid_names.hpp"
#include "mxscan/common/names.hpp"
#include "mxscan/inference/batch.hpp"
#include "mxscan/inference/catalog.hpp"
#include "mxscan/results/batch_outputs.hpp"
#include "mxscan/scanner/dns/resolver_probe.hpp"
#include "mxscan/scanner/run/scan_engine.hpp"
#include "mxscan/scanner/run/scan_preflight.hpp"
#include "report_command.hpp"
#include "resume_overrides.hpp"
#include "scan_notes.hpp"

namespace mxscan {

namespace fs = std::filesystem;

// Values of the scan options; each option given on the command line also
// records how it changes the configuration.
struct ScanOptions {
  std::string domains;
  std::string output;
  std::string config;
  std::string resume;
  std::string shard;
  bool dry_run = false;
  bool quiet = false;
  std::size_t top = 20;

  // Settings overridden on the command line, applied in order over the file.
  std::vector<std::pair<CLI::Option*, std::function<void(ScanConfig&)>>> overrides;

  // Scratch values the overrides read.
  std::vector<std::string> resolvers, allow, blocklists;
  std::string exclude, ehlo, ca_file, asn_db, pfx2as, providers, psl_file;
  std::string probe_name, signals;
  std::int64_t smtp_port = 0, mta_sts_port = 0, concurrency = 0, per24 = 0, threads = 0,
               dns_threads = 0, dns_in_flight = 0, retries = 0;
  double rate = 0, dns_rate = 0;  // fractions allowed: 0.5 is one every 2 s
  double per24_rate = 0, connect_timeout = 0, greeting_timeout = 0, reply_timeout = 0,
         tls_timeout = 0, session_timeout = 0, dns_timeout = 0;
  bool ipv6 = false, sni = false, keep_flagged = false, mta_sts = false;
};

namespace {

std::int64_t to_ms(double seconds) {
  return static_cast<std::int64_t>(std::llround(seconds * 1000));
}

std::string quote_arg(const std::string& arg) {
  if (!arg.empty() && arg.find_first_of(" \t\n'\"\\$`") == std::string::npos) return arg;
  std::string out = "'";
  for (char c : arg) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

std::string command_line(int argc, char** argv) {
  std::string line;
  for (int i = 0; i < argc; ++i) line += (i ? " " : "") + quote_arg(argv[i]);
  return line;
}

// Feeds the scan's observations into the batch (the engine serialises calls).
class BatchConsumer final : public ObservationHandler {
 public:
  explicit BatchConsumer(Batch& batch) : batch_(batch) {}
  void on_domain(DomainObs& obs) override {
    invalid.add(obs);
    batch_.add(obs);
  }
  void on_host(HostObs& obs) override {
    asn_matches.add(obs);
    batch_.add(obs);
  }
  void on_malformed(const ReadProblem& p) override {
    ++malformed;
    if (malformed <= 20) {
      std::fprintf(stderr, "mxscan: skipped a malformed record while resuming: %s:%llu: %s\n",
                   p.file.c_str(), static_cast<unsigned long long>(p.line), p.reason.c_str());
    }
  }
  std::uint64_t malformed = 0;
  AsnMatches asn_matches;
  InvalidNameReport invalid;

 private:
  Batch& batch_;
};

std::string default_output_dir() {
  std::string stamp = utc_now_iso8601();  // 2026-11-29T10:00:00Z
  std::string compact;
  for (char c : stamp) {
    if (c != '-' && c != ':') compact += c;
  }
  return "mxscan-" + compact;
}

}  // namespace

ScanCommand::ScanCommand(CLI::App& app) : app_(&app), options_(std::make_unique<ScanOptions>()) {
  auto& o = *options_;
  const std::string scan = "Scan";
  const std::string conduct = "Conduct (docs/conduct.md)";
  const std::string speed = "Rates and limits";
  const std::string data = "Data files";
  app.footer(
      "Defaults come from mxscan.toml (every setting is there): PREFIX/share/mxscan/configs\n"
      "when installed, configs/ of the source tree (mxscan(1), FILES); options override it.\n"
      "Examples:\n"
      "  mxscan --domains top1m.csv --ehlo-name scanner.example.edu -o top1m-scan\n"
      "  mxscan --resume top1m-scan          # after Ctrl-C, a crash or kill -9\n"
      "  mxscan --domains top1m.csv --shard 0/4 -o part0   # then: mxscan infer part0 ... -o all\n"
      "  mxscan --domains top1m.csv --dry-run -o plan      # DNS only: what would be contacted\n"
      "Exit codes: 0 done, 1 failure while running, 2 usage or configuration error (nothing\n"
      "contacted), 3 interrupted (continue with --resume). See docs/cli.md and mxscan(1).");

  app.add_option("--domains", o.domains,
                 "Domain list to scan: one name per line, Tranco/Alexa rank,domain CSV, .gz, "
                 "or - for standard input")
      ->group(scan);
  app.add_option("-o,--output", o.output,
                 "Results folder to create (default: mxscan-<UTC start time>); never overwritten")
      ->group(scan);
  app.add_option("--config", o.config,
                 "Configuration file read instead of configs/mxscan.toml (options given here "
                 "still override it)")
      ->group(scan);
  app.add_option("--resume", o.resume,
                 "Continue the interrupted scan in this results folder (its plan is read back "
                 "from it; only rates, caps, threads, timeouts and retries may be changed)")
      ->group(scan);
  app.add_option("--shard", o.shard, "Scan only shard I of N (0 <= I < N), e.g. 0/4")->group(scan);
  app.add_flag("--dry-run", o.dry_run,
               "Resolve only: report the addresses, /24s and ASes that would be contacted")
      ->group(scan);
  app.add_flag("-q,--quiet", o.quiet, "No progress line on stderr (scan.log still has it)")
      ->group(scan);
  app.add_option("--top", o.top, "Rows of the provider table printed at the end")
      ->capture_default_str()
      ->group(scan);

  // Each of these overrides one setting of configs/mxscan.toml when given.
  auto over = [&](CLI::Option* opt, std::function<void(ScanConfig&)> apply) {
    o.overrides.emplace_back(opt, std::move(apply));
  };
  over(app.add_option("--resolver", o.resolvers,
                      "DNS resolver ADDR[:PORT] (repeatable; default: /etc/resolv.conf)")
           ->group(scan),
       [&o](ScanConfig& c) { c.dns.resolvers = o.resolvers; });
  over(app.add_option("--probe-name", o.probe_name,
                      "Name whose SOA every resolver is asked before the scan (default: the "
                      "root, \".\"); a scan whose resolvers all fail to answer does not start")
           ->group(scan),
       [&o](ScanConfig& c) { c.dns.probe_name = o.probe_name; });
  over(app.add_option("--signals", o.signals,
                      "on|off: also look up SPF (following its includes), MTA-STS, TLS-RPT and "
                      "DMARC TXT records and TLSA of the primary exchanges (default on)")
           ->check(CLI::IsMember({"on", "off"}))
           ->group(scan),
       [&o](ScanConfig& c) { c.dns.signals = o.signals == "on"; });
  over(app.add_option("--smtp-port", o.smtp_port, "SMTP port (default 25)")->group(scan),
       [&o](ScanConfig& c) { c.smtp.port = o.smtp_port; });
  over(app.add_option("--ehlo-name", o.ehlo,
                      "FQDN sent in EHLO; its web page should explain the study and how to opt out "
                      "(default: this host's FQDN)")
           ->group(conduct),
       [&o](ScanConfig& c) { c.smtp.ehlo_name = o.ehlo; });
  over(app.add_option("--blocklist", o.blocklists,
                      "Further blocklist file in ZMap's format (repeatable; added to the default)")
           ->group(conduct),
       [&o](ScanConfig& c) {
         c.conduct.blocklists.insert(c.conduct.blocklists.end(), o.blocklists.begin(),
                                     o.blocklists.end());
       });
  over(app.add_option("--allow", o.allow,
                      "Lift this CIDR from the blocklists, explicitly (repeatable)")
           ->group(conduct),
       [&o](ScanConfig& c) {
         c.conduct.allow.insert(c.conduct.allow.end(), o.allow.begin(), o.allow.end());
       });
  over(app.add_option("--exclude-domains", o.exclude,
                      "Opt-out list: these domains and every name under them are not scanned")
           ->group(conduct),
       [&o](ScanConfig& c) { c.conduct.exclude_domains = o.exclude; });
  over(app.add_flag("--ipv6", o.ipv6, "Resolve AAAA and contact IPv6 addresses")->group(conduct),
       [&o](ScanConfig& c) { c.smtp.ipv6 = o.ipv6; });
  over(app.add_flag("--sni", o.sni, "Send the exchange name as TLS SNI")->group(conduct),
       [&o](ScanConfig& c) { c.smtp.sni = o.sni; });
  over(app.add_flag("--mta-sts", o.mta_sts,
                    "Fetch MTA-STS policies over HTTPS (one web contact per policy host)")
           ->group(conduct),
       [&o](ScanConfig& c) { c.mta_sts.fetch = o.mta_sts; });
  over(app.add_option("--mta-sts-port", o.mta_sts_port,
                      "HTTPS port of the MTA-STS policy hosts (default 443; labs)")
           ->group(conduct),
       [&o](ScanConfig& c) { c.mta_sts.port = o.mta_sts_port; });

  // A rate is a finite number >= 0 (CLI11 reads "nan" and "inf" as numbers).
  const CLI::Validator rate_value(
      [](std::string& text) {
        const double v = std::strtod(text.c_str(), nullptr);
        return std::isfinite(v) && v >= 0 ? std::string()
                                          : "must be a number >= 0 (0: unlimited), got " + text;
      },
      "RATE");
  over(app.add_option("--rate", o.rate,
                      "New SMTP sessions per second, fractions allowed (0: unlimited)")
           ->check(rate_value)
           ->group(speed),
       [&o](ScanConfig& c) { c.smtp.rate = o.rate; });
  over(app.add_option("--dns-rate", o.dns_rate,
                      "DNS queries per second, fractions allowed (0: unlimited)")
           ->check(rate_value)
           ->group(speed),
       [&o](ScanConfig& c) { c.dns.rate = o.dns_rate; });
  over(app.add_option("--dns-in-flight", o.dns_in_flight, "DNS queries in flight")->group(speed),
       [&o](ScanConfig& c) { c.dns.max_in_flight = o.dns_in_flight; });
  over(app.add_option("--concurrency", o.concurrency, "SMTP sessions in flight")->group(speed),
       [&o](ScanConfig& c) { c.smtp.concurrency = o.concurrency; });
  over(app.add_option("--per-24", o.per24,
                      "SMTP sessions in flight per destination /24 (IPv4) or /48 (IPv6)")
           ->group(speed),
       [&o](ScanConfig& c) { c.smtp.per24_in_flight = o.per24; });
  over(app.add_option("--per-24-rate", o.per24_rate, "New SMTP sessions per second per /24 or /48")
           ->group(speed),
       [&o](ScanConfig& c) { c.smtp.per24_rate = o.per24_rate; });
  over(app.add_option("--threads", o.threads, "Event-loop threads of the SMTP stage")->group(speed),
       [&o](ScanConfig& c) { c.smtp.threads = o.threads; });
  over(app.add_option("--dns-threads", o.dns_threads, "Event-loop threads of the DNS stage")
           ->group(speed),
       [&o](ScanConfig& c) { c.dns.threads = o.dns_threads; });
  over(app.add_option("--retries", o.retries,
                      "SMTP connection retries after a connect timeout or reset")
           ->group(speed),
       [&o](ScanConfig& c) { c.smtp.connect_retries = o.retries; });
  over(app.add_option("--dns-timeout", o.dns_timeout, "DNS query timeout, seconds")->group(speed),
       [&o](ScanConfig& c) { c.dns.timeout_ms = to_ms(o.dns_timeout); });
  over(app.add_option("--connect-timeout", o.connect_timeout, "TCP connect timeout, seconds")
           ->group(speed),
       [&o](ScanConfig& c) { c.smtp.connect_timeout_ms = to_ms(o.connect_timeout); });
  over(app.add_option("--greeting-timeout", o.greeting_timeout, "SMTP greeting timeout, seconds")
           ->group(speed),
       [&o](ScanConfig& c) { c.smtp.greeting_timeout_ms = to_ms(o.greeting_timeout); });
  over(app.add_option("--reply-timeout", o.reply_timeout, "Timeout of each SMTP reply, seconds")
           ->group(speed),
       [&o](ScanConfig& c) { c.smtp.reply_timeout_ms = to_ms(o.reply_timeout); });
  over(app.add_option("--tls-timeout", o.tls_timeout, "TLS handshake timeout, seconds")
           ->group(speed),
       [&o](ScanConfig& c) { c.smtp.tls_timeout_ms = to_ms(o.tls_timeout); });
  over(app.add_option("--session-timeout", o.session_timeout,
                      "Hard deadline of one SMTP session, seconds")
           ->group(speed),
       [&o](ScanConfig& c) { c.smtp.session_timeout_ms = to_ms(o.session_timeout); });

  over(app.add_option("--ca-file", o.ca_file, "PEM trust store replacing the system CA bundle")
           ->group(data),
       [&o](ScanConfig& c) { c.smtp.ca_file = o.ca_file; });
  over(app.add_option("--asn-db", o.asn_db, "ASN database (.mmdb, MaxMind/DB-IP ASN schema)")
           ->group(data),
       [&o](ScanConfig& c) { c.asn.mmdb = o.asn_db; });
  over(app.add_option("--pfx2as", o.pfx2as, "CAIDA Routeviews prefix-to-AS file")->group(data),
       [&o](ScanConfig& c) { c.asn.pfx2as = o.pfx2as; });
  over(app.add_option("--providers", o.providers, "Provider catalog (TOML)")->group(data),
       [&o](ScanConfig& c) { c.inference.providers = o.providers; });
  over(app.add_option("--psl-file", o.psl_file, "Public suffix list")->group(data),
       [&o](ScanConfig& c) { c.inference.psl_file = o.psl_file; });
  over(app.add_flag("--keep-flagged", o.keep_flagged,
                    "Keep provider IDs flagged by the misidentification checks")
           ->group(data),
       [&o](ScanConfig& c) { c.inference.keep_flagged = o.keep_flagged; });
}

ScanCommand::~ScanCommand() = default;

bool ScanCommand::selected() const {
  return !options_->domains.empty() || !options_->resume.empty();
}

namespace {

// Settings that hold file names are absolute from here on: the plan is read
// back by --resume, maybe from another working directory.
void make_paths_absolute(ScanConfig& c) {
  auto abs = [](std::string& p) {
    if (!p.empty()) p = fs::absolute(p).lexically_normal().string();
  };
  for (auto& f : c.conduct.blocklists) abs(f);
  abs(c.conduct.exclude_domains);
  abs(c.asn.mmdb);
  abs(c.asn.pfx2as);
  abs(c.inference.providers);
  abs(c.inference.psl_file);
  abs(c.smtp.ca_file);
}

struct UsageError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

ScanPlan plan_from_options(const ScanOptions& o, int argc, char** argv) {
  ScanPlan plan;
  plan.quiet = o.quiet;
  if (!o.resume.empty()) {
    for (const auto& [opt, apply] : o.overrides) {
      if (opt->count() > 0 && !resume_may_change(opt->get_name())) {
        throw UsageError(
            "--resume continues a scan with its recorded settings; " + opt->get_name() +
            " would change what is measured: drop it (a resumed scan may change " +
            "only --quiet, --top and how fast it works: " + resume_changeable_options() + ")");
      }
    }
    if (!o.domains.empty() || !o.output.empty() || !o.shard.empty() || o.dry_run ||
        !o.config.empty()) {
      throw UsageError(
          "--resume DIR takes the domain list, output, shard and configuration from DIR; "
          "give only --resume DIR (and --quiet)");
    }
    Manifest m = read_manifest(o.resume);
    plan.config = m.config;
    for (const auto& [opt, apply] : o.overrides) {
      if (opt->count() == 0) continue;
      const SettingText before = setting_text(opt->get_name(), plan.config);
      apply(plan.config);
      const SettingText after = setting_text(opt->get_name(), plan.config);
      if (after.value == before.value) continue;
      plan.resume_overrides.push_back(
          {m.resumes + 1, opt->get_name(), after.key, before.value, after.value});
      std::fprintf(stderr, "mxscan: resuming with %s %s (was %s)\n", opt->get_name().c_str(),
                   after.value.c_str(), before.value.c_str());
    }
    plan.domains_file = m.domains_file;
    plan.out_dir = o.resume;
    plan.dry_run = m.dry_run;
    plan.resume = true;
    std::string error;
    auto shard = parse_shard(m.shard, error);
    if (!shard) throw std::runtime_error(o.resume + "/manifest.json: " + error);
    plan.shard = *shard;
    plan.command_line = m.command_line;
    return plan;
  }

  std::string config_path = o.config;
  if (config_path.empty()) {
    const ConfigSearch search = find_config_dir("mxscan.toml");
    if (search.dir.empty()) {
      throw UsageError(config_not_found_message(search, "mxscan.toml", "pass --config FILE"));
    }
    config_path = (fs::path(search.dir) / "mxscan.toml").string();
  }
  plan.config = load_scan_config(config_path);
  for (const auto& [opt, apply] : o.overrides) {
    if (opt->count() > 0) apply(plan.config);
  }
  make_paths_absolute(plan.config);
  if (plan.config.inference.providers.empty()) {
    throw UsageError(
        "no provider catalog: set inference.providers in the configuration or "
        "pass --providers FILE");
  }
  plan.domains_file = o.domains == "-" ? "-" : fs::absolute(o.domains).string();
  if (o.domains != "-" && !fs::exists(plan.domains_file)) {
    throw UsageError("--domains " + o.domains + ": no such file");
  }
  plan.out_dir = o.output.empty() ? default_output_dir() : o.output;
  if (fs::exists(plan.out_dir)) {
    throw UsageError(output_folder_exists_message(plan.out_dir));
  }
  if (!o.shard.empty()) {
    std::string error;
    auto shard = parse_shard(o.shard, error);
    if (!shard) throw UsageError(error);
    plan.shard = *shard;
  }
  plan.dry_run = o.dry_run;
  plan.command_line = command_line(argc, argv);
  return plan;
}

}  // namespace

int ScanCommand::run(int argc, char** argv) const {
  ScanPlan plan;
  try {
    plan = plan_from_options(*options_, argc, argv);
  } catch (const UsageError& e) {
    std::fprintf(stderr, "mxscan: %s\n", e.what());
    return kExitUsage;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "mxscan: %s\n", e.what());
    return kExitUsage;
  }

  // A catalog or PSL that is not one is a usage error: refused before the folder exists.
  Catalog catalog;
  std::optional<PublicSuffixList> psl_file;
  try {
    catalog = Catalog::load(plan.config.inference.providers);
    psl_file.emplace(plan.config.inference.psl_file);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "mxscan: %s\n", e.what());
    return kExitUsage;
  }
  try {
    const PublicSuffixList& psl = *psl_file;
    Options options;
    options.misidentification_threshold =
        static_cast<std::uint64_t>(plan.config.inference.threshold);
    options.keep_flagged = plan.config.inference.keep_flagged;
    Batch batch(catalog, psl, options);
    BatchConsumer consumer(batch);

    ScanOutcome outcome;
    try {
      outcome = run_scan(plan, consumer);
    } catch (const ScanSetupError& e) {
      std::fprintf(stderr, "mxscan: %s\n", e.what());
      return kExitUsage;
    } catch (const ResolverProbeError& e) {
      std::fprintf(stderr, "mxscan: %s\n", e.what());
      return kExitUsage;  // nothing contacted; a resumed folder is left as it was
    } catch (const std::exception& e) {
      // Nothing was contacted when the folder or a setting is refused; an error
      // while scanning leaves a resumable folder.
      std::fprintf(stderr, "mxscan: %s\n", e.what());
      return std::filesystem::exists(fs::path(plan.out_dir) / "manifest.json") ? kExitFailure
                                                                               : kExitUsage;
    }
    if (outcome.state == ScanState::interrupted) return kExitInterrupted;
    if (outcome.state == ScanState::failed) return kExitFailure;  // run_scan said how to resume
    if (plan.domains_file == "-" && !plan.resume && outcome.manifest.input_counts["valid"] == 0) {
      // Standard input can be read only once, so it is checked at its end: no
      // domain means nothing was contacted, and the empty folder goes again.
      std::fprintf(stderr,
                   "mxscan: no domains: standard input held no valid domain name (%llu "
                   "lines); nothing scanned, %s removed\n",
                   static_cast<unsigned long long>(outcome.manifest.input_counts["lines"]),
                   plan.out_dir.c_str());
      fs::remove_all(plan.out_dir);
      return kExitUsage;
    }
    if (const std::string note = asn_match_note(plan.config, consumer.asn_matches); !note.empty()) {
      record_scan_note(plan.out_dir, outcome.manifest, note);
    }
    if (plan.dry_run) return kExitOk;

    RunReport run;
    run.options = options;
    run.catalog_origin = catalog.origin();
    run.psl_file = psl.path();
    run.psl_sha256 = psl.sha256();
    const Summary summary = write_batch_outputs(batch, catalog, plan.out_dir, run);
    print_summary(summary, catalog, plan.out_dir, options_->top);
    std::fputs(consumer.invalid.message(outcome.manifest.input_counts["lines"]).c_str(), stderr);
    report_after_scan(plan.out_dir);
    return kExitOk;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "mxscan: %s\n", e.what());
    return kExitFailure;
  }
}

}  // namespace mxscan
