#include "scenario.hpp"

#include <toml++/toml.h>

#include <algorithm>
#include <initializer_list>
#include <numeric>
#include <stdexcept>

#include "mxscan/common/names.hpp"

namespace mxscan::test {
namespace {

[[noreturn]] void bad(const toml::node& n, const std::string& what) {
  throw std::runtime_error("scenario data line " + std::to_string(n.source().begin.line) + ": " +
                           what);
}

// Fixture typos must not pass silently.
void only_keys(const toml::table& t, std::initializer_list<std::string_view> allowed) {
  for (const auto& [key, value] : t) {
    if (std::find(allowed.begin(), allowed.end(), key.str()) == allowed.end()) {
      bad(value, "unknown key '" + std::string(key.str()) + "'");
    }
  }
}

std::string str(const toml::table& t, std::string_view key, std::string def = {}) {
  if (auto v = t[key].value<std::string>()) return *v;
  return def;
}

std::optional<std::string> opt_str(const toml::table& t, std::string_view key) {
  return t[key].value<std::string>();
}

DnsStatus dns(const toml::table& t, std::string_view key) {
  auto s = str(t, key, "ok");
  auto parsed = parse_dns_status(s);
  if (!parsed) bad(t, "unknown DNS status " + s);
  return *parsed;
}

std::vector<std::string> strings(const toml::node* n) {
  std::vector<std::string> out;
  if (const auto* arr = n ? n->as_array() : nullptr) {
    for (const auto& v : *arr) out.push_back(v.value<std::string>().value());
  }
  return out;
}

DomainObs domain_of(const toml::table& t, std::uint64_t default_line) {
  only_keys(t, {"domain", "line", "status", "error", "mx"});
  DomainObs d;
  d.domain = str(t, "domain");
  d.line = t["line"].value<std::uint64_t>().value_or(default_line);
  d.mx_status = dns(t, "status");
  d.error = str(t, "error");
  if (const auto* mx = t["mx"].as_array()) {
    for (const auto& m : *mx) {
      const auto& mt = *m.as_table();
      only_keys(mt, {"exchange", "pref", "addrs", "addr_status"});
      MxRecord r;
      r.exchange = str(mt, "exchange");
      r.preference = mt["pref"].value<std::uint16_t>().value_or(10);
      r.addresses = strings(mt.get("addrs"));
      r.addr_status = mt.contains("addr_status")
                          ? dns(mt, "addr_status")
                          : (r.addresses.empty() ? DnsStatus::nodata : DnsStatus::ok);
      d.mx.push_back(std::move(r));
    }
  }
  return d;
}

HostObs host_of(const toml::table& t) {
  only_keys(t, {"address", "asn", "smtp", "banner", "ehlo", "ehlo_tls", "cert"});
  HostObs h;
  h.address = str(t, "address");
  if (auto asn = t["asn"].value<std::int64_t>()) h.asn = static_cast<std::uint32_t>(*asn);
  auto status = str(t, "smtp", "success");
  auto parsed = parse_smtp_status(status);
  if (!parsed) bad(t, "unknown SMTP status " + status);
  h.status = *parsed;
  h.banner = str(t, "banner");
  h.ehlo = str(t, "ehlo");
  h.ehlo_tls = str(t, "ehlo_tls");
  h.phase = h.banner.empty() ? SmtpPhase::connect : SmtpPhase::quit;
  if (const auto* cert = t["cert"].as_table()) {
    only_keys(*cert, {"cn", "sans", "trusted"});
    TlsObs tls;
    tls.version = "TLSv1.3";
    tls.leaf.subject_cn = str(*cert, "cn");
    tls.leaf.sans = strings(cert->get("sans"));
    tls.leaf.sha256 = "00";
    tls.chain_der.push_back("DER");
    tls.trusted = (*cert)["trusted"].value<bool>().value_or(true);
    h.starttls_offered = h.starttls_accepted = true;
    h.tls = std::move(tls);
  }
  return h;
}

ExpectedProvider provider_of(const toml::table& t) {
  only_keys(t, {"mx", "id", "source", "flag", "original_id", "company", "credit", "score",
                "live_ips", "reason_contains"});
  ExpectedProvider p;
  p.mx = opt_str(t, "mx");
  p.id = opt_str(t, "id");
  p.source = opt_str(t, "source");
  p.flag = opt_str(t, "flag");
  p.original_id = opt_str(t, "original_id");
  if (auto c = opt_str(t, "company")) {
    p.company = c->empty() ? std::optional<std::string>() : std::optional<std::string>(*c);
  }
  p.credit = t["credit"].value<double>();
  if (auto s = t["score"].value<std::int64_t>()) p.score = static_cast<std::uint64_t>(*s);
  if (auto n = t["live_ips"].value<std::int64_t>()) p.live_ips = static_cast<std::uint32_t>(*n);
  p.reason_contains = opt_str(t, "reason_contains");
  return p;
}

}  // namespace

std::string source_path(const std::string& relative) {
  return std::string(MXSCAN_SOURCE_DIR) + "/" + relative;
}

std::vector<Scenario> load_scenarios(const std::string& path) {
  auto root = toml::parse_file(path);
  std::vector<Scenario> out;
  for (const auto& node : *root["scenario"].as_array()) {
    const auto& t = *node.as_table();
    only_keys(t, {"name", "catalog", "threshold", "keep_flagged", "domain", "host", "expect"});
    Scenario s;
    s.name = str(t, "name");
    s.catalog_text = opt_str(t, "catalog");
    if (auto th = t["threshold"].value<std::int64_t>())
      s.options.misidentification_threshold = static_cast<std::uint64_t>(*th);
    s.options.keep_flagged = t["keep_flagged"].value<bool>().value_or(false);
    std::uint64_t line = 0;
    if (const auto* arr = t["domain"].as_array()) {
      for (const auto& d : *arr) s.domains.push_back(domain_of(*d.as_table(), ++line));
    }
    if (const auto* arr = t["host"].as_array()) {
      for (const auto& h : *arr) s.hosts.push_back(host_of(*h.as_table()));
    }
    if (const auto* arr = t["expect"].as_array()) {
      for (const auto& e : *arr) {
        const auto& et = *e.as_table();
        only_keys(et, {"domain", "status", "reason_contains", "providers"});
        Expectation x;
        x.domain = str(et, "domain");
        x.status = str(et, "status", "ok");
        x.reason_contains = opt_str(et, "reason_contains");
        if (const auto* ps = et["providers"].as_array()) {
          x.providers.emplace();
          for (const auto& p : *ps) x.providers->push_back(provider_of(*p.as_table()));
        }
        s.expectations.push_back(std::move(x));
      }
    }
    out.push_back(std::move(s));
  }
  return out;
}

std::vector<std::size_t> natural_order(const Scenario& s) {
  std::vector<std::size_t> order(s.domains.size() + s.hosts.size());
  std::iota(order.begin(), order.end(), 0);
  return order;
}

Results run_batch(const Scenario& s, const Catalog& catalog,
                  const std::vector<std::size_t>& order) {
  static const PublicSuffixList psl;
  Batch batch(catalog, psl, s.options);
  for (auto i : order) {
    if (i < s.domains.size()) {
      batch.add(s.domains[i]);
    } else {
      batch.add(s.hosts[i - s.domains.size()]);
    }
  }
  return batch.finish();
}

}  // namespace mxscan::test
