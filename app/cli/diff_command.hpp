// `mxscan diff OLD NEW [-o OUT]`: provider migration between two results
// folders (their providers.jsonl): credit moved between companies, gains and
// losses per provider ID, domains that changed (inference/migration.hpp).
//
// Design note. Wiring only. The summary is always printed; with -o the four
// files (migration_matrix.csv, provider_changes.csv, changed_domains.csv,
// diff.json) are written there.
//
// Exit codes: 0 done, 1 an input cannot be read or an output written,
// 2 usage error.
#pragma once

#include <cstddef>
#include <memory>
#include <string>

namespace CLI {
class App;
}

namespace mxscan {

struct DiffSettings {
  std::string old_dir;
  std::string new_dir;
  std::string out_dir;
  std::size_t top = 10;
};

class DiffCommand {
 public:
  explicit DiffCommand(CLI::App& app);
  bool selected() const;
  int run() const;

 private:
  CLI::App* sub_ = nullptr;
  std::unique_ptr<DiffSettings> settings_;
};

}  // namespace mxscan
