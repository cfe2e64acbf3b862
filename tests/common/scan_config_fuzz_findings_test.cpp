// Findings of fuzz_scan_config (tests/fuzz/scan_config/regressions/).
#include "mxscan/common/scan_config.hpp"

#include <catch2/catch.hpp>

#include <string>

#include "corpus_replay.hpp"

TEST_CASE("a rate of inf or nan is an error naming file and line", "[scan_config][fuzz]") {
  // TOML allows inf and nan: per24_rate = nan passed the "zero or positive" check
  // (nan < 0 is false) and inf was taken as a rate.
  for (const char* name : {"per24-rate-inf.toml", "per24-rate-nan.toml"}) {
    INFO(name);
    const std::string text = mxscan::fuzz::regression_input("scan_config", name);
    REQUIRE(text.find("per24_rate") != std::string::npos);
    CHECK_THROWS_WITH(mxscan::parse_scan_config(text, "fuzz.toml"),
                      Catch::Contains("fuzz.toml:2") && Catch::Contains("smtp.per24_rate") &&
                          Catch::Contains("finite"));
  }
  CHECK_THROWS(mxscan::parse_scan_config("[smtp]\nper24_rate = -inf\n", "a.toml"));
  CHECK(mxscan::parse_scan_config("[smtp]\nper24_rate = 0.25\n", "a.toml").smtp.per24_rate == 0.25);
}

TEST_CASE("strings with control characters are errors, so the written config reads back the same",
          "[scan_config][fuzz]") {
  // toml++ wrote "\nan[" as a multi-line literal whose leading newline TOML trims:
  // the manifest's config.toml then named a different resolver than the scan used.
  const std::string text =
      mxscan::fuzz::regression_input("scan_config", "string-with-newline.toml");
  REQUIRE(text.find("resolvers") != std::string::npos);
  CHECK_THROWS_WITH(mxscan::parse_scan_config(text, "fuzz.toml"),
                    Catch::Contains("fuzz.toml:2") && Catch::Contains("dns.resolvers") &&
                        Catch::Contains("control characters"));
  CHECK_THROWS_WITH(mxscan::parse_scan_config("[smtp]\nehlo_name = \"a\\tb\"\n", "g.toml"),
                    Catch::Contains("g.toml:2") && Catch::Contains("smtp.ehlo_name") &&
                        Catch::Contains("control characters"));
  CHECK_NOTHROW(mxscan::parse_scan_config("[smtp]\nehlo_name = \"ok.example\"\n", "h.toml"));
}
