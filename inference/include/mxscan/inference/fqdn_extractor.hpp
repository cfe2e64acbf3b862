// Extracting the server's FQDN from an SMTP banner or EHLO reply (docs/method.md,
// "FQDN extraction"): rules 1-3, syntax only. Whether the name yields a
// provider ID (ignored names, token overrides, registered domain: rules 4-6) is
// decided by reply_identity.hpp.
#pragma once

#include <array>
#include <optional>
#include <string>
#include <string_view>

namespace mxscan {

// A syntactically valid host name: ASCII labels of [A-Za-z0-9_-] (1-63 chars,
// no leading or trailing '-'), at least two labels, alphabetic TLD of 2+ letters.
bool is_valid_fqdn(std::string_view name) noexcept;

// The candidate tokens of a reply in the order the method tries them, stripped
// of whitespace and `:,;!.`: the reply-code candidate (rule 1) when the first
// line starts with a 3-digit code followed by '-' or a space, then the last
// word of that line (rule 2). Views into `reply`; empty tokens are left out.
struct ReplyCandidates {
  std::array<std::string_view, 2> items{};
  std::size_t count = 0;

  const std::string_view* begin() const noexcept { return items.data(); }
  const std::string_view* end() const noexcept { return items.data() + count; }
  std::size_t size() const noexcept { return count; }
  bool empty() const noexcept { return count == 0; }
  std::string_view operator[](std::size_t i) const noexcept { return items[i]; }
};
ReplyCandidates reply_candidates(std::string_view reply) noexcept;

// The lower-cased first valid candidate, or nullopt when none is valid.
std::optional<std::string> extract_fqdn(std::string_view reply);

}  // namespace mxscan
