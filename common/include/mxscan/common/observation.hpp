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

// One MX record of a domain and what its exchange resolved to.
struct MxRecord {
  std::string exchange;  // normalised: lower case, no trailing dot
  std::uint16_t preference = 0;
  DnsStatus addr_status = DnsStatus::not_queried;  // A/AAAA outcome for exchange
  std::vector<std::string> cnames;                 // CNAME chain followed, if any
  std::vector<std::string> addresses;              // textual IPv4/IPv6 addresses
  // As if default-constructed, but keeping the buffers (see the note above).
  void reset() noexcept;
  bool operator==(const MxRecord&) const = default;
};

struct DomainObs {
  std::string domain;      // normalised A-label form (or raw text when invalid)
  std::uint64_t line = 0;  // 1-based line of the input list (0: unknown)
  DnsStatus mx_status = DnsStatus::not_queried;
  bool mx_capped = false;           // more MX records than the cap: list truncated
  std::vector<std::string> cnames;  // CNAME chain followed from the domain to its MX records
  std::vector<MxRecord> mx;         // sorted by preference, then exchange
  std::string error;                // human-readable detail of a failure (may be empty)
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
