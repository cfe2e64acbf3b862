#include "mxscan/inference/providers_json.hpp"

#include "mxscan/common/json_text.hpp"

namespace mxscan::inference {

namespace {

void append_optional(std::string& out, const std::optional<std::string>& value) {
  if (value) {
    json::append_string(out, *value);
  } else {
    out.append("null");
  }
}

void append_assignment(std::string& out, const ProviderAssignment& p) {
  out.append("{\"mx\":");
  json::append_string(out, p.mx);
  json::append_raw(out, ",\"id\":");
  json::append_string_or_null(out, p.id);
  json::append_raw(out, ",\"company\":");
  append_optional(out, p.company);
  json::append_raw(out, ",\"source\":");
  json::append_string(out, to_string(p.source));
  json::append_raw(out, ",\"score\":");
  json::append_uint(out, p.score);
  json::append_raw(out, ",\"credit\":");
  json::append_double(out, p.credit);
  json::append_raw(out, ",\"flag\":");
  if (p.flag) {
    json::append_string(out, to_string(*p.flag));
  } else {
    out.append("null");
  }
  json::append_raw(out, ",\"original_id\":");
  append_optional(out, p.original_id);
  json::append_raw(out, ",\"flag_reason\":");
  json::append_string_or_null(out, p.flag_reason);
  json::append_raw(out, ",\"reason\":");
  json::append_string_or_null(out, p.reason);
  json::append_raw(out, ",\"live_ips\":");
  json::append_uint(out, p.live_ips);
  out.push_back('}');
}

}  // namespace

void append_jsonl(std::string& out, const DomainResult& result) {
  out.append("{\"domain\":");
  json::append_string(out, result.domain);
  json::append_raw(out, ",\"status\":");
  json::append_string(out, to_string(result.status));
  json::append_raw(out, ",\"providers\":");
  out.push_back('[');
  bool first = true;
  for (const auto& p : result.providers) {
    if (!first) out.push_back(',');
    first = false;
    append_assignment(out, p);
  }
  out.push_back(']');
  json::append_raw(out, ",\"reason\":");
  json::append_string_or_null(out, result.reason);
  json::append_raw(out, ",\"line\":");
  json::append_uint(out, result.line);
  json::append_raw(out, ",\"schema\":");
  out.push_back('"');
  out.append(kProvidersSchema);
  out.append("\"}\n");
}

}  // namespace mxscan::inference
