// A new results folder, created under a hidden name next to its final one and
// renamed into place once its manifest is written: a scan stopped at any moment
// leaves no folder or one that --resume can read.
//
// Design note. Until the scan is under way (keep()), the folder is removed
// again when start-up fails, so a refused setting leaves nothing behind and the
// same -o works on the next try. The rename refuses to replace an existing
// folder (RENAME_NOREPLACE), so two scans racing for one -o cannot mix.
#pragma once

#include <filesystem>
#include <string>

#include "mxscan/scanner/run/manifest.hpp"

namespace mxscan {

class NewResultsFolder {
 public:
  // Throws std::runtime_error (output_folder_exists_message when it exists).
  NewResultsFolder(const std::string& out_dir, const Manifest& manifest);
  NewResultsFolder(const NewResultsFolder&) = delete;
  NewResultsFolder& operator=(const NewResultsFolder&) = delete;
  ~NewResultsFolder();
  void keep() { kept_ = true; }

 private:
  std::filesystem::path dir_;
  bool kept_ = false;
};

}  // namespace mxscan
