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
#include <vector>

#include "mxscan/common/hash.hpp"

namespace mxscan::detail {

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

// Open addressing with linear probing over (id, 32-bit hash) slots: one
// cache line per probe, no node allocation, so interning millions of names
// costs about one cache miss for the slot and one for the text.
class StringPool {
 public:
  StringPool() : slots_(1024), mask_(1023) {}

  // Id of `s`, adding it when new; `added` tells which.
  std::uint32_t intern(std::string_view s, bool* added = nullptr) {
    auto tag = hash(s);
    for (std::size_t i = tag & mask_;; i = (i + 1) & mask_) {
      auto& slot = slots_[i];
      if (slot.id == kEmpty) {
        auto id = static_cast<std::uint32_t>(views_.size());
        views_.push_back(arena_.store(s));
        slot = Slot{id, tag};
        if (added) *added = true;
        if (views_.size() * 2 > slots_.size()) grow();
        return id;
      }
      if (slot.tag == tag && views_[slot.id] == s) {
        if (added) *added = false;
        return slot.id;
      }
    }
  }

  std::optional<std::uint32_t> find(std::string_view s) const {
    auto tag = hash(s);
    for (std::size_t i = tag & mask_;; i = (i + 1) & mask_) {
      const auto& slot = slots_[i];
      if (slot.id == kEmpty) return std::nullopt;
      if (slot.tag == tag && views_[slot.id] == s) return slot.id;
    }
  }

  std::string_view view(std::uint32_t id) const { return views_[id]; }
  std::size_t size() const noexcept { return views_.size(); }

 private:
  static constexpr std::uint32_t kEmpty = 0xffffffffu;
  // `tag` is the whole 32-bit hash: its low bits place the slot, all of it
  // screens comparisons, and growing never touches the text again.
  struct Slot {
    std::uint32_t id = kEmpty;
    std::uint32_t tag = 0;
  };

  // FNV-1a over the bytes, then a 64-bit finaliser (murmur3 fmix64) so both the
  // low bits (slot index) and the high bits (tag) are well mixed. The value only
  // places slots: ids follow insertion order, so no output depends on it.
  static std::uint32_t hash(std::string_view s) noexcept {
    std::uint64_t h = fnv1a_64(s);
    h ^= h >> 33;
    h *= 0xff51afd7ed558ccdull;
    h ^= h >> 33;
    h *= 0xc4ceb9fe1a85ec53ull;
    h ^= h >> 33;
    return static_cast<std::uint32_t>(h);
  }

  void grow() {
    std::vector<Slot> old(slots_.size() * 2);
    old.swap(slots_);
    mask_ = slots_.size() - 1;
    for (const auto& slot : old) {
      if (slot.id == kEmpty) continue;
      std::size_t i = slot.tag & mask_;
      while (slots_[i].id != kEmpty) i = (i + 1) & mask_;
      slots_[i] = slot;
    }
  }

  Arena arena_;
  std::vector<std::string_view> views_;
  std::vector<Slot> slots_;
  std::size_t mask_;
};

}  // namespace mxscan::detail
