#include "mxscan/scanner/dns/dns_options.hpp"

#include <arpa/inet.h>

#include <algorithm>
#include <array>
#include <charconv>

namespace mxscan {
namespace {

bool is_family(int family, const std::string& text) {
  std::array<unsigned char, 16> buf{};
  return inet_pton(family, text.c_str(), buf.data()) == 1;
}

}  // namespace

std::optional<ResolverAddress> parse_resolver_address(std::string_view text, std::string* error) {
  auto fail = [&](const std::string& why) -> std::optional<ResolverAddress> {
    if (error != nullptr) *error = "resolver '" + std::string(text) + "': " + why;
    return std::nullopt;
  };
  ResolverAddress out;
  std::string_view port_text;
  if (!text.empty() && text.front() == '[') {
    auto close = text.find(']');
    if (close == std::string_view::npos) return fail("missing ']'");
    out.host = std::string(text.substr(1, close - 1));
    std::string_view rest = text.substr(close + 1);
    if (!rest.empty()) {
      if (rest.front() != ':') return fail("expected ':PORT' after ']'");
      port_text = rest.substr(1);
      if (port_text.empty()) return fail("empty port");
    }
    if (!is_family(AF_INET6, out.host)) return fail("not an IPv6 address");
  } else if (std::count(text.begin(), text.end(), ':') > 1) {
    out.host = std::string(text);
    if (!is_family(AF_INET6, out.host)) return fail("not an IPv6 address");
  } else {
    auto colon = text.find(':');
    out.host = std::string(text.substr(0, colon));
    if (colon != std::string_view::npos) {
      port_text = text.substr(colon + 1);
      if (port_text.empty()) return fail("empty port");
    }
    if (!is_family(AF_INET, out.host)) return fail("not a numeric IPv4 address");
  }
  if (!port_text.empty()) {
    unsigned port = 0;
    auto [ptr, ec] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
    if (ec != std::errc{} || ptr != port_text.data() + port_text.size() || port == 0 ||
        port > 65535) {
      return fail("port is not a number in 1-65535");
    }
    out.port = static_cast<std::uint16_t>(port);
  }
  return out;
}

std::string check_dns_options(const DnsOptions& o) {
  for (const auto& r : o.resolvers) {
    std::string error;
    if (!parse_resolver_address(r, &error)) return error;
  }
  if (o.timeout.count() < 1) return "DNS timeout must be at least 1 ms";
  if (o.retries < 0 || o.retries > 10) return "DNS retries must be in 0-10";
  if (o.qps < 0) return "DNS queries/s limit must not be negative (0: no limit)";
  if (o.max_in_flight < 1) return "DNS queries in flight must be at least 1";
  if (o.channels < 1 || o.channels > 256) return "DNS channels must be in 1-256";
  if (o.threads < 1 || o.threads > 64) return "DNS threads must be in 1-64";
  if (o.max_in_flight < o.threads) return "DNS queries in flight must be at least the thread count";
  if (o.max_mx < 1) return "MX cap must be at least 1";
  if (o.edns_udp_size < 512) return "EDNS UDP size must be at least 512";
  return {};
}

}  // namespace mxscan
