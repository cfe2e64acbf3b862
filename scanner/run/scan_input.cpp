#include "scan_input.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <vector>

namespace mxscan {

ScanInput::ScanInput(const std::string& path, const ShardSpec& shard,
                     const std::unordered_set<std::string>& opted_out,
                     const std::unordered_set<std::string>& done, const std::atomic<bool>& stop)
    : reader_(path), shard_(shard), excluded_(opted_out), done_(done), stop_(stop) {}

std::optional<DomainRecord> ScanInput::next() {
  while (!stop_.load(std::memory_order_relaxed)) {
    auto record = reader_.next();
    if (!record) return std::nullopt;
    if (!shard_.contains(record->domain)) {
      ++other_shards;
    } else if (is_excluded(record->domain)) {
      ++excluded;
    } else if (done_.count(record->domain) != 0) {
      ++already_done;
    } else {
      return record;
    }
  }
  return std::nullopt;
}

bool ScanInput::is_excluded(std::string_view name) const {
  if (excluded_.empty()) return false;
  while (true) {
    if (excluded_.count(std::string(name)) != 0) return true;
    auto dot = name.find('.');
    if (dot == std::string_view::npos) return false;
    name.remove_prefix(dot + 1);
  }
}

std::unordered_set<std::string> read_exclusions(const std::string& path) {
  std::unordered_set<std::string> names;
  if (path.empty()) return names;
  DomainListReader reader(path, DomainListFormat::plain);
  while (auto r = reader.next()) {
    if (r->valid()) names.insert(r->domain);
  }
  return names;
}

std::optional<std::uint64_t> count_lines(const std::string& path) {
  if (path == "-" || path.ends_with(".gz")) return std::nullopt;
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return std::nullopt;
  std::vector<char> buf(1 << 20);
  std::uint64_t lines = 0;
  ssize_t n = 0;
  while ((n = ::read(fd, buf.data(), buf.size())) > 0) {
    for (ssize_t i = 0; i < n; ++i) lines += buf[static_cast<std::size_t>(i)] == '\n' ? 1 : 0;
  }
  ::close(fd);
  return lines;
}

}  // namespace mxscan
