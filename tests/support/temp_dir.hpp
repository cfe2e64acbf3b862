// A fresh folder under the system's temporary directory for one test, removed
// with everything in it when the test ends, so that files a test writes to
// feed a loader neither collide with another test's (or another run's) nor
// stay behind.
#pragma once

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>

namespace mxscan::test {

struct TempDir {
  std::filesystem::path path =
      std::filesystem::temp_directory_path() /
      ("mxscan-test-" + std::to_string(::getpid()) + "-" + std::to_string(counter()++));
  TempDir() { std::filesystem::create_directories(path); }
  ~TempDir() { std::filesystem::remove_all(path); }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  // Writes `text` (bytes as given) to `name` in the folder; its path.
  std::string file(const std::string& name, const std::string& text) const {
    std::ofstream(path / name, std::ios::binary) << text;
    return (path / name).string();
  }

  static int& counter() {
    static int n = 0;
    return n;
  }
};

}  // namespace mxscan::test
