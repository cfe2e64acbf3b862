// A provider catalog file without a provider, or not TOML, is refused: a scan
// with it would look like a world without mail providers.
#include <catch2/catch.hpp>

#include <unistd.h>
#include <filesystem>
#include <fstream>
#include <string>

#include "mxscan/inference/catalog.hpp"
#include "scenario.hpp"

using mxscan::inference::Catalog;

namespace {

std::string write_temp(const std::string& name, const std::string& text) {
  const auto path =
      std::filesystem::temp_directory_path() / (std::to_string(::getpid()) + "-" + name);
  std::ofstream(path, std::ios::binary) << text;
  return path.string();
}

}  // namespace

TEST_CASE("catalog file: the shipped catalog loads") {
  CHECK_FALSE(
      Catalog::load(mxscan::test::source_path("configs/providers.toml")).companies().empty());
}

TEST_CASE("catalog file: empty or without a company is refused") {
  for (const std::string text : {"", "schema = 1\n", "# comments only\n"}) {
    const std::string path = write_temp("empty-catalog.toml", text);
    CHECK_THROWS_WITH(Catalog::load(path),
                      Catch::Contains(path) && Catch::Contains("without a single [[company]]"));
    std::filesystem::remove(path);
  }
}

TEST_CASE("catalog file: text that is not TOML is refused with its line") {
  const std::string path = write_temp("junk-catalog.toml", "hello world\n");
  CHECK_THROWS_WITH(Catalog::load(path), Catch::Contains(path) && Catch::Contains(":1:"));
  std::filesystem::remove(path);
}
