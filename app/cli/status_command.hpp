// `mxscan status DIR...`: where each folder of a campaign stands (docs/cli.md
// "mxscan status", docs/distributed.md "Watching a campaign"): one line per
// folder (phase, shard, state, domains and hosts recorded so far, addresses),
// then the campaign's verdict (shards missing or not complete).
//
// Design note. The counts are the records in the folder's journal
// (domains.jsonl, hosts.jsonl lines), not the manifest's, which are written
// only at the start and end of a run: a shard under way shows its progress.
//
// Exit codes: 0 every folder complete and no shard missing; 1 otherwise; 2 a
// path that is not a results folder (nothing printed on stdout).
#pragma once

#include <memory>
#include <string>
#include <vector>

namespace CLI {
class App;
}

namespace mxscan {

class StatusCommand {
 public:
  explicit StatusCommand(CLI::App& app);
  ~StatusCommand();
  StatusCommand(const StatusCommand&) = delete;
  StatusCommand& operator=(const StatusCommand&) = delete;

  bool selected() const;
  int run() const;

 private:
  CLI::App* sub_ = nullptr;
  std::unique_ptr<std::vector<std::string>> dirs_;
};

}  // namespace mxscan
