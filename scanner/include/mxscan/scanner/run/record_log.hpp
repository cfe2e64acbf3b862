// An append-only JSON Lines file that survives SIGKILL at any moment.
//
// Design note. Records are appended whole: a line is buffered and handed to
// write(2) only together with its newline, and flush() pushes the buffer to the
// kernel (which keeps it across a killed process). A kill can still leave a
// partial last line if it lands inside a large write, so reopening for resume
// cuts the file back to its last newline; every complete line is a complete
// record. Write errors (disk full, I/O error) throw RecordLogError naming the
// file: the folder stays resumable.
#pragma once

#include <cstdint>
#include <stdexcept>
#include <string>
#include <string_view>

namespace mxscan {

struct RecordLogError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

class RecordLog {
 public:
  enum class Mode { create_new, resume };

  // create_new fails if the file exists; resume opens it (creating it when
  // absent) after truncating any partial last line.
  RecordLog(std::string path, Mode mode, std::size_t buffer_bytes = 1 << 16);
  ~RecordLog();
  RecordLog(const RecordLog&) = delete;
  RecordLog& operator=(const RecordLog&) = delete;

  // `line` must not contain a newline; one is added.
  void append(std::string_view line);
  // Whole records already terminated by '\n' (one or more).
  void append_lines(std::string_view lines);
  void flush();

  const std::string& path() const noexcept { return path_; }
  std::uint64_t records_written() const noexcept { return records_; }
  // Bytes cut from the end on resume (a partial line left by a kill).
  std::uint64_t truncated_bytes() const noexcept { return truncated_; }

 private:
  void write_all(const char* data, std::size_t size);

  std::string path_;
  int fd_ = -1;
  std::string buffer_;
  std::size_t buffer_limit_;
  std::uint64_t records_ = 0;
  std::uint64_t truncated_ = 0;
};

}  // namespace mxscan
