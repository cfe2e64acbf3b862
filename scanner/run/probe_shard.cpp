#include "mxscan/scanner/run/probe_shard.hpp"

#include "mxscan/common/ip_address.hpp"

namespace mxscan {

std::optional<std::string> probe_prefix(std::string_view address) {
  const auto ip = IpAddress::parse(address);
  if (!ip) return std::nullopt;
  const int length = ip->v6 ? 48 : 24;
  return ip->masked(length).to_string() + "/" + std::to_string(length);
}

bool in_probe_shard(std::string_view address, const ShardSpec& shard) {
  if (shard.count <= 1) return true;
  const auto prefix = probe_prefix(address);
  if (!prefix) return shard.index == 0;
  return stable_hash(*prefix) % shard.count == shard.index;
}

}  // namespace mxscan
