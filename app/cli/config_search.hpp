// Where mxscan finds its default configuration (mxscan.toml, and beside it the
// blocklist and provider catalog it names) when none is given.
//
// Design note. The search must never pick up a configuration by accident: a
// binary copied out of its build folder would otherwise keep reading the
// checkout it was compiled from (the path is baked in), maybe a stale one, and
// its results would silently depend on it. So the source tree is consulted
// only while the executable still runs from the build folder it was configured
// in. Order (docs/cli.md, "Where the configuration is found"):
//   1. $MXSCAN_CONFIG_DIR, when set: the only place looked;
//   2. <folder of the executable>/../share/mxscan/configs (the installed layout
//      of `cmake --install`, relocatable with the prefix);
//   3. <source tree>/configs, only when the executable's folder is its build
//      folder.
// When none holds the file, the caller reports every place looked and how to
// fix it, and exits 2 before writing anything.
#pragma once

#include <string>
#include <vector>

namespace mxscan {

struct ConfigSearch {
  std::string dir;                  // the first folder holding the file; empty when none does
  std::vector<std::string> looked;  // each place considered, with why it was not used
};

ConfigSearch find_config_dir(const char* file_name);

// "cannot find FILE; looked in: ...; fix: ..." for a failed search; `fix`
// names the caller's own options (e.g. "pass --config FILE").
std::string config_not_found_message(const ConfigSearch& search, const char* file_name,
                                     const std::string& fix);

}  // namespace mxscan
