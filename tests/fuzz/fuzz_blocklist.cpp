// Fuzz harness: the blocklist reader (ZMap format) and the address and CIDR
// parsers under it. Every range it accepts must then block its addresses, in
// their IPv4-mapped IPv6 spelling too: a parser/table disagreement is a way
// around the blocklist.
#include "fuzz_harness.hpp"

#include "mxscan/common/ip_address.hpp"
#include "mxscan/scanner/conduct/blocklist.hpp"

namespace mxscan::fuzz {
namespace {

std::string_view trim(std::string_view s) {
  const auto b = s.find_first_not_of(" \t\r");
  if (b == std::string_view::npos) return {};
  return s.substr(b, s.find_last_not_of(" \t\r") - b + 1);
}

void check_address_text(std::string_view text) {
  std::optional<IpAddress> a = IpAddress::parse(text);
  if (!a) return;
  // An address is all of its text: nothing after a NUL is ignored.
  MXSCAN_FUZZ_CHECK(text.find('\0') == std::string_view::npos);
  std::optional<IpAddress> again = IpAddress::parse(a->to_string());
  MXSCAN_FUZZ_CHECK(again && *again == *a);
}

void check_cidr_text(std::string_view text) {
  std::optional<Cidr> c = Cidr::parse(text);
  if (!c) return;
  MXSCAN_FUZZ_CHECK(text.find('\0') == std::string_view::npos);
  MXSCAN_FUZZ_CHECK(c->length >= 0 && c->length <= c->base.bits());
  MXSCAN_FUZZ_CHECK(c->base.masked(c->length) == c->base);
  MXSCAN_FUZZ_CHECK(c->contains(c->base));
  std::optional<Cidr> again = Cidr::parse(c->to_string());
  MXSCAN_FUZZ_CHECK(again && again->base == c->base && again->length == c->length);
}

IpAddress last_of(const Cidr& c) {
  IpAddress a = c.base;
  for (int bit = c.length; bit < a.bits(); ++bit) {
    a.bytes[static_cast<std::size_t>(bit / 8)] |= static_cast<std::uint8_t>(0x80U >> (bit % 8));
  }
  return a;
}

}  // namespace

int fuzz_blocklist(const std::uint8_t* data, std::size_t size) {
  const std::string_view text = as_text(data, size);
  Blocklist blocklist;
  bool loaded = true;
  try {
    blocklist.add_text(text, "fuzz.conf");
  } catch (const std::runtime_error&) {
    loaded = false;  // a bad line is an error naming file:line, by contract
  }
  std::string_view rest = text;
  while (!rest.empty()) {
    const auto nl = rest.find('\n');
    std::string_view line = rest.substr(0, nl);
    rest = nl == std::string_view::npos ? std::string_view{} : rest.substr(nl + 1);
    check_address_text(line);
    check_cidr_text(line);
    const std::string_view entry = trim(line.substr(0, line.find('#')));
    if (!loaded || entry.empty()) continue;
    std::optional<Cidr> range = Cidr::parse(entry);
    MXSCAN_FUZZ_CHECK(range.has_value());  // loaded means every entry parsed
    for (const IpAddress& a : {range->base, last_of(*range)}) {
      MXSCAN_FUZZ_CHECK(blocklist.is_blocked(a));
      if (!a.v6) {
        std::optional<IpAddress> mapped = IpAddress::parse("::ffff:" + a.to_string());
        MXSCAN_FUZZ_CHECK(mapped && blocklist.is_blocked(*mapped));
      }
    }
  }
  return 0;
}

}  // namespace mxscan::fuzz
