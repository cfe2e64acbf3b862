#include "mxscan/scanner/run/record_log.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <vector>

namespace mxscan {
namespace {

std::string errno_text(const std::string& what, const std::string& path, int err) {
  std::string msg = what + " " + path + ": " + std::strerror(err);
  if (err == ENOSPC || err == EDQUOT) {
    msg += " (free some space, then continue with mxscan --resume on the output folder)";
  }
  return msg;
}

// Size of the file up to and including its last newline.
off_t complete_prefix(int fd, off_t size) {
  constexpr off_t kChunk = 1 << 16;
  std::vector<char> buf(kChunk);
  off_t end = size;
  while (end > 0) {
    off_t start = end > kChunk ? end - kChunk : 0;
    auto len = static_cast<std::size_t>(end - start);
    if (pread(fd, buf.data(), len, start) != static_cast<ssize_t>(len)) return -1;
    for (std::size_t i = len; i > 0; --i) {
      if (buf[i - 1] == '\n') return start + static_cast<off_t>(i);
    }
    end = start;
  }
  return 0;
}

}  // namespace

RecordLog::RecordLog(std::string path, Mode mode, std::size_t buffer_bytes)
    : path_(std::move(path)), buffer_limit_(buffer_bytes) {
  int flags = O_WRONLY | O_APPEND | O_CLOEXEC | O_CREAT;
  if (mode == Mode::create_new) flags |= O_EXCL;
  fd_ = ::open(path_.c_str(), mode == Mode::resume ? (flags & ~O_WRONLY) | O_RDWR : flags, 0644);
  if (fd_ < 0) throw RecordLogError(errno_text("cannot open", path_, errno));
  if (mode == Mode::resume) {
    struct stat st {};
    if (fstat(fd_, &st) != 0) throw RecordLogError(errno_text("cannot stat", path_, errno));
    off_t keep = complete_prefix(fd_, st.st_size);
    if (keep < 0) throw RecordLogError(errno_text("cannot read", path_, errno));
    if (keep != st.st_size) {
      if (ftruncate(fd_, keep) != 0) {
        throw RecordLogError(errno_text("cannot truncate", path_, errno));
      }
      truncated_ = static_cast<std::uint64_t>(st.st_size - keep);
    }
  }
  buffer_.reserve(buffer_limit_ + 4096);
}

RecordLog::~RecordLog() {
  try {
    flush();
  } catch (const RecordLogError&) {
    // Destructors must not throw; the caller flushes explicitly to see errors.
  }
  if (fd_ >= 0) ::close(fd_);
}

void RecordLog::append(std::string_view line) {
  buffer_.append(line);
  buffer_.push_back('\n');
  ++records_;
  if (buffer_.size() >= buffer_limit_) flush();
}

void RecordLog::append_lines(std::string_view lines) {
  buffer_.append(lines);
  for (char c : lines) records_ += c == '\n' ? 1 : 0;
  if (buffer_.size() >= buffer_limit_) flush();
}

void RecordLog::flush() {
  if (buffer_.empty()) return;
  // Clear first: a failed write must not be retried from the destructor.
  std::string pending;
  pending.swap(buffer_);
  buffer_.reserve(buffer_limit_ + 4096);
  write_all(pending.data(), pending.size());
}

void RecordLog::write_all(const char* data, std::size_t size) {
  while (size > 0) {
    ssize_t n = ::write(fd_, data, size);
    if (n < 0) {
      if (errno == EINTR) continue;
      throw RecordLogError(errno_text("cannot write", path_, errno));
    }
    data += n;
    size -= static_cast<std::size_t>(n);
  }
}

}  // namespace mxscan
