#include "mxscan/common/observation_jsonl_writer.hpp"

#include "mxscan/common/base64.hpp"
#include "mxscan/common/json_text.hpp"

namespace mxscan {
namespace {

void append_tlsa(std::string& out, const TlsaObs& tlsa) {
  out.append("{\"status\":");
  json::append_string(out, to_string(tlsa.status));
  json::append_raw(out, ",\"authenticated\":");
  json::append_bool(out, tlsa.authenticated);
  json::append_raw(out, ",\"records\":");
  json::append_array(out, tlsa.records, [](std::string& o, const TlsaRecord& r) {
    o.append("{\"usage\":");
    json::append_uint(o, r.usage);
    json::append_raw(o, ",\"selector\":");
    json::append_uint(o, r.selector);
    json::append_raw(o, ",\"matching_type\":");
    json::append_uint(o, r.matching_type);
    json::append_raw(o, ",\"data\":");
    json::append_string(o, r.data_hex);
    o.push_back('}');
  });
  out.push_back('}');
}

void append_policy(std::string& out, const MtaStsPolicy& p) {
  out.append("{\"status\":");
  json::append_string(out, p.status);
  json::append_raw(out, ",\"error\":");
  json::append_string_or_null(out, p.error);
  json::append_raw(out, ",\"mode\":");
  json::append_string(out, p.mode);
  json::append_raw(out, ",\"mx\":");
  json::append_string_array(out, p.mx);
  json::append_raw(out, ",\"max_age\":");
  json::append_uint(out, p.max_age);
  json::append_raw(out, ",\"covers_mx\":");
  json::append_bool(out, p.covers_mx);
  out.push_back('}');
}

void append_signals(std::string& out, const DomainSignals& s) {
  out.append("{\"spf\":{\"status\":");
  json::append_string(out, to_string(s.spf.status));
  json::append_raw(out, ",\"record\":");
  json::append_string(out, s.spf.record);
  json::append_raw(out, ",\"reached\":");
  json::append_string_array(out, s.spf.reached);
  json::append_raw(out, ",\"result\":");
  json::append_string(out, s.spf.result);
  json::append_raw(out, ",\"error\":");
  json::append_string_or_null(out, s.spf.error);
  json::append_raw(out, ",\"lookups\":");
  json::append_uint(out, s.spf.lookups);
  json::append_raw(out, "},\"mta_sts\":{\"status\":");
  json::append_string(out, to_string(s.mta_sts.status));
  json::append_raw(out, ",\"record\":");
  json::append_string(out, s.mta_sts.record);
  json::append_raw(out, ",\"id\":");
  json::append_string(out, s.mta_sts.id);
  json::append_raw(out, ",\"policy\":");
  json::append_or_null(out, s.mta_sts.policy, append_policy);
  json::append_raw(out, "},\"tls_rpt\":{\"status\":");
  json::append_string(out, to_string(s.tls_rpt.status));
  json::append_raw(out, ",\"record\":");
  json::append_string(out, s.tls_rpt.record);
  json::append_raw(out, ",\"rua\":");
  json::append_string_array(out, s.tls_rpt.rua);
  json::append_raw(out, "},\"dmarc\":{\"status\":");
  json::append_string(out, to_string(s.dmarc.status));
  json::append_raw(out, ",\"record\":");
  json::append_string(out, s.dmarc.record);
  json::append_raw(out, ",\"policy\":");
  json::append_string(out, s.dmarc.policy);
  json::append_raw(out, ",\"rua\":");
  json::append_string_array(out, s.dmarc.rua);
  json::append_raw(out, ",\"ruf\":");
  json::append_string_array(out, s.dmarc.ruf);
  out.append("}}");
}

}  // namespace

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
    // Written only when collected, so records without signals read as before.
    if (mx.tlsa) {
      json::append_raw(o, ",\"tlsa\":");
      append_tlsa(o, *mx.tlsa);
    }
    o.push_back('}');
  });
  json::append_raw(out, ",\"error\":");
  json::append_string_or_null(out, obs.error);
  if (obs.signals) {
    json::append_raw(out, ",\"signals\":");
    append_signals(out, *obs.signals);
  }
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
