// `mxscan --domains FILE`: scan and infer in one run (docs/cli.md).
//
// Design note. The command turns the command line into a ScanPlan: the
// configuration file (configs/mxscan.toml, or --config) first, then each
// option given on the command line over it; --resume DIR instead reads the
// plan back from DIR. The engine (scanner/scan_engine.hpp) does the scan while
// the observations stream into an inference Batch; when the scan completes the
// batch's outputs are written next to the observations.
//
// Exit codes: 0 complete; 1 failure while running (I/O, unreadable data file);
// 2 usage or configuration error (nothing was contacted); 3 interrupted by a
// signal, resumable with --resume.
#pragma once

#include <memory>
#include <string>
#include <vector>

namespace CLI {
class App;
}

namespace mxscan {

inline constexpr int kExitInterrupted = 3;

struct ScanOptions;

class ScanCommand {
 public:
  // Registers the scan options on the top-level app.
  explicit ScanCommand(CLI::App& app);
  ~ScanCommand();
  ScanCommand(const ScanCommand&) = delete;
  ScanCommand& operator=(const ScanCommand&) = delete;

  // True when the command line asks for a scan (--domains or --resume).
  bool selected() const;
  int run(int argc, char** argv) const;

 private:
  CLI::App* app_;
  std::unique_ptr<ScanOptions> options_;
};

}  // namespace mxscan
