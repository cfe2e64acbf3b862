// A provider catalog file without a provider, or not TOML, is refused: a scan
// with it would look like a world without mail providers.
#include <catch2/catch.hpp>

#include <string>

#include "mxscan/inference/catalog.hpp"
#include "scenario.hpp"
#include "temp_dir.hpp"

using mxscan::Catalog;
using mxscan::test::TempDir;

TEST_CASE("catalog file: the shipped catalog loads") {
  CHECK_FALSE(
      Catalog::load(mxscan::test::source_path("configs/providers.toml")).companies().empty());
}

TEST_CASE("catalog file: empty or without a company is refused") {
  for (const std::string text : {"", "schema = 1\n", "# comments only\n"}) {
    const TempDir dir;
    const std::string path = dir.file("empty-catalog.toml", text);
    CHECK_THROWS_WITH(Catalog::load(path),
                      Catch::Contains(path) && Catch::Contains("without a single [[company]]"));
  }
}

TEST_CASE("catalog file: text that is not TOML is refused with its line") {
  const TempDir dir;
  const std::string path = dir.file("junk-catalog.toml", "hello world\n");
  CHECK_THROWS_WITH(Catalog::load(path), Catch::Contains(path) && Catch::Contains(":1:"));
}
