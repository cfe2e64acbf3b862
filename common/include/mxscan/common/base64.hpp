// Standard base64 (RFC 4648, with padding) through OpenSSL's EVP_EncodeBlock /
// EVP_DecodeBlock, used for certificate DER in hosts.jsonl.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace mxscan::base64 {

// Appends the encoding of `bytes` to `out`.
void append_encoded(std::string& out, std::string_view bytes);
std::string encode(std::string_view bytes);

// nullopt when `text` is not canonical padded base64 (length not a multiple of
// 4, characters outside the alphabet, misplaced padding, whitespace).
std::optional<std::string> decode(std::string_view text);

}  // namespace mxscan::base64
