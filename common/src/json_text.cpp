#include "mxscan/common/json_text.hpp"

#include <fmt/format.h>

#include <array>
#include <cmath>

namespace mxscan::json {
namespace {

// Length of the valid UTF-8 sequence starting at text[i], or 0 when the byte
// there does not start one (RFC 3629 table 3).
std::size_t utf8_sequence_length(std::string_view text, std::size_t i) noexcept {
  const auto byte = [&](std::size_t k) { return static_cast<unsigned char>(text[k]); };
  const unsigned char b0 = byte(i);
  const std::size_t left = text.size() - i;
  const auto cont = [&](std::size_t k) { return (byte(i + k) & 0xC0U) == 0x80U; };
  if (b0 >= 0xC2 && b0 <= 0xDF) {
    return left >= 2 && cont(1) ? 2 : 0;
  }
  if (b0 >= 0xE0 && b0 <= 0xEF) {
    if (left < 3 || !cont(1) || !cont(2)) return 0;
    const unsigned char b1 = byte(i + 1);
    if (b0 == 0xE0 && b1 < 0xA0) return 0;   // overlong
    if (b0 == 0xED && b1 >= 0xA0) return 0;  // UTF-16 surrogate
    return 3;
  }
  if (b0 >= 0xF0 && b0 <= 0xF4) {
    if (left < 4 || !cont(1) || !cont(2) || !cont(3)) return 0;
    const unsigned char b1 = byte(i + 1);
    if (b0 == 0xF0 && b1 < 0x90) return 0;   // overlong
    if (b0 == 0xF4 && b1 >= 0x90) return 0;  // above U+10FFFF
    return 4;
  }
  return 0;
}

// Bytes that leave the fast path: controls (DEL too), quote, backslash, non-ASCII.
constexpr std::array<bool, 256> kSpecial = [] {
  std::array<bool, 256> t{};
  for (std::size_t c = 0; c < 256; ++c)
    t[c] = c < 0x20 || c == 0x7f || c == '"' || c == '\\' || c >= 0x80;
  return t;
}();

constexpr std::string_view kReplacement = "\xEF\xBF\xBD";  // U+FFFD

}  // namespace

void append_string(std::string& out, std::string_view text) {
  out.push_back('"');
  std::size_t run = 0;  // start of the pending run of plain bytes
  std::size_t i = 0;
  while (i < text.size()) {
    const auto c = static_cast<unsigned char>(text[i]);
    if (!kSpecial[c]) {
      ++i;
      continue;
    }
    // C1 controls (U+0080..U+009F, e.g. U+009B CSI) are valid UTF-8 that some terminals
    // obey: escaped like C0 controls, so a JSONL line printed raw moves no cursor.
    const bool c1 = c == 0xC2 && i + 1 < text.size() &&
                    static_cast<unsigned char>(text[i + 1]) <= 0x9F &&
                    static_cast<unsigned char>(text[i + 1]) >= 0x80;
    if (c >= 0x80 && !c1) {
      if (const std::size_t n = utf8_sequence_length(text, i); n != 0) {
        i += n;  // valid multi-byte sequence: copied verbatim with the run
        continue;
      }
    }
    out.append(text.data() + run, i - run);
    if (c1 || c == 0x7f) {
      constexpr std::string_view kHex = "0123456789abcdef";
      const auto v = c1 ? static_cast<unsigned char>(text[i + 1]) : c;
      out.append("\\u00");
      out.push_back(kHex[v >> 4U]);
      out.push_back(kHex[v & 0xFU]);
      i += c1 ? 2 : 1;
      run = i;
      continue;
    }
    switch (c) {
      case '"':
        out.append("\\\"");
        break;
      case '\\':
        out.append("\\\\");
        break;
      case '\b':
        out.append("\\b");
        break;
      case '\f':
        out.append("\\f");
        break;
      case '\n':
        out.append("\\n");
        break;
      case '\r':
        out.append("\\r");
        break;
      case '\t':
        out.append("\\t");
        break;
      default:
        if (c < 0x20) {
          constexpr std::string_view kHex = "0123456789abcdef";
          out.append("\\u00");
          out.push_back(kHex[c >> 4U]);
          out.push_back(kHex[c & 0xFU]);
        } else {
          out.append(kReplacement);
        }
    }
    ++i;
    run = i;
  }
  out.append(text.data() + run, text.size() - run);
  out.push_back('"');
}

void append_string_or_null(std::string& out, std::string_view text) {
  if (text.empty()) {
    out.append("null");
  } else {
    append_string(out, text);
  }
}

void append_string_array(std::string& out, const std::vector<std::string>& items) {
  append_array(out, items, [](std::string& o, const std::string& item) { append_string(o, item); });
}

void append_uint(std::string& out, std::uint64_t value) {
  const fmt::format_int text(value);
  out.append(text.data(), text.size());
}

void append_bool(std::string& out, bool value) { out.append(value ? "true" : "false"); }

void append_double(std::string& out, double value) {
  if (!std::isfinite(value)) {
    out.append("null");
    return;
  }
  // Whole numbers (most credits, scores, durations) take the integer path.
  if (value >= 0 && value < 1e15 &&
      value == static_cast<double>(static_cast<std::uint64_t>(value))) {
    append_uint(out, static_cast<std::uint64_t>(value));
    return;
  }
  std::array<char, 32> buf{};
  const auto* end = fmt::format_to(buf.data(), "{}", value);
  out.append(buf.data(), static_cast<std::size_t>(end - buf.data()));
}

bool is_valid_utf8(std::string_view text) noexcept {
  std::size_t i = 0;
  while (i < text.size()) {
    if (static_cast<unsigned char>(text[i]) < 0x80) {
      ++i;
      continue;
    }
    const std::size_t n = utf8_sequence_length(text, i);
    if (n == 0) return false;
    i += n;
  }
  return true;
}

}  // namespace mxscan::json
