// IP addresses, CIDR prefixes and longest-prefix-match tables, without sockets.
//
// Design note. Every address the scanner may contact goes through IpAddress::parse,
// which folds IPv4-mapped IPv6 (::ffff:a.b.c.d) into plain IPv4: the kernel would
// deliver such a connect to the IPv4 address, so blocklists, dedupe and per-/24
// caps must see the IPv4 address too. PrefixTable keeps one hash map per prefix
// length present, so a lookup costs at most one probe per distinct length; it
// backs both the blocklist and the pfx2as ASN source.
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace mxscan {

struct IpAddress {
  bool v6 = false;
  std::array<std::uint8_t, 16> bytes{};  // IPv4 in bytes[0..3]

  // Accepts dotted quads and IPv6 text (no brackets, no zone); nullopt otherwise.
  static std::optional<IpAddress> parse(std::string_view text);
  std::string to_string() const;
  int bits() const noexcept { return v6 ? 128 : 32; }
  // The address with all bits after `length` cleared.
  IpAddress masked(int length) const noexcept;
  std::uint64_t hi() const noexcept;  // first 64 bits (IPv4: the address << 32)
  std::uint64_t lo() const noexcept;
  friend bool operator==(const IpAddress&, const IpAddress&) = default;
};

struct Cidr {
  IpAddress base;  // masked
  int length = 0;

  // "a.b.c.d", "a.b.c.d/n", "x::y", "x::y/n". Host bits set are rejected (nullopt),
  // as ZMap's parser does, so typos do not silently widen a range.
  static std::optional<Cidr> parse(std::string_view text);
  bool contains(const IpAddress& a) const noexcept;
  std::string to_string() const;
};

template <typename T>
class PrefixTable {
 public:
  // Later insertions of the same prefix replace earlier ones.
  void insert(const Cidr& c, T value) {
    auto& by_len = c.base.v6 ? v6_ : v4_;
    by_len[c.length][Key{c.base.hi(), c.base.lo()}] = std::move(value);
    ++size_;
  }
  // Value of the longest prefix containing `a`, or nullptr.
  const T* longest_match(const IpAddress& a) const {
    const auto& by_len = a.v6 ? v6_ : v4_;
    for (auto it = by_len.rbegin(); it != by_len.rend(); ++it) {
      const IpAddress m = a.masked(it->first);
      const auto found = it->second.find(Key{m.hi(), m.lo()});
      if (found != it->second.end()) return &found->second;
    }
    return nullptr;
  }
  std::size_t size() const noexcept { return size_; }

 private:
  struct Key {
    std::uint64_t hi, lo;
    friend bool operator==(const Key&, const Key&) = default;
  };
  struct KeyHash {
    std::size_t operator()(const Key& k) const noexcept {
      return static_cast<std::size_t>(k.hi * 0x9E3779B97F4A7C15ULL ^
                                      (k.lo + 0x632BE59BD9B4E019ULL));
    }
  };
  using Level = std::unordered_map<Key, T, KeyHash>;
  std::map<int, Level> v4_, v6_;
  std::size_t size_ = 0;
};

}  // namespace mxscan
