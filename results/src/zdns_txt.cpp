// ZDNS TXT answers as signals. Why it is shaped so: zdns_txt.hpp.
#include "zdns_txt.hpp"

#include <algorithm>

namespace mxscan::detail {
namespace {

std::string lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) {
    return static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
  });
  return out;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// Tag-value lists (DMARC, MTA-STS, TLS-RPT): "v=X; k=v; ...".
std::string tag(std::string_view record, std::string_view key) {
  while (!record.empty()) {
    const auto semi = record.find(';');
    const auto part = trim(record.substr(0, semi));
    const auto eq = part.find('=');
    if (eq != std::string_view::npos && lower(trim(part.substr(0, eq))) == key)
      return std::string(trim(part.substr(eq + 1)));
    if (semi == std::string_view::npos) break;
    record.remove_prefix(semi + 1);
  }
  return {};
}

std::vector<std::string> uris(std::string_view list) {
  std::vector<std::string> out;
  while (!list.empty()) {
    const auto comma = list.find(',');
    const auto u = trim(list.substr(0, comma));
    if (!u.empty()) out.emplace_back(u);
    if (comma == std::string_view::npos) break;
    list.remove_prefix(comma + 1);
  }
  return out;
}

// The records of `answers` whose version tag starts them (case-insensitive).
std::vector<std::string> with_version(const std::vector<std::string>& answers,
                                      std::string_view version) {
  std::vector<std::string> out;
  for (const auto& a : answers) {
    const auto l = lower(trim(a));
    if (l.starts_with(version) &&
        (l.size() == version.size() || l[version.size()] == ' ' || l[version.size()] == ';'))
      out.push_back(a);
  }
  return out;
}

void fill_spf(SpfObs& spf, DnsStatus status, const std::vector<std::string>& answers) {
  spf.status = status;
  const auto records = with_version(answers, "v=spf1");
  if (status != DnsStatus::ok && status != DnsStatus::nodata && status != DnsStatus::nxdomain) {
    spf.result = "temperror";
    spf.error = std::string(to_string(status));
    return;
  }
  if (records.empty()) {
    spf.result = "none";
    return;
  }
  if (records.size() > 1) {
    spf.result = "permerror";
    spf.error = "two SPF records";
    return;
  }
  spf.record = records[0];
  spf.result = "ok";
  std::string_view rest = spf.record;
  rest.remove_prefix(6);
  while (!rest.empty()) {
    const auto sp = rest.find(' ');
    std::string term = lower(rest.substr(0, sp));
    rest = sp == std::string_view::npos ? std::string_view() : rest.substr(sp + 1);
    if (term.empty()) continue;
    if (term[0] == '+' || term[0] == '-' || term[0] == '~' || term[0] == '?') term.erase(0, 1);
    std::string name;
    if (term.starts_with("include:")) {
      name = term.substr(8);
    } else if (term.starts_with("redirect=")) {
      name = term.substr(9);
    } else if (term == "a" || term == "mx" || term == "ptr" || term.starts_with("a:") ||
               term.starts_with("a/") || term.starts_with("mx:") || term.starts_with("mx/") ||
               term.starts_with("ptr:") || term.starts_with("exists:")) {
      ++spf.lookups;
      continue;
    } else {
      continue;
    }
    ++spf.lookups;
    while (!name.empty() && name.back() == '.') name.pop_back();
    if (!name.empty() &&
        std::find(spf.reached.begin(), spf.reached.end(), name) == spf.reached.end())
      spf.reached.push_back(std::move(name));
  }
}

}  // namespace

TxtOwner txt_owner(std::string_view name) {
  const std::string n = lower(name);
  for (auto [prefix, signal] :
       {std::pair{"_mta-sts.", TxtSignal::mta_sts}, std::pair{"_smtp._tls.", TxtSignal::tls_rpt},
        std::pair{"_dmarc.", TxtSignal::dmarc}}) {
    const std::string_view p(prefix);
    if (n.starts_with(p)) return {n.substr(p.size()), signal};
  }
  return {n, TxtSignal::spf};
}

void apply_txt(DomainSignals& s, TxtSignal signal, DnsStatus status,
               const std::vector<std::string>& answers) {
  switch (signal) {
    case TxtSignal::spf:
      fill_spf(s.spf, status, answers);
      return;
    case TxtSignal::mta_sts: {
      s.mta_sts.status = status;
      const auto records = with_version(answers, "v=stsv1");
      if (records.size() == 1) {
        s.mta_sts.record = records[0];
        s.mta_sts.id = tag(records[0], "id");
      }
      return;
    }
    case TxtSignal::tls_rpt: {
      s.tls_rpt.status = status;
      const auto records = with_version(answers, "v=tlsrptv1");
      if (records.size() == 1) {
        s.tls_rpt.record = records[0];
        s.tls_rpt.rua = uris(tag(records[0], "rua"));
      }
      return;
    }
    case TxtSignal::dmarc: {
      s.dmarc.status = status;
      const auto records = with_version(answers, "v=dmarc1");
      if (records.size() == 1) {
        s.dmarc.record = records[0];
        s.dmarc.policy = lower(tag(records[0], "p"));
        s.dmarc.rua = uris(tag(records[0], "rua"));
        s.dmarc.ruf = uris(tag(records[0], "ruf"));
      }
      return;
    }
  }
}

}  // namespace mxscan::detail
