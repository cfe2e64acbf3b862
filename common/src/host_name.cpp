#include "mxscan/common/host_name.hpp"

#include "mxscan/common/names.hpp"

namespace mxscan {

std::optional<std::string_view> host_name_problem(std::string_view name) noexcept {
  if (name.empty()) return "empty name";
  if (name.find("://") != std::string_view::npos || name.find('/') != std::string_view::npos) {
    return "a URL, not a domain name";
  }
  if (is_ip_literal(name)) return "an IP address literal, not a domain name";
  if (name.size() > 253) return "name longer than 253 octets";
  std::size_t label_start = 0;
  bool last_all_digits = true;
  for (std::size_t i = 0; i <= name.size(); ++i) {
    if (i == name.size() || name[i] == '.') {
      std::size_t len = i - label_start;
      if (len == 0) return "empty label";
      if (len > 63) return "label longer than 63 octets";
      if (name[label_start] == '-' || name[i - 1] == '-') return "label starts or ends with '-'";
      last_all_digits = true;
      for (std::size_t j = label_start; j < i; ++j) {
        if (name[j] < '0' || name[j] > '9') last_all_digits = false;
      }
      label_start = i + 1;
      continue;
    }
    char c = name[i];
    bool ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-';
    if (!ok) {
      if (c >= 'A' && c <= 'Z') return "upper-case letter (name not normalised)";
      return "character not allowed in a host name";
    }
  }
  if (last_all_digits) return "all-numeric top-level label";
  return std::nullopt;
}

}  // namespace mxscan
