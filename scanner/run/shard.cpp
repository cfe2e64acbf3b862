#include "mxscan/scanner/run/shard.hpp"

#include <charconv>

#include "mxscan/common/hash.hpp"

namespace mxscan {

std::uint64_t stable_hash(std::string_view text) noexcept { return fnv1a_64(text); }

std::string ShardSpec::to_string() const {
  return std::to_string(index) + "/" + std::to_string(count);
}

std::optional<ShardSpec> parse_shard(std::string_view text, std::string& error) {
  auto slash = text.find('/');
  ShardSpec spec;
  auto parse = [](std::string_view s, std::uint32_t& out) {
    auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
    return ec == std::errc{} && ptr == s.data() + s.size() && !s.empty();
  };
  if (slash == std::string_view::npos || !parse(text.substr(0, slash), spec.index) ||
      !parse(text.substr(slash + 1), spec.count)) {
    error = "--shard expects I/N with whole numbers, e.g. 0/4 (got '" + std::string(text) + "')";
    return std::nullopt;
  }
  if (spec.count == 0 || spec.index >= spec.count) {
    error = "--shard I/N needs 0 <= I < N (got '" + std::string(text) +
            "'); shards are numbered from 0";
    return std::nullopt;
  }
  return spec;
}

}  // namespace mxscan
