// The journal: domains.jsonl and hosts.jsonl of a results folder, each written
// by several threads (DNS callbacks, SMTP workers, the ticker's flush).
//
// Design note. A write error (disk full, I/O error) must not escape from here:
// add() runs on the DNS and SMTP threads and flush() on the ticker and signal
// threads, where an exception would call std::terminate. The first error is
// kept and writing stops for good (a later write could follow a partial line;
// resume cuts only the last one); on_error stops admission, and run_scan drops
// the SMTP stage's queue (SmtpStage::abort) and reports the error. Records not
// written are simply not done: --resume scans those domains and re-queues those
// addresses.
#pragma once

#include <atomic>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <mutex>
#include <string>

#include "mxscan/common/observation.hpp"
#include "mxscan/scanner/run/record_log.hpp"

namespace mxscan {

class ObservationLogs {
 public:
  // create_new: a new folder's empty files; resume: cuts a partial last line.
  ObservationLogs(const std::filesystem::path& dir, RecordLog::Mode mode,
                  std::function<void()> on_error);

  void add(const DomainObs& obs);
  void add(const HostObs& obs);
  void flush();
  // Bytes of partial records cut when opened for resume.
  std::uint64_t truncated_bytes() const;
  // The first write error, or empty.
  std::string error() const;

 private:
  template <typename Write>
  void guarded(Write write);

  std::mutex domains_mutex_;
  std::mutex hosts_mutex_;
  RecordLog domains_;
  RecordLog hosts_;
  std::string domain_text_;
  std::string host_text_;
  std::function<void()> on_error_;
  std::atomic<bool> failed_{false};
  mutable std::mutex error_mutex_;
  std::string error_;
};

}  // namespace mxscan
