// Everything the SMTP/TLS stage and its conduct gate can be told, as one plain
// value the CLI fills from configuration and flags.
//
// Design note. Defaults are the conduct defaults of docs/conduct.md; a zero
// rate or cap means "off" (benchmarks and lab runs only). The struct carries no
// behaviour beyond validate(), which turns every inconsistent setting into one
// clear message before anything is contacted.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "mxscan/scanner/smtp/smtp_reply.hpp"

namespace mxscan {

struct SmtpTimeouts {
  std::chrono::milliseconds connect{10'000};
  std::chrono::milliseconds greeting{30'000};  // RFC 5321 4.5.3.2 suggests 5 min; scanners use less
  std::chrono::milliseconds reply{30'000};     // each later reply (EHLO, STARTTLS, QUIT)
  std::chrono::milliseconds tls_handshake{15'000};
  std::chrono::milliseconds session{120'000};  // hard cap on the whole session
};

struct SmtpOptions {
  // --- what is said
  std::string ehlo_name;    // --ehlo-name; empty: the host's FQDN (must be a FQDN)
  std::uint16_t port = 25;  // --smtp-port
  bool sni = false;         // --sni: send the exchange name as SNI (when known)
  std::string ca_file;      // --ca-file PEM: replaces the system trust store
  SmtpTimeouts timeouts;
  ReplyLimits reply_limits;
  std::size_t max_chain_certs = 16;       // certificates kept per chain
  std::size_t max_chain_bytes = 102'400;  // certificate message accepted (OpenSSL's own default)

  // --- who is contacted
  std::string default_blocklist = "configs/blocklist.conf";  // "" disables it (explicitly)
  std::vector<std::string> blocklist_files;  // --blocklist FILE (repeatable), added to the default
  std::vector<std::string> allow;            // --allow CIDR (repeatable), lifts blocklisted ranges
  bool ipv6 = false;                         // --ipv6

  // --- how fast (0 = unlimited)
  double sessions_per_s = 200;           // global new sessions per second
  std::size_t max_in_flight = 1000;      // global sessions in flight
  double prefix_sessions_per_s = 1;      // new sessions per second per /24 (IPv4) or /48 (IPv6)
  std::size_t prefix_max_in_flight = 2;  // sessions in flight per /24 or /48
  std::size_t shuffle_window = 4096;     // addresses buffered and shuffled before dispatch
  std::uint64_t shuffle_seed = 0;        // 0: random seed per run

  // --- retries (connect timeout or reset before any reply only)
  unsigned retries = 1;
  std::chrono::milliseconds retry_backoff{2'000};  // doubled per attempt

  unsigned threads = 1;  // worker threads (event loops), one lane each: addresses by /24 or /48
  // --- what is reported
  std::function<void()> on_connect;  // called from the workers just before each connect is begun

  // Throws std::runtime_error with a message naming the option at fault.
  void validate() const;
};

// True for a syntactically valid fully-qualified host name (two or more LDH labels,
// alphabetic top-level label, at most 253 characters, no trailing dot needed).
bool is_fqdn(std::string_view name) noexcept;

// The EHLO name to use: `configured` when set (must be a FQDN), else this host's
// FQDN. Throws std::runtime_error explaining how to fix it when neither is a FQDN.
std::string resolve_ehlo_name(const std::string& configured);

// Makes sure this process may hold `needed` descriptors, raising the soft (and,
// when privileged, hard) RLIMIT_NOFILE; throws std::runtime_error otherwise.
void ensure_fd_limit(std::size_t needed);

// Descriptors a stage with these options needs (sessions in flight plus a margin).
std::size_t fds_needed(const SmtpOptions& options) noexcept;

}  // namespace mxscan
