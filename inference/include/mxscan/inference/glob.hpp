// Glob matching for provider IDs such as `siteground*.com` (docs/providers-config.md).
//
// Design note. '*' matches any run of characters (dots included, as in the
// reference tool's matcher), '?' one character; everything else literally.
// Linear time with one backtrack point, no regex.
#pragma once

#include <string_view>

namespace mxscan {

bool glob_match(std::string_view pattern, std::string_view text) noexcept;

// True when the pattern has a '*' or '?'.
bool is_glob(std::string_view pattern) noexcept;

}  // namespace mxscan
