// The builders and the random batch of synthetic_batch.hpp.
#include "synthetic_batch.hpp"

#include <algorithm>
#include <random>
#include <tuple>

namespace mxscan::test {

DomainObs domain(std::string name, std::uint64_t line, std::vector<MxRecord> mx) {
  DomainObs d;
  d.domain = std::move(name);
  d.line = line;
  d.mx_status = DnsStatus::ok;
  d.mx = std::move(mx);
  return d;
}

MxRecord mx(std::string exchange, std::uint16_t pref, std::vector<std::string> addrs) {
  MxRecord m;
  m.exchange = std::move(exchange);
  m.preference = pref;
  m.addr_status = DnsStatus::ok;
  m.addresses = std::move(addrs);
  return m;
}

HostObs host(std::string address, std::string banner, std::optional<std::uint32_t> asn) {
  HostObs h;
  h.address = std::move(address);
  h.status = SmtpStatus::success;
  h.phase = SmtpPhase::quit;
  h.banner = std::move(banner);
  h.asn = asn;
  return h;
}

void with_cert(HostObs& h, std::string cn, std::vector<std::string> sans, bool trusted) {
  TlsObs t;
  t.leaf.subject_cn = std::move(cn);
  t.leaf.sans = std::move(sans);
  t.leaf.sha256 = "ab";
  t.chain_der = {"DER"};
  t.trusted = trusted;
  h.tls = std::move(t);
}

std::string ip(int i) {
  return "10." + std::to_string(i / 65536) + "." + std::to_string((i / 256) % 256) + "." +
         std::to_string(i % 256);
}

Synthetic synthetic(std::uint32_t seed) {
  std::mt19937 rng(seed);
  auto pick = [&](int n) { return std::uniform_int_distribution<int>(0, n - 1)(rng); };
  const std::vector<std::string> providers = {"google.com", "outlook.com",   "secureserver.net",
                                              "ovh.net",    "bigmail.net",   "relay-corp.de",
                                              "iphmx.com",  "webhostbox.net"};
  const std::vector<std::uint32_t> asns = {15169, 8075,  26496, 16276, 64500,
                                           64501, 16417, 46606, 398101};
  Synthetic s;
  const int nhosts = 160;
  for (int i = 0; i < nhosts; ++i) {
    const auto& provider = providers[static_cast<std::size_t>(i % providers.size())];
    std::string fq;
    switch (pick(5)) {
      case 0:
        fq = "mx" + std::to_string(pick(3)) + "." + provider;
        break;
      case 1:
        fq = "vps" + std::to_string(pick(50)) + "." + provider;
        break;
      case 2:
        fq = "s" + std::to_string(pick(9)) + "-1-2-" + std::to_string(pick(9)) + "." + provider;
        break;
      case 3:
        fq = "mail.self" + std::to_string(i) + ".org";
        break;
      default:
        fq = "";
        break;
    }
    auto h = host(ip(i), fq.empty() ? "220 ESMTP" : "220 " + fq + " ESMTP",
                  pick(6) == 0
                      ? std::nullopt
                      : std::optional<std::uint32_t>(
                            asns[static_cast<std::size_t>(pick(static_cast<int>(asns.size())))]));
    if (pick(3) == 0) {
      h.ehlo = "250-" + (pick(2) ? fq : "other.self" + std::to_string(i) + ".net") + " Hello";
    }
    if (pick(2) == 0) {
      std::vector<std::string> sans = {"mx" + std::to_string(pick(3)) + "." + provider};
      if (pick(3) == 0) {
        sans.push_back("mx" + std::to_string(pick(3)) + "." +
                       providers[static_cast<std::size_t>(pick(8))]);
      }
      if (pick(4) == 0) sans.push_back("*." + provider);
      with_cert(h, pick(2) ? sans.front() : "no-dot-cn", sans, pick(5) != 0);
    }
    int fate = pick(12);
    if (fate == 0) h = host(ip(i), ""), h.status = SmtpStatus::connect_timeout;
    if (fate == 1) h = host(ip(i), ""), h.status = SmtpStatus::blocked;
    s.hosts.push_back(h);
    if (pick(10) == 0) {  // a second, different observation of the same address
      auto again = host(ip(i), "220 again" + std::to_string(i) + ".example.net", 64502);
      s.hosts.push_back(again);
    }
  }
  s.hosts.push_back(host("bogus", "220 x.example.com"));  // malformed
  const int ndomains = 400;
  for (int d = 0; d < ndomains; ++d) {
    std::vector<MxRecord> records;
    int n = 1 + pick(3);
    for (int k = 0; k < n; ++k) {
      // Popular exchanges shared by many domains, plus a self-hosted tail.
      std::string ex =
          pick(2) ? "mx" + std::to_string(pick(6)) + ".shared" + std::to_string(pick(4)) + ".net"
                  : "mail.d" + std::to_string(d) + ".com";
      std::vector<std::string> addrs;
      int na = pick(3);
      addrs.reserve(static_cast<std::size_t>(na));
      for (int a = 0; a < na; ++a) addrs.push_back(ip(pick(nhosts + 10)));  // some never observed
      records.push_back(mx(ex, static_cast<std::uint16_t>(10 * pick(3)), addrs));
    }
    std::sort(records.begin(), records.end(), [](const MxRecord& a, const MxRecord& b) {
      return std::tie(a.preference, a.exchange) < std::tie(b.preference, b.exchange);
    });
    s.domains.push_back(
        domain("d" + std::to_string(d) + ".com", static_cast<std::uint64_t>(d) + 1, records));
    if (pick(40) == 0) {  // duplicate record of the same domain on a later line
      s.domains.push_back(
          domain("d" + std::to_string(d) + ".com",
                 static_cast<std::uint64_t>(ndomains) + static_cast<std::uint64_t>(d) + 1,
                 {mx("mail.other.com", 10, {ip(1)})}));
    }
  }
  return s;
}

}  // namespace mxscan::test
