#include "scan_options.hpp"

#include <CLI/CLI.hpp>

#include <cmath>
#include <cstdlib>
#include <filesystem>

#include "config_search.hpp"

namespace mxscan {

namespace fs = std::filesystem;

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

}  // namespace

std::string command_line(int argc, char** argv) {
  std::string line;
  for (int i = 0; i < argc; ++i) line += (i ? " " : "") + quote_arg(argv[i]);
  return line;
}

void add_setting_options(CLI::App& app, ScanOptions& o) {
  const std::string scan = "Scan";
  const std::string conduct = "Conduct (docs/conduct.md)";
  const std::string speed = "Rates and limits";
  const std::string data = "Data files";
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

ScanConfig config_from_options(const ScanOptions& o) {
  ScanConfig config;
  std::string config_path = o.config;
  if (config_path.empty()) {
    const ConfigSearch search = find_config_dir("mxscan.toml");
    if (search.dir.empty()) {
      throw ScanUsageError(config_not_found_message(search, "mxscan.toml", "pass --config FILE"));
    }
    config_path = (fs::path(search.dir) / "mxscan.toml").string();
  }
  config = load_scan_config(config_path);
  for (const auto& [opt, apply] : o.overrides) {
    if (opt->count() > 0) apply(config);
  }
  make_paths_absolute(config);
  if (config.inference.providers.empty()) {
    throw ScanUsageError(
        "no provider catalog: set inference.providers in the configuration or "
        "pass --providers FILE");
  }
  return config;
}

}  // namespace mxscan
