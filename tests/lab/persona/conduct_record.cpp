#include "conduct_record.hpp"

#include "persona_config.hpp"

#include <algorithm>
#include <stdexcept>
#include <vector>

namespace mxscan::lab {
namespace {

void count_open(auto& c) {
  ++c.connections;
  ++c.current;
  c.peak = std::max(c.peak, c.current);
}

void write_counters(std::FILE* f, const char* kind, const auto& map, bool net24) {
  std::vector<std::uint32_t> keys;
  keys.reserve(map.size());
  for (const auto& [k, v] : map) keys.push_back(k);
  std::sort(keys.begin(), keys.end());
  for (auto k : keys) {
    const auto& c = map.at(k);
    std::fprintf(f, "%s\t%s%s\t%llu\t%u\n", kind, format_ipv4(k).c_str(), net24 ? "/24" : "",
                 static_cast<unsigned long long>(c.connections), c.peak);
  }
}

}  // namespace

ConductRecord::ConductRecord(std::string stats_path, std::string log_path)
    : stats_path_(std::move(stats_path)) {
  if (!log_path.empty()) {
    log_ = std::fopen(log_path.c_str(), "a");
    if (log_ == nullptr) throw std::runtime_error("cannot open command log " + log_path);
    std::setvbuf(log_, nullptr, _IOFBF, 1 << 16);
  }
}

ConductRecord::~ConductRecord() {
  if (log_ != nullptr) std::fclose(log_);
}

void ConductRecord::opened(std::uint32_t a) {
  count_open(per_address_[a]);
  count_open(per_net24_[a & 0xffffff00u]);
  count_open(total_);
  dirty_ = true;
}

void ConductRecord::closed(std::uint32_t a) {
  if (auto it = per_address_.find(a); it != per_address_.end() && it->second.current > 0)
    --it->second.current;
  if (auto it = per_net24_.find(a & 0xffffff00u); it != per_net24_.end() && it->second.current > 0)
    --it->second.current;
  if (total_.current > 0) --total_.current;
}

void ConductRecord::command(std::uint32_t a, std::uint64_t session, std::string_view channel,
                            std::string_view line) {
  ++commands_;
  dirty_ = true;
  if (log_ == nullptr) return;
  std::string clean;
  clean.reserve(std::min<std::size_t>(line.size(), 512));
  for (char ch : line.substr(0, 512)) {
    auto u = static_cast<unsigned char>(ch);
    if (u == '\r' || u == '\n') continue;
    clean += (u < 0x20 || u >= 0x7f) ? '?' : ch;
  }
  std::fprintf(log_, "%s\t%llu\t%.*s\t%s\n", format_ipv4(a).c_str(),
               static_cast<unsigned long long>(session), static_cast<int>(channel.size()),
               channel.data(), clean.c_str());
}

void ConductRecord::flush() {
  if (log_ != nullptr) std::fflush(log_);
  if (!dirty_ || stats_path_.empty()) return;
  const std::string tmp = stats_path_ + ".tmp";
  std::FILE* f = std::fopen(tmp.c_str(), "w");
  if (f == nullptr) return;  // a missing stats snapshot is reported by the reader, not fatal here
  std::fprintf(f, "# kind\taddress\tconnections\tpeak_concurrency\n");
  std::fprintf(f, "total\t-\t%llu\t%u\n", static_cast<unsigned long long>(total_.connections),
               total_.peak);
  std::fprintf(f, "commands\t-\t%llu\t0\n", static_cast<unsigned long long>(commands_));
  write_counters(f, "net24", per_net24_, true);
  write_counters(f, "addr", per_address_, false);
  const bool ok = std::fclose(f) == 0;
  if (ok && std::rename(tmp.c_str(), stats_path_.c_str()) == 0) dirty_ = false;
}

}  // namespace mxscan::lab
