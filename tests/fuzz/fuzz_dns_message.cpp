// Fuzz harness: the DNS answer parser (any bytes arriving on the resolver's
// socket) and the reading of a parsed answer for MX, A and AAAA questions.
#include "fuzz_harness.hpp"

#include <arpa/inet.h>

#include <array>
#include <span>

#include "mxscan/scanner/dns/dns_message.hpp"

namespace mxscan::fuzz {
namespace {

// Names come out lower case, with every byte outside [a-z0-9-_] escaped as \DDD.
bool is_escaped_name(std::string_view name) {
  for (std::size_t i = 0; i < name.size(); ++i) {
    const char c = name[i];
    if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.') {
      continue;
    }
    if (c != '\\' || name.size() - i < 4) return false;
    for (std::size_t j = i + 1; j <= i + 3; ++j) {
      if (name[j] < '0' || name[j] > '9') return false;
    }
    i += 3;
  }
  return name.size() <= 255 * 4;
}

bool is_address(std::string_view text, int family) {
  std::array<unsigned char, 16> buf{};
  return inet_pton(family, std::string(text).c_str(), buf.data()) == 1;
}

void check_answer(const dns::Message& msg, dns::RrType qtype) {
  const dns::Answer ans = dns::read_answer(msg, msg.qname, qtype);
  MXSCAN_FUZZ_CHECK(ans.cnames.size() <= dns::kMaxCnameChain + 1);
  for (const auto& c : ans.cnames) MXSCAN_FUZZ_CHECK(is_escaped_name(c));
  if (ans.status == DnsStatus::ok) MXSCAN_FUZZ_CHECK(!ans.mx.empty() || !ans.addresses.empty());
  if (ans.chase) MXSCAN_FUZZ_CHECK(ans.status == DnsStatus::nodata && !ans.cnames.empty());
  if (qtype == dns::RrType::mx) {
    MXSCAN_FUZZ_CHECK(ans.addresses.empty());
    for (const auto& mx : ans.mx) MXSCAN_FUZZ_CHECK(is_escaped_name(mx.exchange));
  } else {
    MXSCAN_FUZZ_CHECK(ans.mx.empty());
    const int family = qtype == dns::RrType::a ? AF_INET : AF_INET6;
    for (const auto& a : ans.addresses) MXSCAN_FUZZ_CHECK(is_address(a, family));
  }
  // Asking another question of the same answer is refused, not misread.
  const dns::Answer other = dns::read_answer(msg, msg.qname + "x", qtype);
  MXSCAN_FUZZ_CHECK(other.status == DnsStatus::error && other.mx.empty() &&
                    other.addresses.empty());
}

}  // namespace

int fuzz_dns_message(const std::uint8_t* data, std::size_t size) {
  const dns::ParseResult parsed = dns::parse_message(std::span<const std::uint8_t>(data, size));
  MXSCAN_FUZZ_CHECK(parsed.message.has_value() != !parsed.error.empty());
  if (!parsed.message) return 0;
  const dns::Message& msg = *parsed.message;
  MXSCAN_FUZZ_CHECK(msg.response && size >= 12);
  MXSCAN_FUZZ_CHECK(is_escaped_name(msg.qname));
  MXSCAN_FUZZ_CHECK(msg.answers.size() * 11 <= size);
  for (const auto& rr : msg.answers) {
    MXSCAN_FUZZ_CHECK(is_escaped_name(rr.owner) && is_escaped_name(rr.target));
    if (rr.rclass == dns::kClassIn && rr.type == static_cast<std::uint16_t>(dns::RrType::a)) {
      MXSCAN_FUZZ_CHECK(is_address(rr.address, AF_INET));
    }
    if (rr.rclass == dns::kClassIn && rr.type == static_cast<std::uint16_t>(dns::RrType::aaaa)) {
      MXSCAN_FUZZ_CHECK(is_address(rr.address, AF_INET6));
    }
  }
  for (auto qtype : {dns::RrType::mx, dns::RrType::a, dns::RrType::aaaa}) check_answer(msg, qtype);
  return 0;
}

}  // namespace mxscan::fuzz
