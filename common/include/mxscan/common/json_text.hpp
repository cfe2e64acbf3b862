// Writing JSON text by appending to a std::string.
//
// Design note. simdjson 3.0 parses but has no builder, and the JSONL writers
// are on the hot path of `mxscan infer` and of the scanner (a million lines a
// second), so this is a deliberately small appender instead of a DOM library
// (docs/dependencies.md, "JSON"). Its one job that needs care is strings:
// every control character is escaped, and bytes that are not valid UTF-8
// (banners are arbitrary bytes) are replaced by U+FFFD, one per offending
// byte, so every line written is valid JSON and valid UTF-8.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace mxscan::json {

// Appends `text` as a quoted, escaped JSON string.
void append_string(std::string& out, std::string_view text);

// Appends a JSON string, or null when `text` is empty.
void append_string_or_null(std::string& out, std::string_view text);

// Appends a JSON array of strings.
void append_string_array(std::string& out, const std::vector<std::string>& items);

void append_uint(std::string& out, std::uint64_t value);
void append_bool(std::string& out, bool value);
// Shortest text that reads back to the same double; null when not finite.
void append_double(std::string& out, double value);

// Appends `,"key":` (or `"key":` when `first`); keys are trusted literals.
inline void append_key(std::string& out, std::string_view key, bool first = false) {
  if (!first) out.push_back(',');
  out.push_back('"');
  out.append(key);
  out.append("\":");
}

// Appends a literal fragment such as `,"status":` in one step (the writers'
// fast path: one append per key instead of four).
template <std::size_t N>
inline void append_raw(std::string& out, const char (&literal)[N]) {
  out.append(literal, N - 1);
}

// Appends `[item,...]`, each item written by `append_item(out, item)`.
template <typename Range, typename AppendItem>
void append_array(std::string& out, const Range& items, AppendItem append_item) {
  out.push_back('[');
  bool first = true;
  for (const auto& item : items) {
    if (!first) out.push_back(',');
    first = false;
    append_item(out, item);
  }
  out.push_back(']');
}

// Appends `*value` written by `append_value(out, *value)`, or null when empty.
template <typename T, typename AppendValue>
void append_or_null(std::string& out, const std::optional<T>& value, AppendValue append_value) {
  if (value) {
    append_value(out, *value);
  } else {
    out.append("null");
  }
}

// True when `text` is valid UTF-8 (no overlongs, surrogates or code points
// above U+10FFFF).
bool is_valid_utf8(std::string_view text) noexcept;

}  // namespace mxscan::json
