#include "mxscan/inference/providers_json.hpp"

#include "mxscan/common/json_text.hpp"

namespace mxscan::inference {

using json::append_key;

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
  append_key(out, "id");
  json::append_string_or_null(out, p.id);
  append_key(out, "company");
  append_optional(out, p.company);
  append_key(out, "source");
  json::append_string(out, to_string(p.source));
  append_key(out, "score");
  json::append_uint(out, p.score);
  append_key(out, "credit");
  json::append_double(out, p.credit);
  append_key(out, "flag");
  if (p.flag) {
    json::append_string(out, to_string(*p.flag));
  } else {
    out.append("null");
  }
  append_key(out, "original_id");
  append_optional(out, p.original_id);
  append_key(out, "flag_reason");
  json::append_string_or_null(out, p.flag_reason);
  append_key(out, "reason");
  json::append_string_or_null(out, p.reason);
  append_key(out, "live_ips");
  json::append_uint(out, p.live_ips);
  out.push_back('}');
}

}  // namespace

void append_jsonl(std::string& out, const DomainResult& result) {
  out.append("{\"domain\":");
  json::append_string(out, result.domain);
  append_key(out, "status");
  json::append_string(out, to_string(result.status));
  append_key(out, "providers");
  out.push_back('[');
  bool first = true;
  for (const auto& p : result.providers) {
    if (!first) out.push_back(',');
    first = false;
    append_assignment(out, p);
  }
  out.push_back(']');
  append_key(out, "reason");
  json::append_string_or_null(out, result.reason);
  append_key(out, "line");
  json::append_uint(out, result.line);
  append_key(out, "schema");
  out.push_back('"');
  out.append(kProvidersSchema);
  out.append("\"}\n");
}

}  // namespace mxscan::inference
