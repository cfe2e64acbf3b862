// What a probe shard contacts (`mxscan probe R_0 ... R_{N-1} --shard J/M`):
// the union of the addresses.tsv of the resolve folders, the addresses of its
// own /24s and /48s only (probe_shard.hpp).
//
// Design note. A probe of an incomplete campaign would silently leave
// addresses uncontacted, so every input is checked before anything is written
// or contacted: each must be a resolve folder whose manifest says complete,
// and the resolve shards must all be there (0..N-1 of one N). --allow-partial
// lifts the completeness checks only; a folder that is not a resolve folder
// is always refused. When several resolve shards name one address (a
// provider's MX), the smallest exchange is kept, as within one shard.
#pragma once

#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

#include "mxscan/scanner/run/address_file.hpp"
#include "mxscan/scanner/run/manifest.hpp"
#include "mxscan/scanner/run/shard.hpp"

namespace mxscan {

// An input the probe refuses; nothing was written or contacted (exit code 2).
struct CampaignInputError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

struct ProbeWork {
  std::vector<AddressEntry> addresses;   // this shard's, sorted by address
  std::vector<ResolveInput> inputs;      // as read, for the manifest
  std::uint64_t campaign_addresses = 0;  // unique addresses of all inputs
  std::vector<std::string> warnings;     // what --allow-partial let through
};

// Throws CampaignInputError naming each folder and what is wrong with it.
ProbeWork load_probe_work(const std::vector<std::string>& resolve_dirs, const ShardSpec& shard,
                          bool allow_partial);

}  // namespace mxscan
