#include "mxscan/results/importers.hpp"

#include "mxscan/common/base64.hpp"
#include "mxscan/common/ip_address.hpp"
#include "mxscan/common/names.hpp"
#include "mxscan/common/x509.hpp"
#include "zdns_txt.hpp"

#include <fmt/format.h>
#include <simdjson.h>

#include <algorithm>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <tuple>
#include <unordered_map>
#include <variant>

namespace mxscan {

namespace {

using simdjson::dom::element;

struct Bad : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// Looks up a dotted path ("data.smtp.result"); nullopt when any step is missing or null.
std::optional<element> at(element e, std::string_view path) {
  while (!path.empty()) {
    const auto dot = path.find('.');
    const std::string_view key = path.substr(0, dot);
    element next;
    if (!e.is_object() || e[key].get(next) != simdjson::SUCCESS) return std::nullopt;
    e = next;
    path = dot == std::string_view::npos ? std::string_view() : path.substr(dot + 1);
  }
  if (e.is_null()) return std::nullopt;
  return e;
}

std::string text_at(element e, std::string_view path) {
  auto v = at(e, path);
  if (!v) return {};
  std::string_view s;
  if (v->get(s) != simdjson::SUCCESS) throw Bad(fmt::format("field \"{}\" is not a string", path));
  return std::string(s);
}

std::vector<std::string> strings_at(element e, std::string_view path) {
  std::vector<std::string> out;
  auto v = at(e, path);
  if (!v) return out;
  simdjson::dom::array items;
  if (v->get(items) != simdjson::SUCCESS)
    throw Bad(fmt::format("field \"{}\" is not an array", path));
  for (auto item : items) {
    std::string_view s;
    if (item.get(s) != simdjson::SUCCESS)
      throw Bad(fmt::format("field \"{}\" holds a non-string", path));
    out.emplace_back(s);
  }
  return out;
}

std::optional<bool> bool_at(element e, std::string_view path) {
  auto v = at(e, path);
  if (!v) return std::nullopt;
  bool b = false;
  if (v->get(b) != simdjson::SUCCESS) throw Bad(fmt::format("field \"{}\" is not a boolean", path));
  return b;
}

std::optional<std::uint64_t> uint_at(element e, std::string_view path) {
  auto v = at(e, path);
  if (!v) return std::nullopt;
  std::uint64_t n = 0;
  if (v->get(n) != simdjson::SUCCESS)
    throw Bad(fmt::format("field \"{}\" is not an unsigned integer", path));
  return n;
}

element parse_object(simdjson::dom::parser& parser, std::string_view line) {
  element doc;
  if (auto err = parser.parse(line.data(), line.size()).get(doc); err != simdjson::SUCCESS) {
    throw Bad(fmt::format("invalid JSON: {}", simdjson::error_message(err)));
  }
  if (!doc.is_object()) throw Bad("not a JSON object");
  return doc;
}

// The three importers share one frame: a parser reused per thread, the line read
// as one JSON object, and every expected failure turned into a MalformedLine.
template <typename Parse>
ParsedLine guarded_import(std::string_view line, Parse&& parse) {
  thread_local simdjson::dom::parser parser;  // reused: records are copied out before returning
  try {
    return parse(parse_object(parser, line));
  } catch (const Bad& e) {
    return MalformedLine{e.what()};
  } catch (const simdjson::simdjson_error& e) {
    return MalformedLine{e.what()};
  }
}

std::string checked_address(std::string text) {
  if (text.empty()) throw Bad("missing field \"ip\"");
  if (!IpAddress::parse(text)) throw Bad(fmt::format("\"{}\" is not an IP address", text));
  return text;
}

std::uint16_t port_of(element doc, std::string_view path) {
  const auto port = uint_at(doc, path);
  if (!port) return 25;
  if (*port == 0 || *port > 65535) throw Bad(fmt::format("port {} out of range", *port));
  return static_cast<std::uint16_t>(*port);
}

// The greeting's and STARTTLS reply's codes refine a "success" of tools that
// only say the session ran.
SmtpStatus refine_success(const HostObs& h) {
  if (!h.banner.empty() && h.banner[0] == '4') return SmtpStatus::greeting_4xx;
  if (!h.banner.empty() && h.banner[0] == '5') return SmtpStatus::greeting_5xx;
  if (h.starttls_offered && !h.starttls_accepted && !h.tls) return SmtpStatus::starttls_refused;
  return SmtpStatus::success;
}

// Phase of the last step started, from the replies the record holds.
SmtpPhase phase_reached(const HostObs& h, bool success) {
  if (success) return SmtpPhase::done;
  if (h.tls) return SmtpPhase::quit;
  if (h.starttls_accepted) return SmtpPhase::tls_handshake;
  if (!h.ehlo.empty()) return h.starttls_offered ? SmtpPhase::starttls : SmtpPhase::quit;
  if (!h.banner.empty()) return SmtpPhase::ehlo;
  return h.status == SmtpStatus::refused || h.status == SmtpStatus::connect_timeout
             ? SmtpPhase::connect
             : SmtpPhase::greeting;
}

// Leaf fields from the DER when it is there (what the native scanner does),
// else from the names the tool parsed.
void fill_leaf(TlsObs& tls, const std::string& raw_b64, std::string cn,
               std::vector<std::string> names, std::string sha256, std::string not_before,
               std::string not_after) {
  if (!raw_b64.empty()) {
    auto der = base64::decode(raw_b64);
    if (!der) throw Bad("certificate \"raw\" is not base64");
    if (auto x509 = parse_der_certificate(*der)) {
      tls.leaf = certificate_info(x509.get());
      tls.chain_der.insert(tls.chain_der.begin(), std::move(*der));
      return;
    }
    throw Bad("certificate \"raw\" is not a DER certificate");
  }
  tls.leaf.subject_cn = std::move(cn);
  tls.leaf.sans = std::move(names);
  tls.leaf.sha256 = std::move(sha256);
  tls.leaf.not_before = std::move(not_before);
  tls.leaf.not_after = std::move(not_after);
}

std::optional<DnsStatus> zdns_status(std::string_view s) {
  if (s == "NOERROR") return DnsStatus::ok;
  if (s == "NO_ANSWER" || s == "NODATA") return DnsStatus::nodata;
  if (s == "NXDOMAIN") return DnsStatus::nxdomain;
  if (s == "SERVFAIL") return DnsStatus::servfail;
  if (s == "REFUSED") return DnsStatus::refused;
  if (s == "TIMEOUT" || s == "ITERATIVE_TIMEOUT") return DnsStatus::timeout;
  if (s == "ILLEGAL_INPUT") return DnsStatus::invalid_name;
  if (s == "BLACKLIST") return DnsStatus::not_queried;
  if (s == "TRUNCATED" || s == "ERROR" || s == "AUTHFAIL" || s == "FORMERR" || s == "NOTIMP" ||
      s == "NOTAUTH" || s == "NOTZONE" || s == "YXDOMAIN" || s == "YXRRSET" || s == "NXRRSET" ||
      s == "BADSIG" || s == "BADKEY" || s == "BADTIME") {
    return DnsStatus::error;
  }
  return std::nullopt;
}

std::optional<SmtpStatus> zgrab2_status(std::string_view s) {
  if (s == "success") return SmtpStatus::success;
  if (s == "connection-refused") return SmtpStatus::refused;
  if (s == "connection-timeout") return SmtpStatus::connect_timeout;
  if (s == "connection-closed") return SmtpStatus::closed;
  if (s == "handshake-error") return SmtpStatus::tls_failed;
  if (s == "io-timeout") return SmtpStatus::io_timeout;
  if (s == "protocol-error" || s == "application-error" || s == "unknown-error")
    return SmtpStatus::protocol_error;
  if (s == "blocklisted-target") return SmtpStatus::blocked;
  return std::nullopt;
}

void annotate_asn(HostObs& host, const AsnSource* asn) {
  if (host.asn || asn == nullptr) return;
  if (auto ip = IpAddress::parse(host.address)) {
    if (auto info = asn->lookup(*ip)) {
      host.asn = info->asn;
      host.as_name = info->name;
    }
  }
}

}  // namespace

namespace import_detail {

std::string reply_text(std::string_view raw) {
  std::string out;
  std::size_t pos = 0;
  while (pos < raw.size()) {
    std::size_t end = raw.find('\n', pos);
    if (end == std::string_view::npos) end = raw.size();
    std::string_view line = raw.substr(pos, end - pos);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (!out.empty()) out.push_back('\n');
    out.append(line);
    pos = end + 1;
  }
  while (!out.empty() && out.back() == '\n') out.pop_back();
  return out;
}

bool lists_starttls(std::string_view ehlo) {
  std::size_t pos = 0;
  while (pos < ehlo.size()) {
    std::size_t end = ehlo.find('\n', pos);
    if (end == std::string_view::npos) end = ehlo.size();
    std::string_view line = ehlo.substr(pos, end - pos);
    pos = end + 1;
    if (line.size() < 4 || line.substr(0, 3) != "250") continue;
    line.remove_prefix(4);
    while (!line.empty() && (line.back() == ' ' || line.back() == '\r')) line.remove_suffix(1);
    std::string upper(line);
    std::transform(upper.begin(), upper.end(), upper.begin(), [](unsigned char c) {
      return static_cast<char>(c >= 'a' && c <= 'z' ? c - 32 : c);
    });
    if (upper == "STARTTLS") return true;
  }
  return false;
}

}  // namespace import_detail

std::optional<ImportFormat> parse_import_format(std::string_view text) noexcept {
  if (text == "zdns") return ImportFormat::zdns;
  if (text == "zgrab2") return ImportFormat::zgrab2;
  if (text == "censys") return ImportFormat::censys;
  return std::nullopt;
}

std::string_view to_string(ImportFormat format) noexcept {
  switch (format) {
    case ImportFormat::zdns:
      return "zdns";
    case ImportFormat::zgrab2:
      return "zgrab2";
    case ImportFormat::censys:
      return "censys";
  }
  return "?";
}

ParsedLine import_zdns_line(std::string_view line, std::uint64_t line_no) {
  return guarded_import(line, [&](const element& doc) -> ParsedLine {
    DomainObs d;
    d.line = line_no;
    const std::string name = text_at(doc, "name");
    if (name.empty()) throw Bad("missing field \"name\"");
    // v2 nests the lookup under results.MXLOOKUP; v1 is flat.
    const std::optional<element> nested = at(doc, "results.MXLOOKUP");
    const element lookup = nested ? *nested : doc;
    const std::string status_text = text_at(lookup, "status");
    if (status_text.empty())
      throw Bad(nested ? "missing field \"results.MXLOOKUP.status\"" : "missing field \"status\"");
    const auto status = zdns_status(status_text);
    if (!status) throw Bad(fmt::format("unknown ZDNS status \"{}\"", status_text));
    d.error = *status == DnsStatus::ok || *status == DnsStatus::nodata
                  ? ""
                  : "ZDNS status " + status_text;
    const auto a_label = to_a_label(normalise_name(name));
    if (!a_label || *status == DnsStatus::invalid_name) {
      d.domain = name;
      d.mx_status = DnsStatus::invalid_name;
      return d;
    }
    d.domain = *a_label;
    d.mx_status = *status;
    if (*status != DnsStatus::ok) return d;
    if (auto exchanges = at(lookup, "data.exchanges")) {
      simdjson::dom::array items;
      if (exchanges->get(items) != simdjson::SUCCESS)
        throw Bad("field \"data.exchanges\" is not an array");
      for (auto item : items) {
        if (!item.is_object()) throw Bad("data.exchanges[] entry is not an object");
        const std::string type = text_at(item, "type");
        if (!type.empty() && type != "MX") continue;  // CNAMEs and the like in the answer
        MxRecord mx;
        mx.exchange = normalise_name(text_at(item, "name"));
        const auto preference = uint_at(item, "preference");
        if (!preference || *preference > 65535)
          throw Bad("exchange without a valid \"preference\"");
        mx.preference = static_cast<std::uint16_t>(*preference);
        mx.addresses = strings_at(item, "ipv4_addresses");
        for (auto& v6 : strings_at(item, "ipv6_addresses")) mx.addresses.push_back(std::move(v6));
        for (const auto& a : mx.addresses) {
          if (!IpAddress::parse(a)) throw Bad(fmt::format("\"{}\" is not an IP address", a));
        }
        mx.addr_status = mx.addresses.empty() ? DnsStatus::nodata : DnsStatus::ok;
        if (is_ip_literal(mx.exchange)) {
          mx.addr_status = DnsStatus::address_literal;
          mx.addresses.clear();
        }
        d.mx.push_back(std::move(mx));
      }
    }
    // RFC 7505: a single "0 ." record.
    if (d.mx.size() == 1 && d.mx[0].exchange.empty() && d.mx[0].preference == 0) {
      d.mx.clear();
      d.mx_status = DnsStatus::null_mx;
      return d;
    }
    if (d.mx.empty()) d.mx_status = DnsStatus::nodata;
    std::sort(d.mx.begin(), d.mx.end(), [](const MxRecord& a, const MxRecord& b) {
      return std::tie(a.preference, a.exchange) < std::tie(b.preference, b.exchange);
    });
    return d;
  });
}

ParsedLine import_zgrab2_line(std::string_view line) {
  return guarded_import(line, [&](const element& doc) -> ParsedLine {
    HostObs h;
    h.address = checked_address(text_at(doc, "ip"));
    h.port = port_of(doc, "port");
    const auto smtp = at(doc, "data.smtp");
    if (!smtp) throw Bad("missing field \"data.smtp\" (not a ZGrab2 smtp record)");
    const std::string status_text = text_at(*smtp, "status");
    const auto status = zgrab2_status(status_text);
    if (!status) throw Bad(fmt::format("unknown ZGrab2 status \"{}\"", status_text));
    h.status = *status;
    h.error = text_at(*smtp, "error");
    if (auto result = at(*smtp, "result")) {
      h.banner = import_detail::reply_text(text_at(*result, "banner"));
      h.ehlo = import_detail::reply_text(text_at(*result, "ehlo"));
      if (h.ehlo.empty()) h.ehlo = import_detail::reply_text(text_at(*result, "helo"));
      h.starttls_offered = import_detail::lists_starttls(h.ehlo);
      const std::string starttls = text_at(*result, "starttls");
      h.starttls_accepted = starttls.rfind("220", 0) == 0;
      if (auto certs = at(*result, "tls.handshake_log.server_certificates")) {
        TlsObs tls;
        tls.version = text_at(*result, "tls.handshake_log.server_hello.version.name");
        tls.cipher = text_at(*result, "tls.handshake_log.server_hello.cipher_suite.name");
        const auto leaf = at(*certs, "certificate");
        if (!leaf) throw Bad("server_certificates without \"certificate\"");
        const auto cns = strings_at(*leaf, "parsed.subject.common_name");
        fill_leaf(tls, text_at(*leaf, "raw"), cns.empty() ? std::string() : cns.back(),
                  strings_at(*leaf, "parsed.extensions.subject_alt_name.dns_names"),
                  text_at(*leaf, "parsed.fingerprint_sha256"),
                  text_at(*leaf, "parsed.validity.start"), text_at(*leaf, "parsed.validity.end"));
        if (auto chain = at(*certs, "chain")) {
          simdjson::dom::array items;
          if (chain->get(items) != simdjson::SUCCESS)
            throw Bad("field \"server_certificates.chain\" is not an array");
          for (auto item : items) {
            const std::string raw = text_at(item, "raw");
            if (raw.empty()) continue;
            auto der = base64::decode(raw);
            if (!der) throw Bad("chain certificate \"raw\" is not base64");
            tls.chain_der.push_back(std::move(*der));
          }
        }
        tls.trusted = bool_at(*certs, "validation.browser_trusted").value_or(false);
        tls.verify_error = text_at(*certs, "validation.browser_error");
        if (!tls.trusted && tls.verify_error.empty())
          tls.verify_error = "not browser-trusted (ZGrab2)";
        if (tls.trusted) tls.verify_error.clear();
        h.tls = std::move(tls);
        h.starttls_accepted = true;
      }
    }
    if (h.status == SmtpStatus::success) h.status = refine_success(h);
    h.phase = h.status == SmtpStatus::blocked ? SmtpPhase::none
                                              : phase_reached(h, h.status == SmtpStatus::success);
    return h;
  });
}

ParsedLine import_censys_line(std::string_view line) {
  return guarded_import(line, [&](const element& doc) -> ParsedLine {
    HostObs h;
    h.address = checked_address(text_at(doc, "ip"));
    h.port = port_of(doc, "port");
    if (auto asn = uint_at(doc, "autonomous_system.asn")) {
      if (*asn > UINT32_MAX) throw Bad("autonomous_system.asn out of range");
      h.asn = static_cast<std::uint32_t>(*asn);
      h.as_name = text_at(doc, "autonomous_system.name");
    }
    const auto st = at(doc, "smtp.starttls");
    if (!st) throw Bad("missing field \"smtp.starttls\" (not a Censys port-25 record)");
    h.banner = import_detail::reply_text(text_at(*st, "banner"));
    h.ehlo = import_detail::reply_text(text_at(*st, "ehlo"));
    h.starttls_offered = import_detail::lists_starttls(h.ehlo);
    h.starttls_accepted = text_at(*st, "starttls").rfind("220", 0) == 0;
    if (auto tls_obj = at(*st, "tls")) {
      if (auto cert = at(*tls_obj, "certificate")) {
        TlsObs tls;
        tls.version = text_at(*tls_obj, "version");
        tls.cipher = text_at(*tls_obj, "cipher_suite.name");
        const auto cns = strings_at(*cert, "parsed.subject.common_name");
        fill_leaf(tls, text_at(*cert, "raw"), cns.empty() ? std::string() : cns.back(),
                  strings_at(*cert, "parsed.names"), text_at(*cert, "parsed.fingerprint_sha256"),
                  text_at(*cert, "parsed.validity.start"), text_at(*cert, "parsed.validity.end"));
        tls.trusted = bool_at(*tls_obj, "validation.browser_trusted").value_or(false);
        tls.verify_error = tls.trusted ? "" : text_at(*tls_obj, "validation.browser_error");
        if (!tls.trusted && tls.verify_error.empty())
          tls.verify_error = "not browser-trusted (Censys)";
        h.tls = std::move(tls);
        h.starttls_accepted = true;
      }
    }
    if (h.banner.empty() && h.ehlo.empty() && !h.tls) {
      h.status = SmtpStatus::not_smtp;
      h.phase = SmtpPhase::greeting;
    } else {
      h.status = refine_success(h);
      h.phase = phase_reached(h, h.status == SmtpStatus::success);
    }
    return h;
  });
}

namespace {

struct TxtLine {
  detail::TxtOwner owner;
  DnsStatus status = DnsStatus::not_queried;
  std::vector<std::string> answers;
};

// A ZDNS TXT module line (v2: results.TXT; v1: flat with data.answers, or an
// owner name of a signal such as _dmarc.): the TXT line, a MalformedLine, or
// monostate for any other line (MXLOOKUP).
std::variant<std::monostate, TxtLine, MalformedLine> zdns_txt_line(std::string_view line) {
  thread_local simdjson::dom::parser parser;
  try {
    const element doc = parse_object(parser, line);
    const std::string name = text_at(doc, "name");
    const std::optional<element> nested = at(doc, "results.TXT");
    const bool flat = !nested && !at(doc, "results.MXLOOKUP") && !at(doc, "data.exchanges") &&
                      (at(doc, "data.answers") || name.starts_with('_'));
    if (!nested && !flat) return std::monostate{};
    if (name.empty()) throw Bad("missing field \"name\"");
    const element lookup = nested ? *nested : doc;
    const std::string status_text = text_at(lookup, "status");
    const auto status = zdns_status(status_text);
    if (!status) throw Bad(fmt::format("unknown ZDNS status \"{}\"", status_text));
    TxtLine t{detail::txt_owner(normalise_name(name)), *status, {}};
    if (auto answers = at(lookup, "data.answers")) {
      simdjson::dom::array items;
      if (answers->get(items) != simdjson::SUCCESS)
        throw Bad("field \"data.answers\" is not an array");
      for (auto item : items) {
        if (!item.is_object()) throw Bad("data.answers[] entry is not an object");
        if (text_at(item, "type") != "TXT") continue;  // CNAMEs on the way
        t.answers.push_back(text_at(item, "answer"));
      }
    }
    return t;
  } catch (const Bad& e) {
    return MalformedLine{e.what()};
  } catch (const simdjson::simdjson_error& e) {
    return MalformedLine{e.what()};
  }
}

// First pass over a ZDNS file: the signals its TXT lines give, per domain. The
// MX lines are read in the second pass and take them along, so MX and TXT output
// may come in any order in one file.
std::unordered_map<std::string, DomainSignals> zdns_signals(const std::string& path) {
  std::unordered_map<std::string, DomainSignals> out;
  std::ifstream in(path, std::ios::binary);
  std::string line;
  while (std::getline(in, line)) {
    if (line.find("TXT") == std::string::npos && line.find("\"_") == std::string::npos) continue;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    auto t = zdns_txt_line(line);
    if (auto* txt = std::get_if<TxtLine>(&t)) {
      detail::apply_txt(out[txt->owner.domain], txt->owner.signal, txt->status, txt->answers);
    }
  }
  return out;
}

}  // namespace

ReadCounts import_file(ImportFormat format, const std::string& path, ObservationHandler& handler,
                       const AsnSource* asn) {
  std::unordered_map<std::string, DomainSignals> signals;
  if (format == ImportFormat::zdns) signals = zdns_signals(path);
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("cannot read " + path);
  ReadCounts counts;
  std::string line;
  std::uint64_t line_no = 0;
  while (std::getline(in, line)) {
    ++line_no;
    ++counts.lines;
    counts.bytes += line.size() + 1;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.find_first_not_of(" \t") == std::string::npos) {
      ++counts.blank;
      continue;
    }
    if (format == ImportFormat::zdns && !signals.empty()) {
      auto t = zdns_txt_line(line);
      if (auto* bad = std::get_if<MalformedLine>(&t)) {
        ++counts.malformed;
        handler.on_malformed({path, line_no, bad->reason});
        continue;
      }
      if (std::holds_alternative<TxtLine>(t)) continue;  // taken in the first pass
    }
    ParsedLine parsed = format == ImportFormat::zdns     ? import_zdns_line(line, line_no)
                        : format == ImportFormat::zgrab2 ? import_zgrab2_line(line)
                                                         : import_censys_line(line);
    if (auto* d = std::get_if<DomainObs>(&parsed)) {
      ++counts.domains;
      if (auto it = signals.find(d->domain); it != signals.end()) d->signals = it->second;
      handler.on_domain(*d);
    } else if (auto* h = std::get_if<HostObs>(&parsed)) {
      ++counts.hosts;
      annotate_asn(*h, asn);
      handler.on_host(*h);
    } else {
      ++counts.malformed;
      handler.on_malformed({path, line_no, std::get<MalformedLine>(parsed).reason});
    }
  }
  if (in.bad()) throw std::runtime_error("cannot read " + path);
  return counts;
}

}  // namespace mxscan
