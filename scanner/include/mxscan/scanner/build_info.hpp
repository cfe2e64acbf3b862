// Versions of mxscan and of the libraries it was built with and runs against,
// for `mxscan --version` and the scan manifest.
#pragma once

#include <string>
#include <utility>
#include <vector>

namespace mxscan {

// Ordered (component, version) pairs, mxscan first.
std::vector<std::pair<std::string, std::string>> build_info(const std::string& psl_file);

// The pairs formatted one per line, as printed by --version.
std::string build_info_text(const std::string& psl_file);

}  // namespace mxscan
