#include "config_search.hpp"

#include <fmt/format.h>

#include <cstdlib>
#include <filesystem>
#include <system_error>

namespace mxscan {

namespace fs = std::filesystem;

namespace {

bool holds(const fs::path& dir, const char* name) {
  std::error_code ec;
  return fs::is_regular_file(dir / name, ec);
}

std::string normal(const fs::path& p) {
  std::error_code ec;
  const fs::path n = fs::weakly_canonical(p, ec);
  return (ec ? p.lexically_normal() : n).string();
}

}  // namespace

ConfigSearch find_config_dir(const char* file_name) {
  ConfigSearch search;
  if (const char* env = std::getenv("MXSCAN_CONFIG_DIR"); env != nullptr && *env != '\0') {
    // An explicit choice: falling back elsewhere would hide the user's mistake.
    if (holds(env, file_name)) {
      search.dir = env;
    } else {
      search.looked.push_back(fmt::format("{} ($MXSCAN_CONFIG_DIR): no {} there", env, file_name));
    }
    return search;
  }
  std::error_code ec;
  const fs::path exe = fs::read_symlink("/proc/self/exe", ec);
  if (ec) {
    search.looked.push_back(
        fmt::format("the executable's folder: unknown (/proc/self/exe: {})", ec.message()));
    return search;
  }
  const fs::path exe_dir = exe.parent_path();
  const fs::path installed = exe_dir / ".." / "share" / "mxscan" / "configs";
  if (holds(installed, file_name)) {
    search.dir = normal(installed);
    return search;
  }
  search.looked.push_back(fmt::format("{} (installed layout, beside {}): no {} there",
                                      normal(installed), exe.string(), file_name));
#if defined(MXSCAN_SOURCE_DIR) && defined(MXSCAN_BINARY_DIR)
  const fs::path source = fs::path(MXSCAN_SOURCE_DIR) / "configs";
  if (!fs::equivalent(exe_dir, MXSCAN_BINARY_DIR, ec)) {
    search.looked.push_back(
        fmt::format("{} (source tree): not used, {} is not in the build folder {} it was built in",
                    source.string(), exe.string(), MXSCAN_BINARY_DIR));
  } else if (holds(source, file_name)) {
    search.dir = normal(source);
  } else {
    search.looked.push_back(
        fmt::format("{} (source tree): no {} there", source.string(), file_name));
  }
#endif
  return search;
}

std::string config_not_found_message(const ConfigSearch& search, const char* file_name,
                                     const std::string& fix) {
  std::string text = fmt::format("cannot find the default {}; looked in:\n", file_name);
  for (const auto& place : search.looked) text += "  " + place + "\n";
  text += fmt::format(
      "fix: {}, set MXSCAN_CONFIG_DIR to a folder holding {}, or install mxscan with "
      "`cmake --install BUILD --prefix PREFIX` and run PREFIX/bin/mxscan",
      fix, file_name);
  return text;
}

}  // namespace mxscan
