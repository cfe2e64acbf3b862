#include "mxscan/common/ip_address.hpp"

#include <arpa/inet.h>

#include <charconv>
#include <cstring>

namespace mxscan {

std::optional<IpAddress> IpAddress::parse(std::string_view text) {
  if (text.empty() || text.size() >= INET6_ADDRSTRLEN) return std::nullopt;
  // inet_pton reads a C string: "::1\0garbage" must not pass as ::1.
  if (text.find('\0') != std::string_view::npos) return std::nullopt;
  char buf[INET6_ADDRSTRLEN];
  std::memcpy(buf, text.data(), text.size());
  buf[text.size()] = '\0';
  IpAddress a;
  if (text.find(':') == std::string_view::npos) {
    if (inet_pton(AF_INET, buf, a.bytes.data()) != 1) return std::nullopt;
    return a;
  }
  if (inet_pton(AF_INET6, buf, a.bytes.data()) != 1) return std::nullopt;
  static constexpr std::uint8_t kMapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
  if (std::memcmp(a.bytes.data(), kMapped, sizeof kMapped) == 0) {
    // ::ffff:a.b.c.d reaches a.b.c.d: treat it as that IPv4 address.
    IpAddress v4;
    std::memcpy(v4.bytes.data(), a.bytes.data() + 12, 4);
    return v4;
  }
  a.v6 = true;
  return a;
}

std::string IpAddress::to_string() const {
  char buf[INET6_ADDRSTRLEN];
  if (!inet_ntop(v6 ? AF_INET6 : AF_INET, bytes.data(), buf, sizeof buf)) return {};
  return buf;
}

IpAddress IpAddress::masked(int length) const noexcept {
  IpAddress m = *this;
  const int total = bits();
  for (int bit = length < 0 ? 0 : length; bit < total; ++bit) {
    m.bytes[static_cast<std::size_t>(bit / 8)] &= static_cast<std::uint8_t>(~(0x80u >> (bit % 8)));
  }
  return m;
}

std::uint64_t IpAddress::hi() const noexcept {
  std::uint64_t v = 0;
  for (std::size_t i = 0; i < 8; ++i) v = (v << 8) | bytes[i];
  return v;
}

std::uint64_t IpAddress::lo() const noexcept {
  std::uint64_t v = 0;
  for (std::size_t i = 8; i < 16; ++i) v = (v << 8) | bytes[i];
  return v;
}

std::optional<Cidr> Cidr::parse(std::string_view text) {
  const auto slash = text.find('/');
  auto addr = IpAddress::parse(text.substr(0, slash));
  if (!addr) return std::nullopt;
  // A mapped IPv6 prefix was folded to IPv4: refuse it rather than guess its length.
  if (!addr->v6 && text.substr(0, slash).find(':') != std::string_view::npos &&
      slash != std::string_view::npos)
    return std::nullopt;
  int length = addr->bits();
  if (slash != std::string_view::npos) {
    const std::string_view len_text = text.substr(slash + 1);
    const auto [ptr, ec] =
        std::from_chars(len_text.data(), len_text.data() + len_text.size(), length);
    if (ec != std::errc{} || ptr != len_text.data() + len_text.size() || len_text.empty() ||
        length < 0 || length > addr->bits())
      return std::nullopt;
  }
  Cidr c{addr->masked(length), length};
  if (!(c.base == *addr)) return std::nullopt;
  return c;
}

bool Cidr::contains(const IpAddress& a) const noexcept {
  return a.v6 == base.v6 && a.masked(length) == base;
}

std::string Cidr::to_string() const { return base.to_string() + "/" + std::to_string(length); }

}  // namespace mxscan
