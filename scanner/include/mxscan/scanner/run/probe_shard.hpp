// Which probe shard contacts an address (`mxscan probe --shard J/M`).
//
// Design note. Shards split by destination network, not by address: an
// address belongs to shard stable_hash(PREFIX) mod M, where PREFIX is the text
// of its /24 (IPv4) or /48 (IPv6), e.g. "192.0.2.0/24". Every address of a
// /24 is then contacted by one shard only, so the per-/24 caps of that shard
// are the campaign's caps, and M jobs split the addresses without talking to
// each other.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "mxscan/scanner/run/shard.hpp"

namespace mxscan {

// "a.b.c.0/24" or "x:y:z::/48"; nullopt for text that is not an IP address.
std::optional<std::string> probe_prefix(std::string_view address);

// True when `address` belongs to `shard`; an address that cannot be parsed
// belongs to no shard but 0 (so it is still contacted, and refused, once).
bool in_probe_shard(std::string_view address, const ShardSpec& shard);

}  // namespace mxscan
