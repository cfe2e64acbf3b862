#include "mxscan/common/json_text.hpp"

#include <catch2/catch.hpp>

#include <optional>
#include <string>
#include <vector>

using namespace mxscan;

namespace {
std::string quoted(std::string_view s) {
  std::string out;
  json::append_string(out, s);
  return out;
}
}  // namespace

TEST_CASE("json strings escape quotes, backslashes and every control character") {
  CHECK(quoted("plain") == "\"plain\"");
  CHECK(quoted("a\"b\\c") == "\"a\\\"b\\\\c\"");
  CHECK(quoted("\r\n\t\b\f") == "\"\\r\\n\\t\\b\\f\"");
  CHECK(quoted(std::string_view("a\0b", 3)) == "\"a\\u0000b\"");
  CHECK(quoted("\x1b[31m") == "\"\\u001b[31m\"");
  // DEL and the C1 controls (U+0080..U+009F as UTF-8; U+009B is a CSI some terminals obey)
  // are legal JSON as they are, but escaped so that a line printed raw moves no cursor.
  CHECK(quoted("\x1f\x7f") == "\"\\u001f\\u007f\"");
  CHECK(quoted("a\xC2\x9B"
               "6n\xC2\x80\xC2\x9F\xC2\xA0") == "\"a\\u009b6n\\u0080\\u009f\xC2\xA0\"");
  for (int c = 0; c < 0x20; ++c) {
    const std::string out = quoted(std::string(1, static_cast<char>(c)));
    INFO("control " << c);
    CHECK(out.find_first_of(std::string_view("\0\x01\x02\x03\x04\x05\x06\x07\x08\x09\x0a\x0b\x0c"
                                             "\x0d\x0e\x0f\x10\x11\x12\x13\x14\x15\x16\x17\x18"
                                             "\x19\x1a\x1b\x1c\x1d\x1e\x1f",
                                             32)) == std::string::npos);
  }
}

TEST_CASE("json strings keep valid UTF-8 and replace invalid bytes with U+FFFD") {
  CHECK(quoted("m\xC3\xBCller \xE2\x82\xAC \xF0\x9F\x93\xA7") ==
        "\"m\xC3\xBCller \xE2\x82\xAC \xF0\x9F\x93\xA7\"");
  const std::string fffd = "\xEF\xBF\xBD";
  CHECK(quoted("a\xFF"
               "b") == "\"a" + fffd + "b\"");                                    // never valid
  CHECK(quoted("\xC3") == "\"" + fffd + "\"");                                   // truncated
  CHECK(quoted("\xC0\xAF") == "\"" + fffd + fffd + "\"");                        // overlong
  CHECK(quoted("\xED\xA0\x80") == "\"" + fffd + fffd + fffd + "\"");             // surrogate
  CHECK(quoted("\xF4\x90\x80\x80") == "\"" + fffd + fffd + fffd + fffd + "\"");  // > U+10FFFF
  CHECK(quoted("latin1 caf\xE9!") == "\"latin1 caf" + fffd + "!\"");
  CHECK(json::is_valid_utf8(quoted("\xE9\xFF\xC3(\x80")));
  CHECK_FALSE(json::is_valid_utf8("\xE9"));
}

TEST_CASE("json numbers and nulls") {
  std::string out;
  json::append_uint(out, 18446744073709551615ULL);
  CHECK(out == "18446744073709551615");
  out.clear();
  json::append_double(out, 12.5);
  CHECK(out == "12.5");
  out.clear();
  json::append_double(out, 1.0 / 0.0);
  CHECK(out == "null");
  out.clear();
  json::append_string_or_null(out, "");
  CHECK(out == "null");
}

TEST_CASE("json arrays separate items by commas, and empty optionals are null") {
  std::string out;
  const std::vector<std::uint64_t> none;
  json::append_array(out, none, json::append_uint);
  CHECK(out == "[]");
  out.clear();
  const std::vector<std::uint64_t> one{7};
  json::append_array(out, one, json::append_uint);
  CHECK(out == "[7]");
  out.clear();
  json::append_string_array(out, {"a", "b\"", "c"});
  CHECK(out == R"(["a","b\"","c"])");
  out.clear();
  json::append_or_null(out, std::optional<std::uint32_t>{}, json::append_uint);
  out.push_back(',');
  json::append_or_null(out, std::optional<std::uint32_t>{65551}, json::append_uint);
  out.push_back(',');
  json::append_or_null(out, std::optional<std::string>{""}, json::append_string);
  CHECK(out == R"(null,65551,"")");
}
