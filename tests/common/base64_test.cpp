#include "mxscan/common/base64.hpp"

#include <catch2/catch.hpp>

using namespace mxscan;

TEST_CASE("base64 matches RFC 4648 test vectors") {
  CHECK(base64::encode("") == "");
  CHECK(base64::encode("f") == "Zg==");
  CHECK(base64::encode("fo") == "Zm8=");
  CHECK(base64::encode("foo") == "Zm9v");
  CHECK(base64::encode("foobar") == "Zm9vYmFy");
  CHECK(base64::decode("Zg==") == std::string("f"));
  CHECK(base64::decode("Zm8=") == std::string("fo"));
  CHECK(base64::decode("Zm9vYmFy") == std::string("foobar"));
}

TEST_CASE("base64 round-trips binary bytes of every length") {
  std::string bytes;
  for (int i = 0; i < 300; ++i) {
    bytes.push_back(static_cast<char>((i * 37) & 0xFF));
    auto back = base64::decode(base64::encode(bytes));
    REQUIRE(back.has_value());
    CHECK(*back == bytes);
  }
}

TEST_CASE("base64 rejects non-canonical text") {
  CHECK_FALSE(base64::decode("Zg=").has_value());   // length
  CHECK_FALSE(base64::decode("Z===").has_value());  // padding
  CHECK_FALSE(base64::decode("Zm9*").has_value());  // alphabet
  CHECK_FALSE(base64::decode(" Zm9").has_value());  // whitespace
  CHECK_FALSE(base64::decode("Zg=a").has_value());  // padding in the middle
}
