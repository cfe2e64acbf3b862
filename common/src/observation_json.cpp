#include "mxscan/common/observation_json.hpp"

#include "mxscan/common/base64.hpp"
#include "mxscan/common/json_text.hpp"

namespace mxscan {

using json::append_key;

void append_jsonl(std::string& out, const DomainObs& obs) {
  out.append("{\"schema\":\"");
  out.append(kDomainSchema);
  out.push_back('"');
  append_key(out, "domain");
  json::append_string(out, obs.domain);
  append_key(out, "line");
  json::append_uint(out, obs.line);
  append_key(out, "mx_status");
  json::append_string(out, to_string(obs.mx_status));
  append_key(out, "mx_capped");
  json::append_bool(out, obs.mx_capped);
  append_key(out, "mx");
  out.push_back('[');
  bool first = true;
  for (const auto& mx : obs.mx) {
    if (!first) out.push_back(',');
    first = false;
    out.append("{\"exchange\":");
    json::append_string(out, mx.exchange);
    append_key(out, "preference");
    json::append_uint(out, mx.preference);
    append_key(out, "addr_status");
    json::append_string(out, to_string(mx.addr_status));
    append_key(out, "cnames");
    json::append_string_array(out, mx.cnames);
    append_key(out, "addresses");
    json::append_string_array(out, mx.addresses);
    out.push_back('}');
  }
  out.push_back(']');
  append_key(out, "error");
  json::append_string_or_null(out, obs.error);
  out.append("}\n");
}

namespace {

void append_tls(std::string& out, const TlsObs& tls) {
  out.append("{\"version\":");
  json::append_string(out, tls.version);
  append_key(out, "cipher");
  json::append_string(out, tls.cipher);
  append_key(out, "chain");
  out.push_back('[');
  bool first = true;
  for (const auto& der : tls.chain_der) {
    if (!first) out.push_back(',');
    first = false;
    out.push_back('"');
    base64::append_encoded(out, der);  // base64 needs no escaping
    out.push_back('"');
  }
  out.push_back(']');
  append_key(out, "leaf");
  out.append("{\"cn\":");
  json::append_string_or_null(out, tls.leaf.subject_cn);
  append_key(out, "sans");
  json::append_string_array(out, tls.leaf.sans);
  append_key(out, "sha256");
  json::append_string(out, tls.leaf.sha256);
  append_key(out, "not_before");
  json::append_string(out, tls.leaf.not_before);
  append_key(out, "not_after");
  json::append_string(out, tls.leaf.not_after);
  out.push_back('}');
  append_key(out, "trusted");
  json::append_bool(out, tls.trusted);
  append_key(out, "verify_error");
  json::append_string_or_null(out, tls.verify_error);
  out.push_back('}');
}

}  // namespace

void append_jsonl(std::string& out, const HostObs& obs) {
  out.append("{\"schema\":\"");
  out.append(kHostSchema);
  out.push_back('"');
  append_key(out, "address");
  json::append_string(out, obs.address);
  append_key(out, "port");
  json::append_uint(out, obs.port);
  append_key(out, "asn");
  if (obs.asn) {
    json::append_uint(out, *obs.asn);
  } else {
    out.append("null");
  }
  append_key(out, "as_name");
  json::append_string_or_null(out, obs.as_name);
  append_key(out, "status");
  json::append_string(out, to_string(obs.status));
  append_key(out, "phase");
  json::append_string(out, to_string(obs.phase));
  append_key(out, "banner");
  json::append_string(out, obs.banner);
  append_key(out, "ehlo");
  json::append_string(out, obs.ehlo);
  append_key(out, "ehlo_tls");
  json::append_string(out, obs.ehlo_tls);
  append_key(out, "starttls_offered");
  json::append_bool(out, obs.starttls_offered);
  append_key(out, "starttls_accepted");
  json::append_bool(out, obs.starttls_accepted);
  append_key(out, "tls");
  if (obs.tls) {
    append_tls(out, *obs.tls);
  } else {
    out.append("null");
  }
  append_key(out, "error");
  json::append_string_or_null(out, obs.error);
  append_key(out, "duration_ms");
  json::append_double(out, obs.duration_ms);
  out.append("}\n");
}

}  // namespace mxscan
