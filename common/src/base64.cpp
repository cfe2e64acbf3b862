#include "mxscan/common/base64.hpp"

#include <openssl/evp.h>

#include <algorithm>
#include <climits>

namespace mxscan::base64 {

void append_encoded(std::string& out, std::string_view bytes) {
  if (bytes.empty()) return;
  const std::size_t old_size = out.size();
  const std::size_t encoded = 4 * ((bytes.size() + 2) / 3);
  // EVP_EncodeBlock writes a terminating NUL after the encoding.
  out.resize(old_size + encoded + 1);
  auto* dst = reinterpret_cast<unsigned char*>(out.data() + old_size);
  const auto* src = reinterpret_cast<const unsigned char*>(bytes.data());
  // EVP takes an int length: encode in slices well below INT_MAX (a multiple of 3).
  constexpr std::size_t kSlice = 3U << 28U;
  std::size_t written = 0;
  for (std::size_t offset = 0; offset < bytes.size(); offset += kSlice) {
    const std::size_t n = std::min(kSlice, bytes.size() - offset);
    written +=
        static_cast<std::size_t>(EVP_EncodeBlock(dst + written, src + offset, static_cast<int>(n)));
  }
  out.resize(old_size + written);
}

std::string encode(std::string_view bytes) {
  std::string out;
  append_encoded(out, bytes);
  return out;
}

std::optional<std::string> decode(std::string_view text) {
  if (text.empty()) return std::string{};
  if (text.size() % 4 != 0 || text.size() > static_cast<std::size_t>(INT_MAX)) return std::nullopt;
  // EVP_DecodeBlock tolerates surrounding whitespace and does not report how much
  // padding it decoded; check the alphabet and padding here so only canonical
  // text is accepted, then trim the padding bytes from its output.
  std::size_t padding = 0;
  if (text.back() == '=') padding = text[text.size() - 2] == '=' ? 2 : 1;
  for (std::size_t i = 0; i < text.size() - padding; ++i) {
    const char c = text[i];
    const bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                    c == '+' || c == '/';
    if (!ok) return std::nullopt;
  }
  std::string out(3 * (text.size() / 4), '\0');
  const int n = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                reinterpret_cast<const unsigned char*>(text.data()),
                                static_cast<int>(text.size()));
  if (n < 0 || static_cast<std::size_t>(n) != out.size()) return std::nullopt;
  out.resize(out.size() - padding);
  return out;
}

}  // namespace mxscan::base64
