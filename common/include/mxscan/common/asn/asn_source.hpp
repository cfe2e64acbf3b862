// Where an address's autonomous system comes from.
//
// Design note. The SMTP stage annotates each HostObs through this interface so
// that the data source (a MaxMind-schema .mmdb, a CAIDA pfx2as file, or none)
// is chosen once at start. Lookups are const and thread-safe: sources are
// immutable after loading.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "mxscan/common/ip_address.hpp"

namespace mxscan {

struct AsnInfo {
  std::uint32_t asn = 0;
  std::string name;  // organisation; empty when the source has none (pfx2as)
};

class AsnSource {
 public:
  virtual ~AsnSource() = default;
  // nullopt when the address is not covered.
  virtual std::optional<AsnInfo> lookup(const IpAddress& address) const = 0;
  // Human-readable description for manifests ("mmdb FILE (type, build date)").
  virtual std::string describe() const = 0;
};

}  // namespace mxscan
