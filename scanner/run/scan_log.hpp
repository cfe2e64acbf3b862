// scan.log: the scan's own account (start, resume, signals, stage figures, the
// progress line once a second), one time-stamped line at a time.
//
// Design note. Lines come from the engine, the ticker, the signal watcher and
// the DNS health monitor, each on its own thread: one mutex keeps lines whole,
// and each line is flushed at once so a killed scan's log ends with its last
// words.
#pragma once

#include <cstdio>
#include <filesystem>
#include <mutex>
#include <string>

namespace mxscan {

class ScanLog {
 public:
  // Appends to `path` (a resumed scan continues the same log).
  explicit ScanLog(const std::filesystem::path& path);
  ~ScanLog();
  ScanLog(const ScanLog&) = delete;
  ScanLog& operator=(const ScanLog&) = delete;

  void line(const std::string& text);

 private:
  std::mutex mutex_;
  std::FILE* file_;
};

}  // namespace mxscan
