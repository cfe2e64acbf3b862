// `mxscan probe R_0 ... R_{N-1} [--shard J/M] -o P_J`: the SMTP stage of a
// campaign alone (docs/distributed.md, docs/cli.md "mxscan probe"). It reads
// the addresses.tsv of every resolve folder, keeps the addresses whose /24 or
// /48 falls in its shard (probe_shard.hpp) and contacts each once, through the
// scan's blocklist and conduct gate, writing hosts.jsonl. --rate is the
// campaign's: each of the M shards uses rate/M. Resumable with
// `mxscan --resume P_J`; exit codes as the scan's.
#pragma once

#include <memory>
#include <string>
#include <vector>

namespace CLI {
class App;
}

namespace mxscan {

struct ScanOptions;

class ProbeCommand {
 public:
  explicit ProbeCommand(CLI::App& app);
  ~ProbeCommand();
  ProbeCommand(const ProbeCommand&) = delete;
  ProbeCommand& operator=(const ProbeCommand&) = delete;

  bool selected() const;
  int run(int argc, char** argv) const;

 private:
  CLI::App* sub_ = nullptr;
  std::unique_ptr<ScanOptions> options_;
  std::unique_ptr<std::vector<std::string>> resolve_dirs_;
  std::unique_ptr<bool> allow_partial_;
};

}  // namespace mxscan
