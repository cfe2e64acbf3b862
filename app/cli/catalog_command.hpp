// `mxscan catalog check [--providers FILE] [--psl-file FILE]`: maintenance
// checks of a provider catalog (inference/catalog_check.hpp): IDs claimed by
// two companies, ID globs and VPS rules that none of the catalog's example
// names reach, examples that map to no or another company, companies without
// sources.
//
// Design note. Wiring only; the checks inspect a Catalog and live in the
// inference library beside it. The catalog is loaded leniently so that every
// shared ID is listed, not only the first one the loader would stop at.
//
// Exit codes: 0 clean, 1 any problem (a catalog that does not parse included),
// 2 usage error (no catalog found, an unreadable public suffix list).
#pragma once

#include <memory>
#include <string>

namespace CLI {
class App;
}

namespace mxscan {

struct CatalogSettings {
  std::string providers;
  std::string psl_file;
};

class CatalogCommand {
 public:
  explicit CatalogCommand(CLI::App& app);
  bool selected() const;
  int run() const;

 private:
  CLI::App* sub_ = nullptr;
  CLI::App* check_ = nullptr;
  std::unique_ptr<CatalogSettings> settings_;
};

}  // namespace mxscan
