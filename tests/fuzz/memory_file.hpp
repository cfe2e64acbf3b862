// An anonymous in-memory file (memfd) holding a fuzz input, for parsers that
// read files by path: /proc/self/fd/N opens it like any file, without touching
// the disk or leaving anything behind.
#pragma once

#include <sys/mman.h>
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <string>

#include "fuzz_harness.hpp"

namespace mxscan::fuzz {

class MemoryFile {
 public:
  MemoryFile(const std::uint8_t* data, std::size_t size)
      : fd_(::memfd_create("mxscan-fuzz", MFD_CLOEXEC)) {
    if (fd_ < 0) throw InvariantViolation("memfd_create failed");
    std::size_t done = 0;
    while (done < size) {
      ssize_t n = ::write(fd_, data + done, size - done);
      if (n <= 0) {
        ::close(fd_);
        throw InvariantViolation("write to memfd failed");
      }
      done += static_cast<std::size_t>(n);
    }
  }
  ~MemoryFile() { ::close(fd_); }
  MemoryFile(const MemoryFile&) = delete;
  MemoryFile& operator=(const MemoryFile&) = delete;
  std::string path() const { return "/proc/self/fd/" + std::to_string(fd_); }

 private:
  int fd_;
};

}  // namespace mxscan::fuzz
