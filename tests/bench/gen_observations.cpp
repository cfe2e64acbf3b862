// mxscan-gen-observations: a synthetic, deterministic observation set
// (domains.jsonl + hosts.jsonl) for `scripts/bench infer`.
//
// Design note. The population mimics what a scan of a broad domain list sees
// (docs/performance.md "infer" documents the mix): a handful of provider
// addresses shared by most domains (Google, Microsoft, ...), a pool of shared
// hosting servers, and a long tail of self-hosted servers with one address
// each, about 0.3 unique addresses per domain. Hosts that speak STARTTLS carry
// real-sized chains (2-3 certificates, 3-5 KB of base64). The DER bytes are
// random (the inference never parses them; the leaf fields carry the names),
// everything else is plausible text. Records go through mxscan's own writers,
// so the files are exactly what the scanner would write. With --shards N the
// same population is laid out as a campaign would leave it: domain i in
// resolve-(i mod N)/domains.jsonl, every host record in probe/hosts.jsonl.
#include "mxscan/common/observation.hpp"
#include "mxscan/common/observation_jsonl_writer.hpp"
#include "mxscan/common/output_file.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace {

using namespace mxscan;

// splitmix64: tiny, fast and good enough for a reproducible synthetic mix.
class Rng {
 public:
  explicit Rng(std::uint64_t seed) : state_(seed) {}
  std::uint64_t next() {
    std::uint64_t z = (state_ += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30U)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27U)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31U);
  }
  std::uint64_t below(std::uint64_t n) { return next() % n; }
  double unit() { return static_cast<double>(next() >> 11U) * 0x1.0p-53; }
  bool chance(double p) { return unit() < p; }

 private:
  std::uint64_t state_;
};

std::uint64_t mix(std::uint64_t x) { return Rng(x).next(); }

std::string ipv4(std::uint32_t v) {
  return fmt::format("{}.{}.{}.{}", v >> 24U, (v >> 16U) & 0xFFU, (v >> 8U) & 0xFFU, v & 0xFFU);
}

// A provider: its exchanges' address pool, AS and what its servers say.
struct Provider {
  std::string name;  // for the banner templates only
  std::vector<std::string> addresses;
  std::uint32_t asn;
  std::string as_name;
  std::string banner_host;  // "{}" replaced by a per-address number
  std::string cert_cn;
  std::vector<std::string> cert_sans;
  bool tls = true;
  std::vector<bool> used;
};

constexpr std::array<std::string_view, 12> kTlds = {"com", "com",   "com", "com", "net", "org",
                                                    "de",  "co.uk", "fr",  "nl",  "io",  "com.br"};
constexpr std::array<std::string_view, 16> kWords = {
    "acme",  "blue",  "north", "river", "stone",  "bright", "green", "alpha",
    "metro", "pixel", "cedar", "nova",  "harbor", "summit", "maple", "delta"};

class Generator {
 public:
  Generator(std::uint64_t domains, std::uint64_t seed, const std::filesystem::path& out,
            std::uint64_t shards)
      : n_(domains), rng_(seed), hosts_out_(folder(out, shards, "probe") + "/hosts.jsonl") {
    for (std::uint64_t i = 0; i < std::max<std::uint64_t>(shards, 1); ++i) {
      domains_out_.push_back(std::make_unique<OutputFile>(
          folder(out, shards, fmt::format("resolve-{}", i)) + "/domains.jsonl"));
    }
    Rng blob_rng(seed ^ 0xC3A5C85C97CB3127ULL);
    blob_.resize(8192);
    for (auto& c : blob_) c = static_cast<char>(blob_rng.next() & 0xFFU);
    make_providers();
  }

  void run() {
    for (std::uint64_t i = 0; i < n_; ++i) domain(i);
    for (auto& p : providers_) {
      for (std::size_t k = 0; k < p.addresses.size(); ++k) {
        if (p.used[k]) provider_host(p, k);
      }
    }
    for (std::size_t k = 0; k < pool_used_.size(); ++k) {
      if (pool_used_[k]) pool_host(k);
    }
    for (auto& file : domains_out_) file->close();
    hosts_out_.close();
    std::fprintf(stderr, "mxscan-gen-observations: %llu domains, %llu hosts\n",
                 static_cast<unsigned long long>(n_), static_cast<unsigned long long>(hosts_));
  }

 private:
  // OUT itself without shards, else OUT/NAME (created).
  static std::string folder(const std::filesystem::path& out, std::uint64_t shards,
                            const std::string& name) {
    if (shards == 0) return out.string();
    std::filesystem::create_directories(out / name);
    return (out / name).string();
  }

  enum Kind : int {
    google,
    google_custom,
    microsoft,
    godaddy,
    proofpoint,
    cisco,
    mimecast,
    zoho,
    yahoo,
    yandex,
    rackspace,
    ovh_mx,
    small,
    hosting,
    self,
    mixed,
    kKinds
  };

  Provider& add_provider(std::string name, std::size_t count, std::uint32_t base, std::uint32_t asn,
                         std::string as_name, std::string banner, std::string cn,
                         std::vector<std::string> sans, bool tls = true) {
    Provider p{std::move(name), {},  asn, std::move(as_name), std::move(banner), std::move(cn),
               std::move(sans), tls, {}};
    for (std::size_t k = 0; k < count; ++k)
      p.addresses.push_back(ipv4(base + static_cast<std::uint32_t>(k) * 3U));
    p.used.assign(count, false);
    providers_.push_back(std::move(p));
    return providers_.back();
  }

  void make_providers() {
    // Order matters: indices below (kProvider*) follow it.
    add_provider("google", 10, 0x8EFA6600U, 15169, "GOOGLE", "mx.google.com", "mx.google.com",
                 {"mx.google.com", "aspmx.l.google.com", "*.aspmx.l.google.com",
                  "alt1.aspmx.l.google.com", "alt2.aspmx.l.google.com"});
    auto& g6 = providers_.back();
    for (std::size_t k = 0; k < 5; ++k) {
      g6.addresses[2 * k + 1] = fmt::format("2a00:1450:40{:02x}:c00::1b", k);
    }
    add_provider(
        "microsoft", 400, 0x34654400U, 8075, "MICROSOFT-CORP-MSN-AS-BLOCK",
        "AM{}PEPF0002.mail.protection.outlook.com", "mail.protection.outlook.com",
        {"mail.protection.outlook.com", "*.mail.protection.outlook.com", "*.mail.eo.outlook.com"});
    add_provider("godaddy", 6, 0x44B2D500U, 26496, "AS-26496-GO-DADDY-COM-LLC",
                 "p3plibsmtp0{}.prod.phx3.secureserver.net", "", {}, false);
    add_provider("proofpoint", 200, 0x94A39800U, 26211, "PROOFPOINT-ASN-US-WEST",
                 "mx0a-00{}.pphosted.com", "*.pphosted.com", {"*.pphosted.com", "pphosted.com"});
    add_provider("cisco", 300, 0x44E88100U, 16417, "IRONPORT-SYSTEMS-INC", "esa{}.iphmx.com",
                 "*.iphmx.com", {"*.iphmx.com", "iphmx.com"});
    add_provider("mimecast", 24, 0xCFD28E00U, 30031, "MIMECAST-AS",
                 "eu-smtp-inbound-{}.mimecast.com", "*.mimecast.com",
                 {"*.mimecast.com", "mimecast.com"});
    add_provider("zoho", 8, 0xCCA8A000U, 2639, "ZOHO-AS", "mx{}.zoho.com", "*.zoho.com",
                 {"*.zoho.com", "zoho.com"});
    add_provider("yahoo", 12, 0x43C3CC00U, 36647, "YAHOO-GQ1", "mta{}.am0.yahoodns.net",
                 "*.am0.yahoodns.net", {"*.am0.yahoodns.net"});
    add_provider("yandex", 6, 0x4DFA4800U, 13238, "YANDEX", "mx{}.mail.yandex.net", "mx.yandex.net",
                 {"mx.yandex.net", "*.mail.yandex.net"});
    add_provider("rackspace", 10, 0xADCB0400U, 33070, "RMH-14", "mx{}.emailsrvr.com",
                 "*.emailsrvr.com", {"*.emailsrvr.com", "emailsrvr.com"});
    add_provider("ovh", 10, 0x5BCE3400U, 16276, "OVH SAS", "mx{}.mail.ovh.net", "mx.mail.ovh.net",
                 {"mx.mail.ovh.net", "*.mail.ovh.net"});
    // A long tail of 200 small providers, 4 addresses each.
    for (int k = 0; k < 200; ++k) {
      const std::string rd =
          fmt::format("mailhost{}-{}.net", k, kWords[static_cast<std::size_t>(k) % kWords.size()]);
      add_provider("small", 4, 0x6D000000U + static_cast<std::uint32_t>(k) * 256U,
                   60000U + static_cast<std::uint32_t>(k), fmt::format("SMALL-PROVIDER-{}", k),
                   "mx{}." + rd, "*." + rd, {"*." + rd, rd}, k % 3 != 0);
    }
    // Shared hosting: 20,000 servers per million domains, 3-4 domains each.
    pool_used_.assign(std::max<std::uint64_t>(16, n_ / 50), false);
  }

  Kind pick_kind() {
    // Percent of all domains; the DNS failure kinds are drawn before this.
    static constexpr std::array<double, kKinds> weights = {
        25.0, 1.0, 15.0, 4.0, 2.5, 1.5, 1.5, 1.0, 0.8, 0.6, 0.5, 1.0, 3.0, 8.0, 28.0, 0.5};
    double r = rng_.unit() * 93.9;
    for (int k = 0; k < kKinds; ++k) {
      r -= weights[static_cast<std::size_t>(k)];
      if (r < 0) return static_cast<Kind>(k);
    }
    return self;
  }

  MxRecord provider_mx(std::size_t provider, std::string exchange, std::uint16_t pref,
                       std::uint64_t key, int addresses = 1) {
    Provider& p = providers_[provider];
    MxRecord mx{std::move(exchange), pref, DnsStatus::ok, {}, {}};
    for (int a = 0; a < addresses; ++a) {
      const std::size_t k = mix(key + static_cast<std::uint64_t>(a)) % p.addresses.size();
      if (std::find(mx.addresses.begin(), mx.addresses.end(), p.addresses[k]) != mx.addresses.end())
        continue;
      mx.addresses.push_back(p.addresses[k]);
      p.used[k] = true;
    }
    return mx;
  }

  void google_mx(DomainObs& d) {
    static constexpr std::array<std::string_view, 5> names = {
        "aspmx.l.google.com", "alt1.aspmx.l.google.com", "alt2.aspmx.l.google.com",
        "alt3.aspmx.l.google.com", "alt4.aspmx.l.google.com"};
    static constexpr std::array<std::uint16_t, 5> prefs = {1, 5, 5, 10, 10};
    for (std::size_t k = 0; k < names.size(); ++k) {
      MxRecord mx{std::string(names[k]),
                  prefs[k],
                  DnsStatus::ok,
                  {},
                  {providers_[0].addresses[2 * k], providers_[0].addresses[2 * k + 1]}};
      providers_[0].used[2 * k] = providers_[0].used[2 * k + 1] = true;
      d.mx.push_back(std::move(mx));
    }
  }

  void domain(std::uint64_t i) {
    DomainObs d;
    const std::string word(kWords[rng_.below(kWords.size())]);
    d.domain = fmt::format("{}{}.{}", word, i, kTlds[rng_.below(kTlds.size())]);
    d.line = i + 1;
    d.mx_status = DnsStatus::ok;
    const double r = rng_.unit() * 100.0;
    if (r < 3.0) {
      d.mx_status = DnsStatus::nxdomain;
      d.error = "NXDOMAIN";
    } else if (r < 5.0) {
      d.mx_status = DnsStatus::nodata;
    } else if (r < 5.3) {
      d.mx_status = DnsStatus::null_mx;
    } else if (r < 6.0) {
      d.mx_status = rng_.chance(0.5) ? DnsStatus::servfail : DnsStatus::timeout;
      d.error = d.mx_status == DnsStatus::servfail ? "SERVFAIL" : "no answer after 3 tries";
    } else if (r < 6.1) {
      d.mx_status = DnsStatus::invalid_name;
      d.domain.insert(0, "bad_");
      d.error = "not a valid host name";
    } else {
      mx_records(d, i);
    }
    std::sort(d.mx.begin(), d.mx.end(), [](const MxRecord& a, const MxRecord& b) {
      return a.preference != b.preference ? a.preference < b.preference : a.exchange < b.exchange;
    });
    auto& file = *domains_out_[i % domains_out_.size()];
    append_jsonl(file.buffer(), d);
    file.flush_if_full();
  }

  std::string dashed(const std::string& domain) {
    std::string s = domain;
    for (auto& c : s) {
      if (c == '.') c = '-';
    }
    return s;
  }

  void mx_records(DomainObs& d, std::uint64_t i) {
    const std::uint64_t key = mix(i);
    switch (pick_kind()) {
      case google:
        google_mx(d);
        break;
      case google_custom:
        d.mx.push_back(provider_mx(0, "mailhost." + d.domain, 10, 0));
        break;
      case microsoft:
        d.mx.push_back(
            provider_mx(1, dashed(d.domain) + ".mail.protection.outlook.com", 0, key, 2));
        break;
      case godaddy:
        d.mx.push_back(provider_mx(2, "smtp.secureserver.net", 0, 1, 2));
        d.mx.push_back(provider_mx(2, "mailstore1.secureserver.net", 10, 7, 1));
        break;
      case proofpoint: {
        const std::string id = fmt::format("00{}", key % 900000);
        d.mx.push_back(provider_mx(3, fmt::format("mx0a-{}.pphosted.com", id), 10, key));
        d.mx.push_back(provider_mx(3, fmt::format("mx0b-{}.pphosted.com", id), 10, key + 1));
        break;
      }
      case cisco:
        d.mx.push_back(provider_mx(4, fmt::format("mx1.{}.iphmx.com", dashed(d.domain)), 10, key));
        d.mx.push_back(
            provider_mx(4, fmt::format("mx2.{}.iphmx.com", dashed(d.domain)), 10, key + 1));
        break;
      case mimecast:
        d.mx.push_back(provider_mx(5, "eu-smtp-inbound-1.mimecast.com", 10, 3, 4));
        d.mx.push_back(provider_mx(5, "eu-smtp-inbound-2.mimecast.com", 10, 11, 4));
        break;
      case zoho:
        d.mx.push_back(provider_mx(6, "mx.zoho.com", 10, 5, 2));
        d.mx.push_back(provider_mx(6, "mx2.zoho.com", 20, 9, 2));
        break;
      case yahoo:
        d.mx.push_back(provider_mx(7, "mta5.am0.yahoodns.net", 1, 2, 3));
        break;
      case yandex:
        d.mx.push_back(provider_mx(8, "mx.yandex.net", 10, 4, 2));
        break;
      case rackspace:
        d.mx.push_back(provider_mx(9, "mx1.emailsrvr.com", 10, 6, 2));
        d.mx.push_back(provider_mx(9, "mx2.emailsrvr.com", 20, 8, 2));
        break;
      case ovh_mx:
        d.mx.push_back(provider_mx(10, "mx1.mail.ovh.net", 1, 10, 2));
        break;
      case small: {
        const std::size_t p = 11 + key % 200;
        const std::string rd = providers_[p].cert_sans.back();
        d.mx.push_back(provider_mx(p, "mx1." + rd, 10, key, 2));
        d.mx.push_back(provider_mx(p, "mx2." + rd, 20, key + 3, 2));
        break;
      }
      case hosting: {
        const std::size_t k = key % pool_used_.size();
        pool_used_[k] = true;
        d.mx.push_back({"mail." + d.domain, 0, DnsStatus::ok, {}, {pool_address(k)}});
        break;
      }
      case mixed:
        google_mx(d);
        d.mx.resize(1);
        d.mx.push_back(self_hosted(d, "mail." + d.domain, 1));
        break;
      default:
        d.mx.push_back(self_hosted(d, "mail." + d.domain, 10));
        break;
    }
  }

  std::string pool_address(std::size_t k) {
    return ipv4(0xB9000000U + static_cast<std::uint32_t>(k) * 5U);
  }

  // A self-hosted exchange with its own address; the host record is written now.
  MxRecord self_hosted(const DomainObs& d, std::string exchange, std::uint16_t pref) {
    MxRecord mx{std::move(exchange), pref, DnsStatus::ok, {}, {}};
    if (rng_.chance(0.01)) {
      mx.addr_status = DnsStatus::nxdomain;  // dangling MX
      return mx;
    }
    const std::uint64_t n = self_count_++;
    std::string address =
        rng_.chance(0.05) ? fmt::format("2a01:4f8:{:x}:{:x}::25", 0x1000 + (n >> 16U), n & 0xFFFFU)
                          : ipv4(0x50000000U + static_cast<std::uint32_t>(n) * 7U);
    mx.addresses.push_back(address);
    self_host(d, mx.exchange, std::move(address));
    return mx;
  }

  void chain(TlsObs& tls, std::size_t certs) {
    for (std::size_t c = 0; c < certs; ++c) {
      const std::size_t len = 1000 + rng_.below(700);  // 2-3 certs: 2.2-4.2 KB DER, 3-5.6 KB base64
      const std::size_t off = rng_.below(blob_.size() - len);
      tls.chain_der.emplace_back(blob_.data() + off, len);
    }
  }

  std::string fingerprint() {
    return fmt::format("{:016x}{:016x}{:016x}{:016x}", rng_.next(), rng_.next(), rng_.next(),
                       rng_.next());
  }

  TlsObs tls_obs(std::string cn, std::vector<std::string> sans, bool trusted) {
    TlsObs tls;
    tls.version = rng_.chance(0.7) ? "TLSv1.3" : "TLSv1.2";
    tls.cipher =
        tls.version == "TLSv1.3" ? "TLS_AES_256_GCM_SHA384" : "ECDHE-RSA-AES256-GCM-SHA384";
    chain(tls, trusted ? 2 + rng_.below(2) : 1 + rng_.below(2));
    tls.leaf.subject_cn = std::move(cn);
    tls.leaf.sans = std::move(sans);
    tls.leaf.sha256 = fingerprint();
    tls.leaf.not_before = "2026-10-01T00:00:00Z";
    tls.leaf.not_after = "2026-12-30T23:59:59Z";
    tls.trusted = trusted;
    if (!trusted) tls.verify_error = "self-signed certificate";
    return tls;
  }

  void finish_host(HostObs& h, const std::string& server, bool starttls,
                   std::optional<TlsObs> tls) {
    h.port = 25;
    h.status = SmtpStatus::success;
    h.phase = SmtpPhase::done;
    h.ehlo = fmt::format(
        "250-{} Hello [192.0.2.10]\n250-SIZE 52428800\n250-8BITMIME\n250-PIPELINING\n{}250 "
        "HELP",
        server, starttls ? "250-STARTTLS\n" : "");
    h.starttls_offered = starttls;
    if (tls) {
      h.starttls_accepted = true;
      h.ehlo_tls = fmt::format(
          "250-{} Hello [192.0.2.10]\n250-SIZE 52428800\n250-AUTH PLAIN LOGIN\n250 HELP", server);
      h.tls = std::move(tls);
    }
    h.duration_ms = 20.0 + static_cast<double>(rng_.below(400000)) / 1000.0;
    write(h);
  }

  void write(const HostObs& h) {
    append_jsonl(hosts_out_.buffer(), h);
    hosts_out_.flush_if_full();
    ++hosts_;
  }

  void provider_host(const Provider& p, std::size_t k) {
    HostObs h;
    h.address = p.addresses[k];
    h.asn = p.asn;
    h.as_name = p.as_name;
    const std::string server = fmt::format(fmt::runtime(p.banner_host), k + 1);
    h.banner = fmt::format("220 {} ESMTP ready {:x}", server, rng_.next() & 0xFFFFFFU);
    std::optional<TlsObs> tls;
    if (p.tls) tls = tls_obs(p.cert_cn, p.cert_sans, true);
    finish_host(h, server, p.tls, std::move(tls));
  }

  void pool_host(std::size_t k) {
    HostObs h;
    h.address = pool_address(k);
    std::string server;
    if (k % 2 == 0) {
      server = fmt::format("gator{}.hostgator.com", 1000 + k);
      h.asn = 46606;
      h.as_name = "UNIFIEDLAYER-AS-1";
    } else {
      server = fmt::format("server{}.webhost{}.com", k, k % 97);
      h.asn = 24940;
      h.as_name = "HETZNER-AS";
    }
    h.banner = fmt::format(
        "220-{} ESMTP Exim 4.96.2 #2 Sun, 29 Nov 2026 11:00:00 +0000 \n220-We do not "
        "authorize the use of this system to transport unsolicited, \n220 and/or bulk "
        "e-mail.",
        server);
    finish_host(h, server, true, tls_obs(server, {server}, true));
  }

  void self_host(const DomainObs& d, const std::string& exchange, std::string address) {
    HostObs h;
    h.address = std::move(address);
    const double outcome = rng_.unit();
    static constexpr std::array<std::pair<std::uint32_t, std::string_view>, 6> kAses = {
        {{3320, "DTAG"},
         {7922, "COMCAST-7922"},
         {16509, "AMAZON-02"},
         {14061, "DIGITALOCEAN-ASN"},
         {24940, "HETZNER-AS"},
         {12876, "Online SAS"}}};
    if (rng_.chance(0.97)) {
      const auto& [asn, name] = kAses[rng_.below(kAses.size())];
      h.asn = asn;
      h.as_name = std::string(name);
    }
    if (outcome < 0.10) {
      h.status = SmtpStatus::connect_timeout;
      h.phase = SmtpPhase::connect;
      h.error = "no answer to SYN within 10000 ms";
      h.duration_ms = 10000.0;
      write(h);
      return;
    }
    if (outcome < 0.15) {
      h.status = SmtpStatus::refused;
      h.phase = SmtpPhase::connect;
      h.error = "connection refused";
      h.duration_ms = static_cast<double>(rng_.below(200000)) / 1000.0;
      write(h);
      return;
    }
    // Customer VPS at a hoster: the server names itself after the hoster.
    std::string server = exchange;
    const double vps = rng_.unit();
    if (vps < 0.02) {
      server = fmt::format("vps{}.ovh.net", 100000 + self_count_);
      h.asn = 16276;
      h.as_name = "OVH SAS";
    } else if (vps < 0.04) {
      const std::uint32_t v = static_cast<std::uint32_t>(mix(self_count_));
      server = fmt::format("s{}-{}-{}-{}.secureserver.net", 132, v & 0xFFU, (v >> 8U) & 0xFFU,
                           (v >> 16U) & 0xFFU);
      h.asn = 26496;
      h.as_name = "AS-26496-GO-DADDY-COM-LLC";
    }
    static constexpr std::array<std::string_view, 4> kSoftware = {
        "ESMTP Postfix (Debian/GNU)", "ESMTP Exim 4.96", "Microsoft ESMTP MAIL Service ready",
        "ESMTP Sendmail 8.17.1; ready"};
    h.banner = fmt::format("220 {} {}", server, kSoftware[rng_.below(kSoftware.size())]);
    const bool starttls = rng_.chance(0.8);
    std::optional<TlsObs> tls;
    if (starttls) {
      if (rng_.chance(0.55)) {
        tls = tls_obs(server, {server, d.domain}, true);
      } else {
        tls = tls_obs(rng_.chance(0.5) ? server : "localhost.localdomain", {}, false);
      }
    }
    finish_host(h, server, starttls, std::move(tls));
  }

  std::uint64_t n_;
  Rng rng_;
  std::vector<std::unique_ptr<OutputFile>> domains_out_;
  OutputFile hosts_out_;
  std::string blob_;
  std::vector<Provider> providers_;
  std::vector<bool> pool_used_;
  std::uint64_t self_count_ = 0;
  std::uint64_t hosts_ = 0;
};

}  // namespace

int main(int argc, char** argv) {
  std::uint64_t domains = 1000000;
  std::uint64_t seed = 20211102;
  std::uint64_t shards = 0;
  std::string out;
  for (int i = 1; i < argc; ++i) {
    const std::string_view arg = argv[i];
    const bool has_value = i + 1 < argc;
    if (arg == "--domains" && has_value) {
      domains = std::strtoull(argv[++i], nullptr, 10);
    } else if (arg == "--seed" && has_value) {
      seed = std::strtoull(argv[++i], nullptr, 10);
    } else if (arg == "--shards" && has_value) {
      shards = std::strtoull(argv[++i], nullptr, 10);
    } else if ((arg == "-o" || arg == "--out") && has_value) {
      out = argv[++i];
    } else {
      std::fprintf(stderr,
                   "usage: mxscan-gen-observations -o DIR [--domains N] [--seed S] [--shards N]\n");
      return 2;
    }
  }
  if (out.empty() || domains == 0) {
    std::fprintf(stderr,
                 "usage: mxscan-gen-observations -o DIR [--domains N] [--seed S] [--shards N]\n");
    return 2;
  }
  try {
    std::filesystem::create_directories(out);
    Generator(domains, seed, out, shards).run();
  } catch (const std::exception& e) {
    std::fprintf(stderr, "mxscan-gen-observations: %s\n", e.what());
    return 1;
  }
  return 0;
}
