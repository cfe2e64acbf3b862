#include "mxscan/scanner/run/stage_options.hpp"

#include <chrono>
#include <limits>
#include <utility>

namespace mxscan {
namespace {

std::chrono::milliseconds ms(std::int64_t v) { return std::chrono::milliseconds(v); }

// A setting beyond the range of a narrower option type becomes that type's
// limit, which the stage's checks reject, rather than wrapping: 4294967298
// retries must not turn into 2.
template <typename T>
T saturate(std::int64_t v) {
  if (std::in_range<T>(v)) return static_cast<T>(v);
  return v < 0 && std::numeric_limits<T>::is_signed ? std::numeric_limits<T>::min()
                                                    : std::numeric_limits<T>::max();
}

}  // namespace

DnsOptions dns_options(const ScanConfig& c) {
  DnsOptions o;
  o.resolvers = c.dns.resolvers;
  o.timeout = ms(c.dns.timeout_ms);
  o.retries = saturate<int>(c.dns.retries);
  o.qps = c.dns.rate;
  o.max_in_flight = static_cast<std::size_t>(c.dns.max_in_flight);
  o.channels = static_cast<std::size_t>(c.dns.channels);
  o.threads = static_cast<std::size_t>(c.dns.threads);
  o.max_mx = static_cast<std::size_t>(c.dns.max_mx);
  o.signals = c.dns.signals;
  o.ipv6 = c.smtp.ipv6;
  return o;
}

SmtpOptions smtp_options(const ScanConfig& c) {
  SmtpOptions o;
  o.ehlo_name = c.smtp.ehlo_name;
  o.port = std::in_range<std::uint16_t>(c.smtp.port) ? static_cast<std::uint16_t>(c.smtp.port) : 0;
  o.sni = c.smtp.sni;
  o.ca_file = c.smtp.ca_file;
  o.timeouts.connect = ms(c.smtp.connect_timeout_ms);
  o.timeouts.greeting = ms(c.smtp.greeting_timeout_ms);
  o.timeouts.reply = ms(c.smtp.reply_timeout_ms);
  o.timeouts.tls_handshake = ms(c.smtp.tls_timeout_ms);
  o.timeouts.session = ms(c.smtp.session_timeout_ms);
  o.reply_limits.max_line_bytes = static_cast<std::size_t>(c.smtp.max_line_bytes);
  o.reply_limits.max_lines = static_cast<std::size_t>(c.smtp.max_reply_lines);
  o.reply_limits.max_reply_bytes = static_cast<std::size_t>(c.smtp.max_reply_bytes);
  o.max_chain_bytes = static_cast<std::size_t>(c.smtp.max_chain_bytes);
  o.max_chain_certs = static_cast<std::size_t>(c.smtp.max_chain_certs);
  // Every blocklist comes from the configuration (the shipped one names
  // configs/blocklist.conf), so there is no second, cwd-relative default.
  o.default_blocklist.clear();
  o.blocklist_files = c.conduct.blocklists;
  o.allow = c.conduct.allow;
  o.ipv6 = c.smtp.ipv6;
  o.sessions_per_s = c.smtp.rate;
  o.max_in_flight = static_cast<std::size_t>(c.smtp.concurrency);
  o.prefix_sessions_per_s = c.smtp.per24_rate;
  o.prefix_max_in_flight = static_cast<std::size_t>(c.smtp.per24_in_flight);
  o.retries = saturate<unsigned>(c.smtp.connect_retries);
  o.threads = saturate<unsigned>(c.smtp.threads);
  return o;
}

}  // namespace mxscan
