#include "mxscan/scanner/dns/policy_records.hpp"

#include <string_view>

namespace mxscan::dns {
namespace {

std::string_view trim(std::string_view s) noexcept {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// The tag "v" with this exact value first: the record's version.
bool has_version(std::string_view text, std::string_view version) noexcept {
  const std::size_t semi = text.find(';');
  const std::string_view first = trim(text.substr(0, semi));
  const std::size_t eq = first.find('=');
  return eq != std::string_view::npos && trim(first.substr(0, eq)) == "v" &&
         trim(first.substr(eq + 1)) == version;
}

// The one record with this version, or nullptr (none, or several).
const std::string* the_record(const std::vector<std::string>& texts, std::string_view version) {
  const std::string* found = nullptr;
  for (const auto& t : texts) {
    if (!has_version(t, version)) continue;
    if (found != nullptr) return nullptr;
    found = &t;
  }
  return found;
}

// Calls f(tag, value) for each "tag=value" of the record.
template <typename F>
void each_tag(std::string_view text, F f) {
  while (!text.empty()) {
    const std::size_t semi = text.find(';');
    const std::string_view part = trim(text.substr(0, semi));
    text = semi == std::string_view::npos ? std::string_view{} : text.substr(semi + 1);
    const std::size_t eq = part.find('=');
    if (eq == std::string_view::npos) continue;
    f(trim(part.substr(0, eq)), trim(part.substr(eq + 1)));
  }
}

void uris(std::string_view value, std::vector<std::string>& out) {
  out.clear();
  while (!value.empty()) {
    const std::size_t comma = value.find(',');
    const std::string_view uri = trim(value.substr(0, comma));
    value = comma == std::string_view::npos ? std::string_view{} : value.substr(comma + 1);
    if (!uri.empty()) out.emplace_back(uri);
  }
}

}  // namespace

void read_mta_sts(const std::vector<std::string>& texts, MtaStsObs& out) {
  const std::string* record = the_record(texts, "STSv1");
  if (record == nullptr) return;
  out.record = *record;
  each_tag(*record, [&](std::string_view tag, std::string_view value) {
    if (tag == "id") out.id = value;
  });
}

void read_tls_rpt(const std::vector<std::string>& texts, TlsRptObs& out) {
  const std::string* record = the_record(texts, "TLSRPTv1");
  if (record == nullptr) return;
  out.record = *record;
  each_tag(*record, [&](std::string_view tag, std::string_view value) {
    if (tag == "rua") uris(value, out.rua);
  });
}

void read_dmarc(const std::vector<std::string>& texts, DmarcObs& out) {
  const std::string* record = the_record(texts, "DMARC1");
  if (record == nullptr) return;
  out.record = *record;
  each_tag(*record, [&](std::string_view tag, std::string_view value) {
    if (tag == "p") {
      out.policy = value;
    } else if (tag == "rua") {
      uris(value, out.rua);
    } else if (tag == "ruf") {
      uris(value, out.ruf);
    }
  });
}

}  // namespace mxscan::dns
