#include "mxscan/inference/dns_errors.hpp"

#include <fmt/format.h>

#include <string_view>

namespace mxscan {

std::string dns_error_cause(const DomainResult& result) {
  constexpr std::string_view kPrefix = "MX lookup failed: ";
  std::string_view reason = result.reason;
  if (!reason.starts_with(kPrefix)) return "other";
  reason.remove_prefix(kPrefix.size());
  const auto end = reason.find_first_of(" (");
  reason = reason.substr(0, end);
  return reason.empty() ? std::string("other") : std::string(reason);
}

bool mostly_dns_errors(std::uint64_t errors, std::uint64_t total) noexcept {
  return total > 0 && errors * 2 > total;
}

std::string dns_error_sentence(std::uint64_t errors, std::uint64_t total,
                               const DnsErrorCauses& causes) {
  if (errors == 0) return {};
  std::string list;
  for (const auto& [cause, n] : causes) {
    if (!list.empty()) list += ", ";
    list += fmt::format("{} {}", cause, n);
  }
  std::string out = fmt::format(
      "{} of {} domains ({:.1f} %) ended in DNS errors: {}", errors, total,
      100.0 * static_cast<double>(errors) / static_cast<double>(total == 0 ? 1 : total), list);
  if (mostly_dns_errors(errors, total)) {
    out +=
        ". Most of this run measured its DNS resolver, not the domains: check that the "
        "resolver answers (scan.log) and scan again";
  }
  return out;
}

}  // namespace mxscan
