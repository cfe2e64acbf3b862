#include "new_results_folder.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <fmt/format.h>

#include <cerrno>
#include <cstdio>
#include <stdexcept>
#include <system_error>

#include "mxscan/scanner/run/scan_engine.hpp"

namespace mxscan {

namespace fs = std::filesystem;

NewResultsFolder::NewResultsFolder(const std::string& out_dir, const Manifest& manifest)
    : dir_(out_dir) {
  fs::path final_path(out_dir);
  if (!final_path.has_filename()) final_path = final_path.parent_path();  // "-o out/"
  const fs::path staging = final_path.parent_path() /
                           fmt::format(".{}.starting-{}", final_path.filename().string(), getpid());
  std::error_code ec;
  if (!fs::create_directory(staging, ec)) {
    throw std::runtime_error("cannot create output folder " + out_dir + ": " +
                             (ec ? ec.message() : staging.string() + " exists"));
  }
  try {
    write_manifest(staging.string(), manifest);
  } catch (...) {
    fs::remove_all(staging, ec);
    throw;
  }
  if (renameat2(AT_FDCWD, staging.c_str(), AT_FDCWD, final_path.c_str(), RENAME_NOREPLACE) != 0) {
    const int err = errno;
    fs::remove_all(staging, ec);
    if (err == EEXIST) {
      throw std::runtime_error(output_folder_exists_message(out_dir));
    }
    throw std::runtime_error("cannot create output folder " + out_dir + ": " +
                             std::generic_category().message(err));
  }
}

NewResultsFolder::~NewResultsFolder() {
  if (kept_) return;
  std::error_code ec;
  fs::remove_all(dir_, ec);
}

}  // namespace mxscan
