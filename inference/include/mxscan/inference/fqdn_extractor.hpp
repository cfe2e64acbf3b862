// Extracting the server's FQDN from an SMTP banner or EHLO reply (METHOD.md,
// "FQDN extraction"): rules 1-3, syntax only. Whether the name yields a
// provider ID (registered domain, ignored names) is decided by the caller.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace mxscan::inference {

// A syntactically valid host name: ASCII labels of [A-Za-z0-9_-] (1-63 chars,
// no leading or trailing '-'), at least two labels, alphabetic TLD of 2+ letters.
bool is_valid_fqdn(std::string_view name) noexcept;

// The lower-cased FQDN candidate of a reply, or nullopt when none is valid.
std::optional<std::string> extract_fqdn(std::string_view reply);

}  // namespace mxscan::inference
