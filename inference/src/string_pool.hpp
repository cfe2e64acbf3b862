// Interned strings for the Batch: each distinct name stored once, referred to
// by a dense 32-bit id that indexes per-name vectors (counts, caches).
//
// Design note. Bytes live in 1 MiB arena blocks that never move, so the hash
// index can key on string_views into them; ids depend on insertion order, so
// the method never lets an id order decide a result (ties compare the text).
#pragma once

#include <cstdint>
#include <cstring>
#include <memory>
#include <optional>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace mxscan::inference::detail {

// Append-only storage of bytes with stable addresses.
class Arena {
 public:
  std::string_view store(std::string_view s) {
    if (s.empty()) return {};
    if (s.size() > kBlock / 4) {  // large strings get their own block
      blocks_.push_back(std::make_unique<char[]>(s.size()));
      std::memcpy(blocks_.back().get(), s.data(), s.size());
      return {blocks_.back().get(), s.size()};
    }
    if (blocks_.empty() || used_ + s.size() > kBlock || current_ == nullptr) {
      blocks_.push_back(std::make_unique<char[]>(kBlock));
      current_ = blocks_.back().get();
      used_ = 0;
    }
    char* p = current_ + used_;
    std::memcpy(p, s.data(), s.size());
    used_ += s.size();
    return {p, s.size()};
  }

 private:
  static constexpr std::size_t kBlock = 1 << 20;
  std::vector<std::unique_ptr<char[]>> blocks_;
  char* current_ = nullptr;
  std::size_t used_ = 0;
};

class StringPool {
 public:
  // Id of `s`, adding it when new; `added` tells which.
  std::uint32_t intern(std::string_view s, bool* added = nullptr) {
    auto it = index_.find(s);
    if (it != index_.end()) {
      if (added) *added = false;
      return it->second;
    }
    auto stored = arena_.store(s);
    auto id = static_cast<std::uint32_t>(views_.size());
    views_.push_back(stored);
    index_.emplace(stored, id);
    if (added) *added = true;
    return id;
  }

  std::optional<std::uint32_t> find(std::string_view s) const {
    auto it = index_.find(s);
    if (it == index_.end()) return std::nullopt;
    return it->second;
  }

  std::string_view view(std::uint32_t id) const { return views_[id]; }
  std::size_t size() const noexcept { return views_.size(); }

 private:
  Arena arena_;
  std::vector<std::string_view> views_;
  std::unordered_map<std::string_view, std::uint32_t> index_;
};

}  // namespace mxscan::inference::detail
