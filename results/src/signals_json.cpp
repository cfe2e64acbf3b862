// The signal fields of providers.jsonl, written and read back. Why it is shaped
// so: signals_json.hpp.
#include "mxscan/results/signals_json.hpp"

#include <fmt/format.h>

#include <stdexcept>

#include "mxscan/common/json_text.hpp"
#include "signals_json_reader.hpp"

namespace mxscan {
namespace {

void append_company(std::string& out, const SpfCompany& c) {
  out.append("{\"company\":");
  json::append_string(out, c.company);
  json::append_raw(out, ",\"kind\":");
  json::append_string(out, to_string(c.kind));
  json::append_raw(out, ",\"include\":");
  json::append_string(out, c.include);
  out.push_back('}');
}

void append_facts(std::string& out, const SignalFacts& f) {
  out.push_back('{');
  bool first = true;
  auto key = [&](std::string_view k) {
    json::append_key(out, k, first);
    first = false;
  };
  if (f.spf) {
    key("spf");
    out.append("{\"result\":");
    json::append_string(out, f.spf->result);
    json::append_raw(out, ",\"error\":");
    json::append_string_or_null(out, f.spf->error);
    json::append_raw(out, ",\"record\":");
    json::append_string_or_null(out, f.spf->record);
    json::append_raw(out, ",\"companies\":");
    json::append_array(out, f.spf->companies, append_company);
    out.push_back('}');
  }
  if (f.mta_sts) {
    key("mta_sts");
    out.append("{\"id\":");
    json::append_string_or_null(out, f.mta_sts->id);
    if (f.mta_sts->policy_status) {
      json::append_raw(out, ",\"policy\":{\"status\":");
      json::append_string(out, *f.mta_sts->policy_status);
      json::append_raw(out, ",\"mode\":");
      json::append_string_or_null(out, f.mta_sts->mode);
      json::append_raw(out, ",\"covers_mx\":");
      json::append_bool(out, f.mta_sts->covers_mx);
      out.push_back('}');
    }
    out.push_back('}');
  }
  if (f.tls_rpt) {
    key("tls_rpt");
    out.append("{\"record\":");
    json::append_bool(out, f.tls_rpt->record);
    json::append_raw(out, ",\"rua_domains\":");
    json::append_string_array(out, f.tls_rpt->rua_domains);
    out.push_back('}');
  }
  if (f.dmarc) {
    key("dmarc");
    out.append("{\"record\":");
    json::append_bool(out, f.dmarc->record);
    json::append_raw(out, ",\"policy\":");
    json::append_string_or_null(out, f.dmarc->policy);
    json::append_raw(out, ",\"rua_domains\":");
    json::append_string_array(out, f.dmarc->rua_domains);
    json::append_raw(out, ",\"ruf_domains\":");
    json::append_string_array(out, f.dmarc->ruf_domains);
    out.push_back('}');
  }
  if (f.dane) {
    key("dane");
    out.append("{\"exchanges\":");
    json::append_uint(out, f.dane->exchanges);
    json::append_raw(out, ",\"with_tlsa\":");
    json::append_uint(out, f.dane->with_tlsa);
    json::append_raw(out, ",\"authenticated\":");
    json::append_bool(out, f.dane->authenticated);
    out.push_back('}');
  }
  out.push_back('}');
}

}  // namespace

void append_signal_fields(std::string& out, const std::optional<SignalView>& view) {
  if (!view) return;
  if (view->gateway) {
    json::append_raw(out, ",\"inbound\":");
    json::append_array(out, view->inbound, [](std::string& o, const InboundCompany& c) {
      o.append("{\"company\":");
      json::append_string(o, c.company);
      json::append_raw(o, ",\"kind\":");
      json::append_string(o, to_string(c.kind));
      o.push_back('}');
    });
    json::append_raw(out, ",\"gateway\":");
    json::append_bool(out, *view->gateway);
  }
  if (view->mailbox) {
    json::append_raw(out, ",\"mailbox\":");
    json::append_array(out, *view->mailbox, append_company);
  }
  if (view->agreement) {
    json::append_raw(out, ",\"agreement\":");
    json::append_bool(out, *view->agreement);
  }
  json::append_raw(out, ",\"signals\":");
  append_facts(out, view->facts);
}

namespace detail {
namespace {

using simdjson::dom::element;

[[noreturn]] void bad(std::string_view what) {
  throw std::runtime_error(fmt::format("malformed signal field {}", what));
}

std::string text(element obj, const char* key, const char* where) {
  auto v = obj[key];
  if (v.error() == simdjson::NO_SUCH_FIELD || v.is_null()) return {};
  std::string_view s;
  if (v.get(s) != simdjson::SUCCESS) bad(fmt::format("{}.{}", where, key));
  return std::string(s);
}

bool boolean(element obj, const char* key, const char* where) {
  bool b = false;
  if (obj[key].get(b) != simdjson::SUCCESS) bad(fmt::format("{}.{}", where, key));
  return b;
}

std::uint32_t count(element obj, const char* key, const char* where) {
  std::uint64_t n = 0;
  if (obj[key].get(n) != simdjson::SUCCESS || n > 0xffffffffU)
    bad(fmt::format("{}.{}", where, key));
  return static_cast<std::uint32_t>(n);
}

std::vector<std::string> texts(element obj, const char* key, const char* where) {
  simdjson::dom::array arr;
  if (obj[key].get(arr) != simdjson::SUCCESS) bad(fmt::format("{}.{}", where, key));
  std::vector<std::string> out;
  for (auto item : arr) {
    std::string_view s;
    if (item.get(s) != simdjson::SUCCESS) bad(fmt::format("{}.{}[]", where, key));
    out.emplace_back(s);
  }
  return out;
}

std::vector<SpfCompany> companies(element obj, const char* key, const char* where) {
  simdjson::dom::array arr;
  if (obj[key].get(arr) != simdjson::SUCCESS) bad(fmt::format("{}.{}", where, key));
  std::vector<SpfCompany> out;
  for (auto item : arr) {
    if (!item.is_object()) bad(fmt::format("{}.{}[]", where, key));
    SpfCompany c;
    c.company = text(item, "company", where);
    c.include = text(item, "include", where);
    const auto kind = parse_company_kind(text(item, "kind", where));
    if (!kind) bad(fmt::format("{}.{}[].kind", where, key));
    c.kind = *kind;
    out.push_back(std::move(c));
  }
  return out;
}

std::optional<element> object(element obj, const char* key, const char* where) {
  auto v = obj[key];
  if (v.error() == simdjson::NO_SUCH_FIELD) return std::nullopt;
  element e;
  if (v.get(e) != simdjson::SUCCESS || !e.is_object()) bad(fmt::format("{}{}", where, key));
  return e;
}

}  // namespace

std::optional<SignalView> parse_signal_fields(element line) {
  const auto signals = object(line, "signals", "");
  if (!signals) return std::nullopt;
  SignalView v;
  if (line["gateway"].error() != simdjson::NO_SUCH_FIELD) {
    v.gateway = boolean(line, "gateway", "");
    for (auto& c : companies(line, "inbound", "")) v.inbound.push_back({c.company, c.kind});
  }
  if (line["mailbox"].error() != simdjson::NO_SUCH_FIELD)
    v.mailbox = companies(line, "mailbox", "");
  if (line["agreement"].error() != simdjson::NO_SUCH_FIELD)
    v.agreement = boolean(line, "agreement", "");
  auto& f = v.facts;
  if (auto spf = object(*signals, "spf", "signals.")) {
    f.spf = SpfFacts{text(*spf, "result", "spf"), text(*spf, "error", "spf"),
                     text(*spf, "record", "spf"), companies(*spf, "companies", "spf")};
  }
  if (auto m = object(*signals, "mta_sts", "signals.")) {
    MtaStsFacts x;
    x.id = text(*m, "id", "mta_sts");
    if (auto p = object(*m, "policy", "mta_sts.")) {
      x.policy_status = text(*p, "status", "mta_sts.policy");
      x.mode = text(*p, "mode", "mta_sts.policy");
      x.covers_mx = boolean(*p, "covers_mx", "mta_sts.policy");
    }
    f.mta_sts = std::move(x);
  }
  if (auto t = object(*signals, "tls_rpt", "signals.")) {
    f.tls_rpt = TlsRptFacts{boolean(*t, "record", "tls_rpt"), texts(*t, "rua_domains", "tls_rpt")};
  }
  if (auto d = object(*signals, "dmarc", "signals.")) {
    f.dmarc = DmarcFacts{text(*d, "policy", "dmarc"), boolean(*d, "record", "dmarc"),
                         texts(*d, "rua_domains", "dmarc"), texts(*d, "ruf_domains", "dmarc")};
  }
  if (auto d = object(*signals, "dane", "signals.")) {
    f.dane = DaneFacts{count(*d, "exchanges", "dane"), count(*d, "with_tlsa", "dane"),
                       boolean(*d, "authenticated", "dane")};
  }
  return v;
}

}  // namespace detail
}  // namespace mxscan
