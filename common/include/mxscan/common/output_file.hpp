// A buffered output file for JSON Lines and reports.
//
// Design note. Writers append text to buffer() and call flush_if_full(); the
// file is written in large blocks with write(2), which is what keeps output at
// hundreds of MB/s. Failures (disk full, permissions) throw std::runtime_error
// naming the file: losing output silently is worse than stopping.
#pragma once

#include <string>
#include <string_view>

namespace mxscan {

class OutputFile {
 public:
  // Creates or truncates `path`.
  explicit OutputFile(std::string path);
  ~OutputFile();  // flushes and closes; errors there are swallowed, call close() to see them
  OutputFile(const OutputFile&) = delete;
  OutputFile& operator=(const OutputFile&) = delete;

  std::string& buffer() noexcept { return buffer_; }
  void write(std::string_view text) {
    buffer_.append(text);
    flush_if_full();
  }
  void flush_if_full() {
    if (buffer_.size() >= kFlushBytes) flush();
  }
  void flush();
  // Flushes and closes; throws on any write or close error.
  void close();

  const std::string& path() const noexcept { return path_; }

 private:
  static constexpr std::size_t kFlushBytes = std::size_t{1} << 20U;
  std::string path_;
  std::string buffer_;
  int fd_ = -1;
};

// Writes `text` to `path` in one go (small reports).
void write_file(const std::string& path, std::string_view text);

}  // namespace mxscan
