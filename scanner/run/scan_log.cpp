#include "scan_log.hpp"

#include <stdexcept>

#include "mxscan/scanner/run/manifest.hpp"

namespace mxscan {

ScanLog::ScanLog(const std::filesystem::path& path) : file_(std::fopen(path.c_str(), "a")) {
  if (file_ == nullptr) throw std::runtime_error("cannot write " + path.string());
}

ScanLog::~ScanLog() { std::fclose(file_); }

void ScanLog::line(const std::string& text) {
  std::lock_guard lock(mutex_);
  std::fprintf(file_, "%s %s\n", utc_now_iso8601().c_str(), text.c_str());
  std::fflush(file_);
}

}  // namespace mxscan
