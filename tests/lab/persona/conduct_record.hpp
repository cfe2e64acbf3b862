// What the persona server records for the conduct tests: every command received, and
// connection counts with peak concurrency per address and per /24.
//
// Design note. The server is single-threaded (one io_context), so the counters need no
// locks. The stats file is rewritten whole (temporary file + rename, so readers never see
// half a file) periodically and at shutdown; the command log is appended through a buffer
// flushed at the same moments, so a test that stops the server reads complete files.
#pragma once

#include <cstdint>
#include <cstdio>
#include <string>
#include <string_view>
#include <unordered_map>

namespace mxscan::lab {

class ConductRecord {
 public:
  ConductRecord(std::string stats_path, std::string log_path);
  ~ConductRecord();
  ConductRecord(const ConductRecord&) = delete;
  ConductRecord& operator=(const ConductRecord&) = delete;

  void opened(std::uint32_t local_address);
  void closed(std::uint32_t local_address);
  // One line per command: local address, session number (per process, from 1), channel
  // ("plain", "tls", "fwd"), the command text.
  void command(std::uint32_t local_address, std::uint64_t session, std::string_view channel,
               std::string_view line);

  // Writes the stats file (if anything changed) and flushes the command log.
  void flush();

 private:
  struct Counter {
    std::uint64_t connections = 0;
    std::uint32_t current = 0;
    std::uint32_t peak = 0;
  };
  std::string stats_path_;
  std::FILE* log_ = nullptr;
  std::unordered_map<std::uint32_t, Counter> per_address_;
  std::unordered_map<std::uint32_t, Counter> per_net24_;
  Counter total_;
  std::uint64_t commands_ = 0;
  bool dirty_ = true;
};

}  // namespace mxscan::lab
