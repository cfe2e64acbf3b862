// ASN lookups in a MaxMind DB file with the ASN schema (GeoLite2-ASN, DB-IP ASN):
// keys `autonomous_system_number` and `autonomous_system_organization`.
//
// Design note. libmaxminddb maps the file (MMDB_MODE_MMAP) and each lookup walks
// the search tree without allocating; the organisation string is not
// NUL-terminated in the data section, so it is copied by length.
#pragma once

#include <memory>
#include <string>

#include "mxscan/common/asn/asn_source.hpp"

struct MMDB_s;

namespace mxscan {

class MmdbAsnSource final : public AsnSource {
 public:
  // Throws std::runtime_error naming the file and libmaxminddb's error.
  explicit MmdbAsnSource(const std::string& path);
  ~MmdbAsnSource() override;
  MmdbAsnSource(const MmdbAsnSource&) = delete;
  MmdbAsnSource& operator=(const MmdbAsnSource&) = delete;

  std::optional<AsnInfo> lookup(const IpAddress& address) const override;
  std::string describe() const override;
  // Why the database must not be used: no record in it, or its first records
  // carry no autonomous_system_number (a City or Country database); empty when
  // it is usable.
  std::string problem() const;

 private:
  struct Closer {
    void operator()(MMDB_s* db) const noexcept;
  };
  std::unique_ptr<MMDB_s, Closer> db_;
  std::string path_;
};

}  // namespace mxscan
