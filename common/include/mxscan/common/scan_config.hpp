// The effective configuration of a scan: every default lives in
// configs/mxscan.toml, the command line overrides it, and the result is written
// to the manifest.
//
// Design note. Each setting is declared once, in visit_settings(): reading the
// TOML file, writing the effective configuration and binding command-line
// options all walk that one list, so a new setting cannot be forgotten by one
// of them. Unknown keys and wrong types are errors that name file and line.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace mxscan {

struct DnsSettings {
  std::vector<std::string> resolvers;  // ADDR[:PORT]; empty = /etc/resolv.conf
  std::int64_t timeout_ms = 2000;      // per query try
  std::int64_t retries = 2;            // further tries after the first
  double rate = 2000;                  // queries/s (fractions allowed), 0 = unlimited
  std::int64_t max_in_flight = 1000;
  std::int64_t channels = 4;
  std::int64_t threads = 2;             // event-loop threads of the DNS stage
  std::int64_t max_mx = 32;             // MX records kept per domain
  bool signals = true;                  // SPF, MTA-STS, TLS-RPT, DMARC, TLSA lookups
  std::string probe_name = ".";         // SOA asked of each resolver before the scan
  std::int64_t outage_window = 1000;    // last query outcomes judged for a resolver outage
  std::int64_t outage_wait_ms = 60000;  // how long an outage may last before the scan fails
};

struct SmtpSettings {
  std::int64_t port = 25;
  double rate = 100;                // new sessions/s (0.5: one every 2 s), 0 = unlimited
  std::int64_t concurrency = 1000;  // sessions in flight
  std::int64_t per24_in_flight = 2;
  double per24_rate = 1.0;  // new sessions/s per /24 (IPv4) or /48 (IPv6)
  std::int64_t connect_timeout_ms = 10000;
  std::int64_t greeting_timeout_ms = 30000;
  std::int64_t reply_timeout_ms = 30000;
  std::int64_t tls_timeout_ms = 15000;
  std::int64_t session_timeout_ms = 120000;
  std::int64_t connect_retries = 1;  // only after connect timeout or reset
  std::int64_t max_line_bytes = 4096;
  std::int64_t max_reply_lines = 200;
  std::int64_t max_reply_bytes = 65536;
  std::int64_t max_chain_bytes = 262144;
  std::int64_t max_chain_certs = 16;
  std::int64_t threads = 2;  // event-loop threads of the SMTP stage
  std::string ehlo_name;     // empty = this host's FQDN
  bool sni = false;
  std::string ca_file;  // empty = system CA bundle
  bool ipv6 = false;
};

struct ConductSettings {
  std::vector<std::string> blocklists;  // files in ZMap's format; the default one included
  std::vector<std::string> allow;       // CIDRs lifted from the blocklists, explicitly
  std::string exclude_domains;          // opt-out list of domains
};

struct AsnSettings {
  std::string mmdb;    // MaxMind/DB-IP ASN database
  std::string pfx2as;  // CAIDA Routeviews prefix-to-AS file
};

struct InferenceSettings {
  std::string providers;  // provider catalog (configs/providers.toml)
  std::string psl_file = "/usr/share/publicsuffix/public_suffix_list.dat";
  std::int64_t threshold = 5;  // misidentification checks below this score
  bool keep_flagged = false;
};

struct ScanConfig {
  DnsSettings dns;
  SmtpSettings smtp;
  ConductSettings conduct;
  AsnSettings asn;
  InferenceSettings inference;
};

// Calls visitor(section, key, field, help) for every setting, in file order.
template <typename Config, typename Visitor>
void visit_settings(Config& c, Visitor&& v) {
  v("dns", "resolvers", c.dns.resolvers, "DNS resolvers ADDR[:PORT]; empty: /etc/resolv.conf");
  v("dns", "timeout_ms", c.dns.timeout_ms, "timeout of one DNS query try (ms)");
  v("dns", "retries", c.dns.retries, "DNS retries after the first try");
  v("dns", "rate", c.dns.rate, "DNS queries per second (0: unlimited)");
  v("dns", "max_in_flight", c.dns.max_in_flight, "DNS queries in flight");
  v("dns", "channels", c.dns.channels, "c-ares channels (sockets and ID spaces)");
  v("dns", "threads", c.dns.threads, "event-loop threads of the DNS stage");
  v("dns", "max_mx", c.dns.max_mx, "MX records kept per domain (more are flagged)");
  v("dns", "signals", c.dns.signals, "also look up SPF, MTA-STS, TLS-RPT, DMARC and TLSA");
  v("dns", "probe_name", c.dns.probe_name, "name whose SOA each resolver must answer first");
  v("dns", "outage_window", c.dns.outage_window, "query outcomes judged for an outage");
  v("dns", "outage_wait_ms", c.dns.outage_wait_ms, "outage wait before the scan fails (ms)");
  v("smtp", "port", c.smtp.port, "SMTP port");
  v("smtp", "rate", c.smtp.rate, "new SMTP sessions per second (0: unlimited)");
  v("smtp", "concurrency", c.smtp.concurrency, "SMTP sessions in flight");
  v("smtp", "per24_in_flight", c.smtp.per24_in_flight, "sessions in flight per /24 (/48)");
  v("smtp", "per24_rate", c.smtp.per24_rate, "new sessions per second per /24 (/48)");
  v("smtp", "connect_timeout_ms", c.smtp.connect_timeout_ms, "TCP connect timeout (ms)");
  v("smtp", "greeting_timeout_ms", c.smtp.greeting_timeout_ms, "greeting timeout (ms)");
  v("smtp", "reply_timeout_ms", c.smtp.reply_timeout_ms, "timeout of each reply (ms)");
  v("smtp", "tls_timeout_ms", c.smtp.tls_timeout_ms, "TLS handshake timeout (ms)");
  v("smtp", "session_timeout_ms", c.smtp.session_timeout_ms, "hard per-session deadline (ms)");
  v("smtp", "connect_retries", c.smtp.connect_retries, "retries after connect timeout or reset");
  v("smtp", "max_line_bytes", c.smtp.max_line_bytes, "longest reply line kept");
  v("smtp", "max_reply_lines", c.smtp.max_reply_lines, "most lines in one reply");
  v("smtp", "max_reply_bytes", c.smtp.max_reply_bytes, "most bytes in one reply");
  v("smtp", "max_chain_bytes", c.smtp.max_chain_bytes, "most certificate chain bytes kept");
  v("smtp", "max_chain_certs", c.smtp.max_chain_certs, "most certificates kept per chain");
  v("smtp", "threads", c.smtp.threads, "event-loop threads of the SMTP stage");
  v("smtp", "ehlo_name", c.smtp.ehlo_name, "EHLO name (an FQDN); empty: this host's FQDN");
  v("smtp", "sni", c.smtp.sni, "send the exchange name as TLS SNI");
  v("smtp", "ca_file", c.smtp.ca_file, "PEM trust store; empty: the system CA bundle");
  v("smtp", "ipv6", c.smtp.ipv6, "resolve AAAA and contact IPv6 addresses");
  v("conduct", "blocklists", c.conduct.blocklists, "blocklist files (ZMap format)");
  v("conduct", "allow", c.conduct.allow, "CIDRs explicitly lifted from the blocklists");
  v("conduct", "exclude_domains", c.conduct.exclude_domains, "domain opt-out list");
  v("asn", "mmdb", c.asn.mmdb, "ASN database (.mmdb)");
  v("asn", "pfx2as", c.asn.pfx2as, "CAIDA pfx2as file");
  v("inference", "providers", c.inference.providers, "provider catalog (TOML)");
  v("inference", "psl_file", c.inference.psl_file, "public suffix list");
  v("inference", "threshold", c.inference.threshold, "misidentification check threshold");
  v("inference", "keep_flagged", c.inference.keep_flagged, "keep flagged IDs (no fallback)");
}

// Reads a configuration file over the defaults. Relative paths in it are taken
// relative to the file's folder. Throws ConfigError naming file:line.
ScanConfig load_scan_config(const std::string& path);

// Parses TOML text over `base` (source names the origin in errors).
ScanConfig parse_scan_config(std::string_view toml_text, const std::string& source,
                             ScanConfig base = {});

// The configuration as TOML text and as one JSON object (for the manifest).
std::string to_toml(const ScanConfig& c);
std::string to_json(const ScanConfig& c);

}  // namespace mxscan
