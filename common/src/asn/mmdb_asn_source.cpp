#include "mxscan/common/asn/mmdb_asn_source.hpp"

#include <arpa/inet.h>
#include <maxminddb.h>

#include <cstring>
#include <ctime>
#include <stdexcept>
#include <vector>

namespace mxscan {

void MmdbAsnSource::Closer::operator()(MMDB_s* db) const noexcept {
  MMDB_close(db);
  delete db;
}

MmdbAsnSource::MmdbAsnSource(const std::string& path) : path_(path) {
  auto db = std::make_unique<MMDB_s>();
  const int status = MMDB_open(path.c_str(), MMDB_MODE_MMAP, db.get());
  if (status != MMDB_SUCCESS) {
    throw std::runtime_error(path + ": cannot open MaxMind DB: " + MMDB_strerror(status));
  }
  db_.reset(db.release());
}

MmdbAsnSource::~MmdbAsnSource() = default;

std::optional<AsnInfo> MmdbAsnSource::lookup(const IpAddress& address) const {
  sockaddr_storage storage{};
  if (address.v6) {
    auto* sa = reinterpret_cast<sockaddr_in6*>(&storage);
    sa->sin6_family = AF_INET6;
    std::memcpy(&sa->sin6_addr, address.bytes.data(), 16);
  } else {
    auto* sa = reinterpret_cast<sockaddr_in*>(&storage);
    sa->sin_family = AF_INET;
    std::memcpy(&sa->sin_addr, address.bytes.data(), 4);
  }
  int mmdb_error = MMDB_SUCCESS;
  MMDB_lookup_result_s result =
      MMDB_lookup_sockaddr(db_.get(), reinterpret_cast<const sockaddr*>(&storage), &mmdb_error);
  if (mmdb_error != MMDB_SUCCESS || !result.found_entry) return std::nullopt;

  MMDB_entry_data_s data{};
  if (MMDB_get_value(&result.entry, &data, "autonomous_system_number", nullptr) != MMDB_SUCCESS ||
      !data.has_data)
    return std::nullopt;
  AsnInfo info;
  switch (data.type) {
    case MMDB_DATA_TYPE_UINT32:
      info.asn = data.uint32;
      break;
    case MMDB_DATA_TYPE_UINT16:
      info.asn = data.uint16;
      break;
    case MMDB_DATA_TYPE_INT32:
      if (data.int32 < 0) return std::nullopt;
      info.asn = static_cast<std::uint32_t>(data.int32);
      break;
    case MMDB_DATA_TYPE_UINT64:
      if (data.uint64 > 0xffffffffULL) return std::nullopt;
      info.asn = static_cast<std::uint32_t>(data.uint64);
      break;
    default:
      return std::nullopt;
  }
  MMDB_entry_data_s org{};
  if (MMDB_get_value(&result.entry, &org, "autonomous_system_organization", nullptr) ==
          MMDB_SUCCESS &&
      org.has_data && org.type == MMDB_DATA_TYPE_UTF8_STRING) {
    info.name.assign(org.utf8_string, org.data_size);  // not NUL-terminated
  }
  return info;
}

std::string MmdbAsnSource::problem() const {
  // The first data records met walking the search tree: a database of another
  // schema has records too, but without the AS number this source reads.
  constexpr std::size_t kRecordsChecked = 16;
  constexpr std::size_t kNodesWalked = 1 << 20;
  std::vector<std::uint32_t> pending{0};
  std::size_t records = 0, walked = 0;
  while (!pending.empty() && records < kRecordsChecked && walked < kNodesWalked) {
    const std::uint32_t node = pending.back();
    pending.pop_back();
    ++walked;
    MMDB_search_node_s n{};
    if (MMDB_read_node(db_.get(), node, &n) != MMDB_SUCCESS) continue;
    const std::pair<std::uint8_t, std::uint64_t> sides[] = {{n.right_record_type, n.right_record},
                                                            {n.left_record_type, n.left_record}};
    const MMDB_entry_s* entries[] = {&n.right_record_entry, &n.left_record_entry};
    for (int side = 0; side < 2; ++side) {
      if (sides[side].first == MMDB_RECORD_TYPE_SEARCH_NODE) {
        pending.push_back(static_cast<std::uint32_t>(sides[side].second));
      } else if (sides[side].first == MMDB_RECORD_TYPE_DATA) {
        ++records;
        MMDB_entry_s entry = *entries[side];
        MMDB_entry_data_s data{};
        if (MMDB_get_value(&entry, &data, "autonomous_system_number", nullptr) == MMDB_SUCCESS &&
            data.has_data) {
          return {};
        }
      }
    }
  }
  if (records == 0) return path_ + ": MaxMind DB without a single record";
  return path_ + ": no autonomous_system_number in its records: not an ASN database (type " +
         std::string(db_->metadata.database_type ? db_->metadata.database_type : "?") + ")";
}

std::string MmdbAsnSource::describe() const {
  char date[32] = "?";
  const std::time_t t = static_cast<std::time_t>(db_->metadata.build_epoch);
  std::tm tm{};
  if (gmtime_r(&t, &tm)) std::strftime(date, sizeof date, "%Y-%m-%d", &tm);
  return "mmdb " + path_ + " (" +
         std::string(db_->metadata.database_type ? db_->metadata.database_type : "?") + ", built " +
         date + ")";
}

}  // namespace mxscan
