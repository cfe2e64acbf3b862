#include "mxscan/common/observation_jsonl_writer.hpp"

#include "mxscan/common/base64.hpp"
#include "mxscan/common/json_text.hpp"

namespace mxscan {

void append_jsonl(std::string& out, const DomainObs& obs) {
  out.append("{\"schema\":\"");
  out.append(kDomainSchema);
  out.push_back('"');
  json::append_raw(out, ",\"domain\":");
  json::append_string(out, obs.domain);
  json::append_raw(out, ",\"line\":");
  json::append_uint(out, obs.line);
  json::append_raw(out, ",\"mx_status\":");
  json::append_string(out, to_string(obs.mx_status));
  json::append_raw(out, ",\"mx_capped\":");
  json::append_bool(out, obs.mx_capped);
  json::append_raw(out, ",\"cnames\":");
  json::append_string_array(out, obs.cnames);
  json::append_raw(out, ",\"mx\":");
  json::append_array(out, obs.mx, [](std::string& o, const MxRecord& mx) {
    o.append("{\"exchange\":");
    json::append_string(o, mx.exchange);
    json::append_raw(o, ",\"preference\":");
    json::append_uint(o, mx.preference);
    json::append_raw(o, ",\"addr_status\":");
    json::append_string(o, to_string(mx.addr_status));
    json::append_raw(o, ",\"cnames\":");
    json::append_string_array(o, mx.cnames);
    json::append_raw(o, ",\"addresses\":");
    json::append_string_array(o, mx.addresses);
    o.push_back('}');
  });
  json::append_raw(out, ",\"error\":");
  json::append_string_or_null(out, obs.error);
  out.append("}\n");
}

namespace {

void append_tls(std::string& out, const TlsObs& tls) {
  out.append("{\"version\":");
  json::append_string(out, tls.version);
  json::append_raw(out, ",\"cipher\":");
  json::append_string(out, tls.cipher);
  json::append_raw(out, ",\"chain\":");
  json::append_array(out, tls.chain_der, [](std::string& o, const std::string& der) {
    o.push_back('"');
    base64::append_encoded(o, der);  // base64 needs no escaping
    o.push_back('"');
  });
  json::append_raw(out, ",\"leaf\":");
  out.append("{\"cn\":");
  json::append_string_or_null(out, tls.leaf.subject_cn);
  json::append_raw(out, ",\"sans\":");
  json::append_string_array(out, tls.leaf.sans);
  json::append_raw(out, ",\"sha256\":");
  json::append_string(out, tls.leaf.sha256);
  json::append_raw(out, ",\"not_before\":");
  json::append_string(out, tls.leaf.not_before);
  json::append_raw(out, ",\"not_after\":");
  json::append_string(out, tls.leaf.not_after);
  out.push_back('}');
  json::append_raw(out, ",\"trusted\":");
  json::append_bool(out, tls.trusted);
  json::append_raw(out, ",\"verify_error\":");
  json::append_string_or_null(out, tls.verify_error);
  json::append_raw(out, ",\"chain_truncated\":");
  json::append_bool(out, tls.chain_truncated);
  out.push_back('}');
}

}  // namespace

void append_jsonl(std::string& out, const HostObs& obs) {
  out.append("{\"schema\":\"");
  out.append(kHostSchema);
  out.push_back('"');
  json::append_raw(out, ",\"address\":");
  json::append_string(out, obs.address);
  json::append_raw(out, ",\"port\":");
  json::append_uint(out, obs.port);
  json::append_raw(out, ",\"asn\":");
  json::append_or_null(out, obs.asn, json::append_uint);
  json::append_raw(out, ",\"as_name\":");
  json::append_string_or_null(out, obs.as_name);
  json::append_raw(out, ",\"status\":");
  json::append_string(out, to_string(obs.status));
  json::append_raw(out, ",\"phase\":");
  json::append_string(out, to_string(obs.phase));
  json::append_raw(out, ",\"banner\":");
  json::append_string(out, obs.banner);
  json::append_raw(out, ",\"ehlo\":");
  json::append_string(out, obs.ehlo);
  json::append_raw(out, ",\"ehlo_tls\":");
  json::append_string(out, obs.ehlo_tls);
  json::append_raw(out, ",\"starttls_offered\":");
  json::append_bool(out, obs.starttls_offered);
  json::append_raw(out, ",\"starttls_accepted\":");
  json::append_bool(out, obs.starttls_accepted);
  json::append_raw(out, ",\"plaintext_after_starttls\":");
  json::append_uint(out, obs.plaintext_after_starttls);
  json::append_raw(out, ",\"tls\":");
  json::append_or_null(out, obs.tls, append_tls);
  json::append_raw(out, ",\"error\":");
  json::append_string_or_null(out, obs.error);
  json::append_raw(out, ",\"duration_ms\":");
  json::append_double(out, obs.duration_ms);
  out.append("}\n");
}

}  // namespace mxscan
