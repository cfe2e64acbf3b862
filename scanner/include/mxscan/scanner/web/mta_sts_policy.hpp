// An MTA-STS policy file (RFC 8461 3.2) read into its fields, and its mx patterns
// matched against a domain's MX exchanges.
//
// Design note. Pure functions, no I/O, so every rule is tested on text. The
// reader is strict where the RFC is (version STSv1, a known mode, max_age of at
// most ten digits and 31557600 s, at least one mx pattern unless the mode is
// none) and lenient where it says so (unknown fields ignored, LF or CRLF line
// ends, spaces after the colon). A field given twice keeps its first value,
// except mx, which may repeat. Patterns are kept as published.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace mxscan {

struct ParsedMtaStsPolicy {
  bool ok = false;
  std::string error;  // why it is malformed (the first problem met)
  std::string mode;   // enforce | testing | none
  std::vector<std::string> mx;
  std::uint64_t max_age = 0;
};

ParsedMtaStsPolicy parse_mta_sts_policy(std::string_view text);

// RFC 8461 3.2/4.1: `pattern` is a host name, or "*." and a name whose wildcard
// stands for exactly one leftmost label. Case-insensitive; trailing dots ignored.
bool mx_pattern_matches(std::string_view pattern, std::string_view exchange) noexcept;

// Every exchange matches some pattern; false when there is no exchange (nothing
// to cover: no MX, or a null MX).
bool mx_patterns_cover(std::span<const std::string> patterns,
                       std::span<const std::string> exchanges) noexcept;

}  // namespace mxscan
