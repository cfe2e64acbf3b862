#include "mxscan/scanner/smtp/smtp_options.hpp"

#include <netdb.h>
#include <sys/resource.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>

namespace mxscan {

void SmtpOptions::validate() const {
  auto fail = [](const std::string& what) { throw std::runtime_error("SMTP options: " + what); };
  if (port == 0) fail("--smtp-port must be 1..65535");
  if (timeouts.connect.count() <= 0 || timeouts.greeting.count() <= 0 ||
      timeouts.reply.count() <= 0 || timeouts.tls_handshake.count() <= 0 ||
      timeouts.session.count() <= 0)
    fail("timeouts must be positive");
  if (reply_limits.max_line_bytes < 16 || reply_limits.max_lines < 1 ||
      reply_limits.max_reply_bytes < reply_limits.max_line_bytes)
    fail("reply limits too small (line >= 16 bytes, reply >= one line)");
  if (max_chain_certs < 1 || max_chain_bytes < 1024) fail("chain caps too small");
  if (sessions_per_s < 0 || prefix_sessions_per_s < 0) fail("rates must be >= 0 (0: unlimited)");
  if (shuffle_window < 1) fail("shuffle window must be >= 1");
  if (threads < 1 || threads > 64) fail("threads must be 1..64");
  if (retries > 10) fail("retries must be <= 10");
  if (!ehlo_name.empty() && !is_fqdn(ehlo_name))
    fail("--ehlo-name '" + ehlo_name + "' is not a fully-qualified domain name");
}

bool is_fqdn(std::string_view name) noexcept {
  if (!name.empty() && name.back() == '.') name.remove_suffix(1);
  if (name.empty() || name.size() > 253) return false;
  std::size_t labels = 0;
  std::string_view last;
  while (!name.empty()) {
    const auto dot = name.find('.');
    const std::string_view label = name.substr(0, dot);
    if (label.empty() || label.size() > 63 || label.front() == '-' || label.back() == '-')
      return false;
    for (char c : label) {
      const bool ok =
          (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-';
      if (!ok) return false;
    }
    ++labels;
    last = label;
    name = dot == std::string_view::npos ? std::string_view{} : name.substr(dot + 1);
  }
  if (labels < 2) return false;
  // The top-level label is never all digits (that would be an address, not a name).
  for (char c : last)
    if (c < '0' || c > '9') return true;
  return false;
}

std::string resolve_ehlo_name(const std::string& configured) {
  if (!configured.empty()) {
    if (!is_fqdn(configured)) {
      throw std::runtime_error("--ehlo-name '" + configured +
                               "' is not a fully-qualified domain name");
    }
    return configured;
  }
  char host[256] = {};
  if (gethostname(host, sizeof host - 1) != 0) host[0] = '\0';
  std::string candidate = host;
  if (!is_fqdn(candidate) && !candidate.empty()) {
    // /etc/hosts usually holds the canonical name; getaddrinfo consults it first.
    addrinfo hints{};
    hints.ai_flags = AI_CANONNAME;
    hints.ai_family = AF_UNSPEC;
    addrinfo* res = nullptr;
    if (getaddrinfo(candidate.c_str(), nullptr, &hints, &res) == 0 && res) {
      if (res->ai_canonname) candidate = res->ai_canonname;
      freeaddrinfo(res);
    }
  }
  if (!is_fqdn(candidate)) {
    throw std::runtime_error(
        "this host's name '" + std::string(host) +
        "' is not a fully-qualified domain name; pass --ehlo-name FQDN, a name "
        "whose reverse DNS and web page explain the scan and how to opt out");
  }
  if (candidate.back() == '.') candidate.pop_back();
  return candidate;
}

std::size_t fds_needed(const SmtpOptions& options) noexcept {
  const std::size_t in_flight = options.max_in_flight == 0 ? 65'536 : options.max_in_flight;
  return in_flight + 64;  // DNS sockets, output files, listeners in tests
}

void ensure_fd_limit(std::size_t needed) {
  rlimit lim{};
  if (getrlimit(RLIMIT_NOFILE, &lim) != 0)
    throw std::runtime_error(std::string("getrlimit(RLIMIT_NOFILE): ") + std::strerror(errno));
  if (lim.rlim_cur != RLIM_INFINITY && lim.rlim_cur >= needed) return;
  if (lim.rlim_cur == RLIM_INFINITY) return;
  rlimit want = lim;
  want.rlim_cur = needed;
  if (lim.rlim_max != RLIM_INFINITY && lim.rlim_max < needed)
    want.rlim_max = needed;  // privileged only
  if (setrlimit(RLIMIT_NOFILE, &want) == 0) return;
  throw std::runtime_error(
      "open-file limit too low: " + std::to_string(needed) +
      " descriptors needed for the configured sessions in flight, soft limit " +
      std::to_string(lim.rlim_cur) + ", hard limit " + std::to_string(lim.rlim_max) +
      "; lower --max-in-flight or raise the limit (ulimit -n)");
}

}  // namespace mxscan
