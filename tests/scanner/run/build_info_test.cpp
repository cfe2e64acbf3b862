#include "mxscan/scanner/run/build_info.hpp"

#include <ares.h>
#include <catch2/catch.hpp>

TEST_CASE("build_info names every library with its runtime version") {
  const auto info = mxscan::build_info("/usr/share/publicsuffix/public_suffix_list.dat");
  REQUIRE(info.size() >= 7);
  CHECK(info[0].first == "mxscan");
  // The build's commit, or "unknown" outside a git checkout.
  CHECK_THAT(
      info[0].second,
      Catch::Matches(R"([0-9]+\.[0-9]+\.[0-9]+ \(git ([0-9a-f]{7,}, (clean|dirty)|unknown)\))"));
  bool saw_cares = false;
  for (const auto& [name, version] : info) {
    CHECK_FALSE(version.empty());
    if (name == "c-ares") {
      saw_cares = true;
      CHECK(version == ares_version(nullptr));
    }
    if (name == "public suffix list") CHECK(version.rfind("20", 0) == 0);
    // The test executables keep glibc's malloc; mxscan itself is checked by the
    // test "cli: mxscan allocates with mimalloc" (tests/cmake/allocator.cmake).
    if (name == "allocator") CHECK(version == "glibc malloc");
  }
  CHECK(saw_cares);
}

TEST_CASE("build_info reports a missing public suffix list instead of failing") {
  const auto text = mxscan::build_info_text("/nonexistent/psl.dat");
  CHECK(text.find("unavailable") != std::string::npos);
}
