// Deterministic sharding of the input (`--shard I/N`).
//
// Design note. A domain belongs to shard hash(domain) mod N, where hash is
// 64-bit FNV-1a (mxscan/common/hash.hpp) over the normalised name: stable
// across machines, compilers and releases (std::hash is none of these), so N
// independent jobs on a cluster split a list without coordination and
// `mxscan infer` merges their folders.
// Shards are numbered 0..N-1, like Slurm array and Kubernetes indexed-job indices.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace mxscan {

std::uint64_t stable_hash(std::string_view text) noexcept;

struct ShardSpec {
  std::uint32_t index = 0;
  std::uint32_t count = 1;

  bool contains(std::string_view domain) const noexcept {
    return count <= 1 || stable_hash(domain) % count == index;
  }
  std::string to_string() const;
};

// Parses "I/N" (0 <= I < N, N >= 1); nullopt with `error` set otherwise.
std::optional<ShardSpec> parse_shard(std::string_view text, std::string& error);

}  // namespace mxscan
