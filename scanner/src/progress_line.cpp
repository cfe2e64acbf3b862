#include "mxscan/scanner/progress_line.hpp"

#include <fmt/format.h>

#include <cmath>

namespace mxscan {

std::string format_duration(double seconds) {
  if (!std::isfinite(seconds) || seconds < 0) return "--:--:--";
  auto s = static_cast<unsigned long long>(seconds);
  return fmt::format("{:02}:{:02}:{:02}", s / 3600, s / 60 % 60, s % 60);
}

std::string render_progress(const ScanSnapshot& now, const ScanSnapshot& prev,
                            double elapsed_s, double interval_s) {
  auto rate = [&](std::uint64_t a, std::uint64_t b) {
    return interval_s > 0 ? static_cast<double>(a - b) / interval_s : 0.0;
  };
  std::string line = format_duration(elapsed_s);
  if (now.domains_total) {
    double pct = *now.domains_total == 0 ? 100.0
                                         : 100.0 * static_cast<double>(now.domains_done) /
                                               static_cast<double>(*now.domains_total);
    line += fmt::format(" domains {}/{} ({:.1f}%)", now.domains_done, *now.domains_total, pct);
  } else {
    line += fmt::format(" domains {}", now.domains_done);
  }
  line += fmt::format(" dns {:.0f} q/s smtp {:.0f} s/s in-flight dns {} smtp {}",
                      rate(now.dns_queries, prev.dns_queries),
                      rate(now.smtp_started, prev.smtp_started), now.dns_in_flight,
                      now.smtp_in_flight);
  // ETA from the average pace so far: steadier than the last second's.
  if (now.domains_total && now.domains_done > 0 && elapsed_s > 0) {
    double left = static_cast<double>(*now.domains_total - std::min(now.domains_done,
                                                                    *now.domains_total));
    line += " eta " + format_duration(left * elapsed_s / static_cast<double>(now.domains_done));
  } else {
    line += " eta --:--:--";
  }
  std::string dns;
  for (std::size_t i = 0; i < kDnsStatusCount; ++i) {
    if (now.domains_by_status[i] == 0) continue;
    dns += fmt::format(" {} {}", to_string(static_cast<DnsStatus>(i)), now.domains_by_status[i]);
  }
  if (now.domains_invalid > 0) dns += fmt::format(" invalid {}", now.domains_invalid);
  std::string smtp;
  for (std::size_t i = 0; i < kSmtpStatusCount; ++i) {
    if (now.hosts_by_status[i] == 0) continue;
    smtp += fmt::format(" {} {}", to_string(static_cast<SmtpStatus>(i)), now.hosts_by_status[i]);
  }
  if (!dns.empty() || !smtp.empty()) line += " |" + dns + " |" + smtp;
  return line;
}

std::string progress_output(const std::string& line, bool terminal) {
  return terminal ? "\r" + line + "\x1b[K" : line + "\n";
}

}  // namespace mxscan
