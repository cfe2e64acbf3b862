#include "mxscan/common/hash.hpp"

#include <catch2/catch.hpp>

#include <string>

using mxscan::fnv1a_64;

// Published FNV-1a 64 test vectors (the FNV reference test suite).
TEST_CASE("fnv1a_64 gives the published FNV-1a 64 values") {
  CHECK(fnv1a_64("") == 14695981039346656037ULL);
  CHECK(fnv1a_64("a") == 0xaf63dc4c8601ec8cULL);
  CHECK(fnv1a_64("b") == 0xaf63df4c8601f1a5ULL);
  CHECK(fnv1a_64("foobar") == 0x85944171f73967e8ULL);
  CHECK(fnv1a_64("chongo was here!\n") == 0x46810940eff5f915ULL);
}

TEST_CASE("fnv1a_64 hashes bytes, not characters: high bytes and NULs count") {
  const std::string with_nul("a\0b", 3);
  CHECK(fnv1a_64(with_nul) != fnv1a_64("ab"));
  CHECK(fnv1a_64("\xff") == ((mxscan::kFnv1a64OffsetBasis ^ 0xffU) * mxscan::kFnv1a64Prime));
}

TEST_CASE("fnv1a_64 is usable at compile time") {
  constexpr auto h = fnv1a_64("foobar");
  STATIC_REQUIRE(h == 0x85944171f73967e8ULL);
}
