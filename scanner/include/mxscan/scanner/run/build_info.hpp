// Versions of mxscan and of the libraries it was built with and runs against,
// for `mxscan --version` and the scan manifest.
#pragma once

#include <string>
#include <utility>
#include <vector>

namespace mxscan {

// The commit this build came from: "4ad6c52, clean", "4ad6c52, dirty" (the work
// tree differed from it), or "unknown" (not built from a git checkout). Captured
// at build time, never at configure time, so it cannot lag behind the sources
// (cmake/MxscanGitRevision.cmake).
const char* git_revision();

// Ordered (component, version) pairs, mxscan first ("0.1.0 (git 4ad6c52, clean)").
std::vector<std::pair<std::string, std::string>> build_info(const std::string& psl_file);

// The pairs formatted one per line, as printed by --version.
std::string build_info_text(const std::string& psl_file);

}  // namespace mxscan
