#include "mxscan/scanner/run/progress_line.hpp"

#include <fmt/format.h>
#include <sys/ioctl.h>

#include <algorithm>
#include <cmath>
#include <numeric>

namespace mxscan {

std::string format_duration(double seconds) {
  if (!std::isfinite(seconds) || seconds < 0) return "--:--:--";
  auto s = static_cast<unsigned long long>(seconds);
  return fmt::format("{:02}:{:02}:{:02}", s / 3600, s / 60 % 60, s % 60);
}

std::vector<ProgressField> progress_fields(const ScanSnapshot& now, const ScanSnapshot& prev,
                                           double elapsed_s, double interval_s) {
  auto rate = [&](std::uint64_t a, std::uint64_t b) {
    return interval_s > 0 && a >= b ? static_cast<double>(a - b) / interval_s : 0.0;
  };
  std::vector<ProgressField> fields;
  fields.push_back({0, format_duration(elapsed_s)});
  if (now.domains_total) {
    double pct = *now.domains_total == 0 ? 100.0
                                         : 100.0 * static_cast<double>(now.domains_done) /
                                               static_cast<double>(*now.domains_total);
    fields.push_back(
        {0, fmt::format("domains {}/{} ({:.1f}%)", now.domains_done, *now.domains_total, pct)});
  } else {
    fields.push_back({0, fmt::format("domains {}", now.domains_done)});
  }
  fields.push_back({3, fmt::format("dns {:.0f} q/s", rate(now.dns_queries, prev.dns_queries))});
  // Sessions opened (connects begun), not addresses queued: what the servers
  // see, beside the limit it must stay under.
  std::string smtp = fmt::format("smtp {:.1f}/s", rate(now.smtp_connects, prev.smtp_connects));
  if (now.smtp_rate_limit) {
    smtp += *now.smtp_rate_limit > 0 ? fmt::format(" (limit {:g}/s)", *now.smtp_rate_limit)
                                     : std::string(" (no limit)");
  }
  fields.push_back({1, std::move(smtp)});
  fields.push_back(
      {4, fmt::format("in-flight dns {} smtp {}", now.dns_in_flight, now.smtp_in_flight)});
  // ETA from the average pace so far: steadier than the last second's.
  if (now.domains_total && now.domains_done > 0 && elapsed_s > 0) {
    double left =
        static_cast<double>(*now.domains_total - std::min(now.domains_done, *now.domains_total));
    fields.push_back(
        {2, "eta " + format_duration(left * elapsed_s / static_cast<double>(now.domains_done))});
  } else {
    fields.push_back({2, "eta --:--:--"});
  }
  std::string dns;
  for (std::size_t i = 0; i < kDnsStatusCount; ++i) {
    if (now.domains_by_status[i] == 0) continue;
    dns += fmt::format(" {} {}", to_string(static_cast<DnsStatus>(i)), now.domains_by_status[i]);
  }
  if (now.domains_invalid > 0) dns += fmt::format(" invalid {}", now.domains_invalid);
  std::string hosts;
  for (std::size_t i = 0; i < kSmtpStatusCount; ++i) {
    if (now.hosts_by_status[i] == 0) continue;
    hosts += fmt::format(" {} {}", to_string(static_cast<SmtpStatus>(i)), now.hosts_by_status[i]);
  }
  if (!dns.empty() || !hosts.empty()) {
    fields.push_back({5, "|" + dns});
    fields.push_back({6, "|" + hosts});
  }
  return fields;
}

std::string render_progress(const ScanSnapshot& now, const ScanSnapshot& prev, double elapsed_s,
                            double interval_s) {
  return fit_progress(progress_fields(now, prev, elapsed_s, interval_s), std::string::npos);
}

std::string fit_progress(const std::vector<ProgressField>& fields, std::size_t columns) {
  const std::size_t room =
      columns == std::string::npos || columns == 0 ? std::string::npos : columns - 1;
  // Most important first (stable: among equals, the earlier field), up to the
  // first that does not fit: it and every less important one are left out
  // whole, so what is shown never depends on how long a number happens to be
  // below that rank.
  std::vector<std::size_t> order(fields.size());
  std::iota(order.begin(), order.end(), std::size_t{0});
  std::stable_sort(order.begin(), order.end(),
                   [&](std::size_t a, std::size_t b) { return fields[a].rank < fields[b].rank; });
  std::vector<bool> shown(fields.size(), false);
  std::size_t used = 0;
  for (std::size_t i : order) {
    const std::size_t need = fields[i].text.size() + (used == 0 ? 0 : 1);
    if (room != std::string::npos && used + need > room) break;
    shown[i] = true;
    used += need;
  }
  std::string line;
  for (std::size_t i = 0; i < fields.size(); ++i) {
    if (!shown[i]) continue;
    if (!line.empty()) line += ' ';
    line += fields[i].text;
  }
  return line;
}

std::size_t terminal_columns(int fd) {
  winsize ws{};
  if (ioctl(fd, TIOCGWINSZ, &ws) != 0 || ws.ws_col == 0) return 80;
  return ws.ws_col;
}

std::string progress_output(const std::string& line, bool terminal) {
  return terminal ? "\r" + line + "\x1b[K" : line + "\n";
}

}  // namespace mxscan
