// The observation model: what the scanner saw, and all the inference may use.
//
// Design note. Two record kinds cross the seam between scanner and inference:
// a DomainObs per input domain (its MX records and the addresses of each
// exchange, with the DNS outcome of every lookup) and a HostObs per contacted
// (address, port), shared by every domain behind that address. They are plain
// values: the scanner fills them, writers serialise them (docs/formats.md), and
// the inference reads them, in any order. Expected failures are statuses here,
// never exceptions. Each record's reset() gives every field its default value,
// as a fresh record would have, but keeps the buffers of its strings and lists:
// readers reuse one record per line, and a field added to a struct is reset
// without being named anywhere else (operator== likewise covers every field).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace mxscan {

// Outcome of one DNS lookup (an MX query for a domain, or A/AAAA for an exchange).
enum class DnsStatus : std::uint8_t {
  ok,               // answer with records
  nodata,           // name exists, no records of the type
  nxdomain,         // name does not exist
  servfail,         // server failure
  refused,          // query refused
  timeout,          // no answer after all retries
  error,            // any other failure (FORMERR, malformed answer, ...)
  null_mx,          // RFC 7505 "0 ." (MX lookups only)
  invalid_name,     // input or exchange is not a valid host name
  address_literal,  // exchange is an IP literal, not a host name
  cname_loop,       // CNAME chain too long or looping
  not_queried,      // lookup not attempted (dry run, excluded, shard filter)
};

// Phase an SMTP session reached (the last one started).
enum class SmtpPhase : std::uint8_t {
  none,  // never started (blocked, not contacted)
  connect,
  greeting,
  ehlo,
  starttls,
  tls_handshake,
  ehlo_tls,
  quit,
  done,
};

// Outcome of an SMTP session with one (address, port).
enum class SmtpStatus : std::uint8_t {
  success,
  refused,
  connect_timeout,
  reset,
  closed,
  greeting_timeout,
  not_smtp,
  greeting_4xx,
  greeting_5xx,
  ehlo_failed,
  starttls_refused,
  tls_failed,
  io_timeout,
  protocol_error,
  blocked,        // address is on the blocklist: never contacted
  not_contacted,  // dry run / interrupted before admission
};

std::string_view to_string(DnsStatus s) noexcept;
std::string_view to_string(SmtpPhase p) noexcept;
std::string_view to_string(SmtpStatus s) noexcept;
// Parsers return std::nullopt on unknown text.
std::optional<DnsStatus> parse_dns_status(std::string_view s) noexcept;
std::optional<SmtpPhase> parse_smtp_phase(std::string_view s) noexcept;
std::optional<SmtpStatus> parse_smtp_status(std::string_view s) noexcept;

// One TLSA record (RFC 6698) as published; data is lower-case hex.
struct TlsaRecord {
  std::uint8_t usage = 0;
  std::uint8_t selector = 0;
  std::uint8_t matching_type = 0;
  std::string data_hex;
  bool operator==(const TlsaRecord&) const = default;
};

// The TLSA lookup at _25._tcp.<exchange> (DANE for SMTP, RFC 7672).
struct TlsaObs {
  DnsStatus status = DnsStatus::not_queried;
  // The resolver's AD bit: it claims to have validated the answer. Only as
  // trustworthy as the path to the resolver (docs/dns.md).
  bool authenticated = false;
  std::vector<TlsaRecord> records;
  bool operator==(const TlsaObs&) const = default;
};

// One MX record of a domain and what its exchange resolved to.
struct MxRecord {
  std::string exchange;  // normalised: lower case, no trailing dot
  std::uint16_t preference = 0;
  DnsStatus addr_status = DnsStatus::not_queried;  // A/AAAA outcome for exchange
  std::vector<std::string> cnames;                 // CNAME chain followed, if any
  std::vector<std::string> addresses;              // textual IPv4/IPv6 addresses
  // Only for primary exchanges (lowest preference), when signals are collected.
  std::optional<TlsaObs> tlsa{};
  // As if default-constructed, but keeping the buffers (see the note above).
  void reset() noexcept;
  bool operator==(const MxRecord&) const = default;
};

// SPF (RFC 7208): the domain's record and the names its include:/redirect= reach.
// Nothing is evaluated against a sender: ip4/ip6/a/mx only count as lookups.
struct SpfObs {
  DnsStatus status = DnsStatus::not_queried;  // the TXT query at the domain
  std::string record;                         // the one v=spf1 record ("" if none)
  // Names whose SPF was fetched via include:/redirect=, normalised, first met first, no repeats.
  std::vector<std::string> reached;
  std::string result;         // "ok" | "none" | "permerror" | "temperror" ("" when not queried)
  std::string error;          // detail of a permerror/temperror
  std::uint32_t lookups = 0;  // DNS-querying terms counted (RFC 7208 4.6.4)
  bool operator==(const SpfObs&) const = default;
};

// An MTA-STS policy fetched over HTTPS (RFC 8461), only with --mta-sts.
struct MtaStsPolicy {
  // "ok" | "bad_certificate" | "redirect" | "too_large" | "timeout" | "http_error" |
  // "malformed" | "blocked" | "no_address" | "connect_failed"
  std::string status;
  std::string error;
  std::string mode;             // enforce | testing | none
  std::vector<std::string> mx;  // mx patterns as published
  std::uint64_t max_age = 0;
  bool covers_mx = false;  // every observed MX exchange matches a pattern
  bool operator==(const MtaStsPolicy&) const = default;
};

struct MtaStsObs {
  DnsStatus status = DnsStatus::not_queried;  // TXT _mta-sts.<domain>
  std::string record;                         // the v=STSv1 record ("" if none)
  std::string id;
  std::optional<MtaStsPolicy> policy{};
  bool operator==(const MtaStsObs&) const = default;
};

// TLS-RPT (RFC 8460): TXT _smtp._tls.<domain>.
struct TlsRptObs {
  DnsStatus status = DnsStatus::not_queried;
  std::string record;
  std::vector<std::string> rua;  // URIs as published
  bool operator==(const TlsRptObs&) const = default;
};

// DMARC (RFC 7489): TXT _dmarc.<domain>.
struct DmarcObs {
  DnsStatus status = DnsStatus::not_queried;
  std::string record;
  std::string policy;            // p=
  std::vector<std::string> rua;  // URIs as published (mailto:...)
  std::vector<std::string> ruf;
  bool operator==(const DmarcObs&) const = default;
};

// What a domain publishes beyond its MX records.
struct DomainSignals {
  SpfObs spf;
  MtaStsObs mta_sts;
  TlsRptObs tls_rpt;
  DmarcObs dmarc;
  bool operator==(const DomainSignals&) const = default;
};

struct DomainObs {
  std::string domain;      // normalised A-label form (or raw text when invalid)
  std::uint64_t line = 0;  // 1-based line of the input list (0: unknown)
  DnsStatus mx_status = DnsStatus::not_queried;
  bool mx_capped = false;           // more MX records than the cap: list truncated
  std::vector<std::string> cnames;  // CNAME chain followed from the domain to its MX records
  std::vector<MxRecord> mx;         // sorted by preference, then exchange
  std::string error;                // human-readable detail of a failure (may be empty)
  // Absent: not collected (--signals off, older files, imports without TXT answers).
  std::optional<DomainSignals> signals{};
  // As if default-constructed, but keeping the buffers (see the note above).
  void reset() noexcept;
  bool operator==(const DomainObs&) const = default;
};

// The leaf certificate's fields the method and the report need.
struct CertificateInfo {
  std::string subject_cn;         // empty when absent
  std::vector<std::string> sans;  // dNSName entries, as presented
  std::string sha256;             // lower-case hex of the leaf DER
  std::string not_before;         // ISO 8601 UTC, e.g. 2026-01-01T00:00:00Z
  std::string not_after;
  // As if default-constructed, but keeping the buffers (see the note above).
  void reset() noexcept;
  bool operator==(const CertificateInfo&) const = default;
};

struct TlsObs {
  std::string version;                 // e.g. "TLSv1.3"
  std::string cipher;                  // OpenSSL cipher name
  std::vector<std::string> chain_der;  // DER bytes as sent by the server, leaf first
  CertificateInfo leaf;
  bool trusted = false;          // chains to the trust store (no hostname check)
  std::string verify_error;      // OpenSSL's text for the first error, "" if trusted
  bool chain_truncated = false;  // the server sent more certificates than were kept
  // As if default-constructed, but keeping the buffers (see the note above).
  void reset() noexcept;
  bool operator==(const TlsObs&) const = default;
};

struct HostObs {
  std::string address;  // textual IP
  std::uint16_t port = 25;
  std::optional<std::uint32_t> asn;  // nullopt: unknown (no ASN source or no match)
  std::string as_name;
  SmtpStatus status = SmtpStatus::not_contacted;
  SmtpPhase phase = SmtpPhase::none;
  std::string banner;    // full greeting reply (lines joined by "\n", CRLF removed)
  std::string ehlo;      // EHLO (or HELO) reply before TLS
  std::string ehlo_tls;  // EHLO reply after TLS
  bool starttls_offered = false;
  bool starttls_accepted = false;
  // Bytes the server sent after its 220 to STARTTLS and before the TLS handshake:
  // plaintext that a vulnerable client would treat as protected (STARTTLS injection).
  std::uint32_t plaintext_after_starttls = 0;
  std::optional<TlsObs> tls;  // present once a handshake completed
  std::string error;          // human-readable detail of a failure (may be empty)
  double duration_ms = 0;     // wall time of the session
  // As if default-constructed, but keeping the buffers (see the note above).
  void reset() noexcept;
  bool operator==(const HostObs&) const = default;
};

}  // namespace mxscan
