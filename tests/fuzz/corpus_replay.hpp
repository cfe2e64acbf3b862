// The files of a fuzz target's corpus (tests/fuzz/<target>/: seeds, and the
// inputs of past findings under regressions/), and the Catch2 replay of them.
#pragma once

#include <catch2/catch.hpp>

#include <algorithm>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <string_view>
#include <vector>

namespace mxscan::fuzz {

inline std::vector<std::filesystem::path> corpus_files(std::string_view target) {
  std::filesystem::path dir =
      std::filesystem::path(MXSCAN_SOURCE_DIR) / "tests" / "fuzz" / std::string(target);
  std::vector<std::filesystem::path> files;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(dir)) {
    if (entry.is_regular_file()) files.push_back(entry.path());
  }
  std::sort(files.begin(), files.end());
  return files;
}

inline std::vector<std::uint8_t> file_bytes(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// The input of a past finding, tests/fuzz/<target>/regressions/<name>, as text.
inline std::string regression_input(std::string_view target, std::string_view name) {
  auto bytes = file_bytes(std::filesystem::path(MXSCAN_SOURCE_DIR) / "tests" / "fuzz" /
                          std::string(target) / "regressions" / std::string(name));
  return {bytes.begin(), bytes.end()};
}

// Feeds every corpus file to the harness; at least min_files must exist, so a
// moved or emptied corpus fails instead of passing vacuously.
inline void replay_corpus(std::string_view target, int (*harness)(const std::uint8_t*, std::size_t),
                          std::size_t min_files) {
  auto files = corpus_files(target);
  REQUIRE(files.size() >= min_files);
  for (const auto& file : files) {
    INFO(file.string());
    auto bytes = file_bytes(file);
    CHECK_NOTHROW(harness(bytes.data(), bytes.size()));
  }
}

}  // namespace mxscan::fuzz
