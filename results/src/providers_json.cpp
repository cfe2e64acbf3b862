#include "mxscan/results/providers_json.hpp"

#include "mxscan/common/json_text.hpp"
#include "mxscan/results/signals_json.hpp"

namespace mxscan {

namespace {

void append_assignment(std::string& out, const ProviderAssignment& p) {
  out.append("{\"mx\":");
  json::append_string(out, p.mx);
  json::append_raw(out, ",\"id\":");
  json::append_string_or_null(out, p.id);
  json::append_raw(out, ",\"company\":");
  json::append_or_null(out, p.company, json::append_string);
  json::append_raw(out, ",\"source\":");
  json::append_string(out, to_string(p.source));
  json::append_raw(out, ",\"score\":");
  json::append_uint(out, p.score);
  json::append_raw(out, ",\"credit\":");
  json::append_double(out, p.credit);
  json::append_raw(out, ",\"flag\":");
  json::append_or_null(out, p.flag,
                       [](std::string& o, Flag f) { json::append_string(o, to_string(f)); });
  json::append_raw(out, ",\"original_id\":");
  json::append_or_null(out, p.original_id, json::append_string);
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
  json::append_array(out, result.providers, append_assignment);
  json::append_raw(out, ",\"reason\":");
  json::append_string_or_null(out, result.reason);
  json::append_raw(out, ",\"line\":");
  json::append_uint(out, result.line);
  append_signal_fields(out, result.signals);
  json::append_raw(out, ",\"schema\":");
  out.push_back('"');
  out.append(kProvidersSchema);
  out.append("\"}\n");
}

}  // namespace mxscan
