// `mxscan resolve --domains LIST [--shard I/N] -o R_I`: the DNS stage of a
// campaign alone (docs/distributed.md, docs/cli.md "mxscan resolve"). It writes
// domains.jsonl as the one-shot scan does and, when complete, addresses.tsv:
// the addresses its domains lead to, for `mxscan probe`. No SMTP server is
// contacted. Resumable with `mxscan --resume R_I`; exit codes as the scan's.
#pragma once

#include <memory>

namespace CLI {
class App;
}

namespace mxscan {

struct ScanOptions;

class ResolveCommand {
 public:
  explicit ResolveCommand(CLI::App& app);
  ~ResolveCommand();
  ResolveCommand(const ResolveCommand&) = delete;
  ResolveCommand& operator=(const ResolveCommand&) = delete;

  bool selected() const;
  int run(int argc, char** argv) const;

 private:
  CLI::App* sub_ = nullptr;
  std::unique_ptr<ScanOptions> options_;
};

}  // namespace mxscan
