// FNV-1a 64 (Fowler/Noll/Vo), the one byte-string hash of the project.
//
// Design note. Two kinds of callers need a hash whose values are fixed by a
// specification rather than by the standard library: the input split of
// `--shard` (a domain's shard must be the same on every machine, compiler and
// release, which std::hash does not promise), and the inference's string pools
// and duplicate grouping (which only need speed and a good spread, and never let
// a hash value order an output). FNV-1a is short, needs no table, hashes the
// short names of this domain well and is constexpr, so its published test
// vectors are checked at compile time below. The constants are the standard
// 64-bit ones; changing them changes every shard assignment.
#pragma once

#include <cstdint>
#include <string_view>

namespace mxscan {

inline constexpr std::uint64_t kFnv1a64OffsetBasis = 14695981039346656037ULL;
inline constexpr std::uint64_t kFnv1a64Prime = 1099511628211ULL;

constexpr std::uint64_t fnv1a_64(std::string_view bytes) noexcept {
  std::uint64_t h = kFnv1a64OffsetBasis;
  for (char c : bytes) {
    h ^= static_cast<unsigned char>(c);
    h *= kFnv1a64Prime;
  }
  return h;
}

static_assert(fnv1a_64("") == kFnv1a64OffsetBasis);
static_assert(fnv1a_64("a") == 0xaf63dc4c8601ec8cULL);

}  // namespace mxscan
