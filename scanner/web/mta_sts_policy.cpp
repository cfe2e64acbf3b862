#include "mxscan/scanner/web/mta_sts_policy.hpp"

#include <algorithm>
#include <cctype>

namespace mxscan {
namespace {

constexpr std::uint64_t kMaxAge = 31'557'600;  // RFC 8461 3.2: about one year

std::string_view trim(std::string_view s) noexcept {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) {
    s.remove_suffix(1);
  }
  return s;
}

bool equal_nocase(std::string_view a, std::string_view b) noexcept {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) ==
                  std::tolower(static_cast<unsigned char>(y));
         });
}

std::string_view without_dot(std::string_view s) noexcept {
  if (!s.empty() && s.back() == '.') s.remove_suffix(1);
  return s;
}

ParsedMtaStsPolicy malformed(std::string error) {
  ParsedMtaStsPolicy p;
  p.error = std::move(error);
  return p;
}

}  // namespace

ParsedMtaStsPolicy parse_mta_sts_policy(std::string_view text) {
  ParsedMtaStsPolicy out;
  bool have_version = false, have_mode = false, have_max_age = false;
  std::size_t line_no = 0;
  while (!text.empty()) {
    const std::size_t end = text.find('\n');
    const std::string_view raw = text.substr(0, end);
    text = end == std::string_view::npos ? std::string_view{} : text.substr(end + 1);
    ++line_no;
    const std::string_view line = trim(raw);
    if (line.empty()) continue;
    const std::size_t colon = line.find(':');
    if (colon == std::string_view::npos || colon == 0) {
      return malformed("line " + std::to_string(line_no) + ": not a key: value field");
    }
    const std::string_view key = line.substr(0, colon);
    const std::string_view value = trim(line.substr(colon + 1));
    if (key == "version") {
      if (have_version) continue;
      if (value != "STSv1") return malformed("version " + std::string(value) + ", not STSv1");
      have_version = true;
    } else if (key == "mode") {
      if (have_mode) continue;
      if (value != "enforce" && value != "testing" && value != "none") {
        return malformed("mode " + std::string(value) + ", not enforce, testing or none");
      }
      out.mode = value;
      have_mode = true;
    } else if (key == "max_age") {
      if (have_max_age) continue;
      const bool digits = !value.empty() && value.size() <= 10 &&
                          std::all_of(value.begin(), value.end(), [](char c) {
                            return std::isdigit(static_cast<unsigned char>(c)) != 0;
                          });
      if (!digits) return malformed("max_age " + std::string(value) + ", not 1 to 10 digits");
      out.max_age = std::stoull(std::string(value));
      if (out.max_age > kMaxAge) {
        return malformed("max_age " + std::string(value) + " over 31557600");
      }
      have_max_age = true;
    } else if (key == "mx") {
      if (value.empty()) return malformed("an empty mx pattern");
      out.mx.emplace_back(value);
    }
    // Other fields are extensions: ignored (RFC 8461 3.2).
  }
  if (!have_version) return malformed("no version field");
  if (!have_mode) return malformed("no mode field");
  if (!have_max_age) return malformed("no max_age field");
  if (out.mx.empty() && out.mode != "none") return malformed("no mx pattern");
  out.ok = true;
  return out;
}

bool mx_pattern_matches(std::string_view pattern, std::string_view exchange) noexcept {
  pattern = without_dot(pattern);
  exchange = without_dot(exchange);
  if (pattern.empty() || exchange.empty()) return false;
  if (pattern.size() > 2 && pattern.substr(0, 2) == "*.") {
    // The wildcard is exactly one label: "*.example.com" takes "mx.example.com",
    // neither "example.com" nor "a.mx.example.com".
    const std::size_t dot = exchange.find('.');
    if (dot == 0 || dot == std::string_view::npos) return false;
    return equal_nocase(pattern.substr(2), exchange.substr(dot + 1));
  }
  return equal_nocase(pattern, exchange);
}

bool mx_patterns_cover(std::span<const std::string> patterns,
                       std::span<const std::string> exchanges) noexcept {
  if (exchanges.empty()) return false;
  return std::all_of(exchanges.begin(), exchanges.end(), [&](const std::string& exchange) {
    return std::any_of(patterns.begin(), patterns.end(),
                       [&](const std::string& p) { return mx_pattern_matches(p, exchange); });
  });
}

}  // namespace mxscan
