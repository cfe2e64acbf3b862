#include "mxscan/common/observation_jsonl_reader.hpp"

#include "mxscan/common/base64.hpp"
#include "mxscan/common/observation_jsonl_writer.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <fmt/format.h>
#include <simdjson.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstring>
#include <limits>
#include <stdexcept>

namespace mxscan {

ReadCounts& ReadCounts::operator+=(const ReadCounts& other) noexcept {
  lines += other.lines;
  blank += other.blank;
  domains += other.domains;
  hosts += other.hosts;
  malformed += other.malformed;
  bytes += other.bytes;
  return *this;
}

namespace {

namespace od = simdjson::ondemand;

// Thrown inside one line's parse only; becomes that line's MalformedLine.
struct BadRecord {
  std::string reason;
};

[[noreturn]] void bad(std::string reason) { throw BadRecord{std::move(reason)}; }

// Unwraps a simdjson result, naming the field in the error.
// `field` "record" stands for the line as a whole (its syntax, its object).
template <typename T>
T take(simdjson::simdjson_result<T>&& result, std::string_view field) {
  T value{};
  if (auto err = std::move(result).get(value); err != simdjson::SUCCESS) {
    if (field == "record") bad(fmt::format("invalid JSON: {}", simdjson::error_message(err)));
    bad(fmt::format("field \"{}\": {}", field, simdjson::error_message(err)));
  }
  return value;
}

void text(od::value v, std::string_view field, std::string& out) {
  out.assign(take(v.get_string(), field));
}

// Optional strings may be null (read as empty).
void text_or_null(od::value v, std::string_view field, std::string& out) {
  if (take(v.type(), field) == od::json_type::null) {
    take(v.is_null(), field);
    out.clear();
    return;
  }
  text(v, field, out);
}

std::uint64_t unsigned_at_most(od::value v, std::string_view field, std::uint64_t max) {
  const std::uint64_t n = take(v.get_uint64(), field);
  if (n > max) bad(fmt::format("field \"{}\": {} is out of range (max {})", field, n, max));
  return n;
}

// Fills `out` reusing its strings' buffers (records are parsed into scratch
// objects that live across lines, so steady-state parsing barely allocates).
template <typename Convert>
void texts(od::value v, std::string_view field, std::vector<std::string>& out, Convert convert) {
  std::size_t n = 0;
  for (auto element : take(v.get_array(), field)) {
    // NOLINTNEXTLINE(performance-move-const-arg): simdjson's get() is &&-qualified
    od::value item = take(std::move(element), field);
    if (n == out.size()) out.emplace_back();
    convert(item, field, out[n++]);
  }
  out.resize(n);
}

void texts(od::value v, std::string_view field, std::vector<std::string>& out) {
  texts(v, field, out,
        [](od::value item, std::string_view f, std::string& s) { text(item, f, s); });
}

template <typename Enum>
Enum status(od::value v, std::string_view field,
            std::optional<Enum> (*parse)(std::string_view) noexcept) {
  const std::string_view s = take(v.get_string(), field);
  auto parsed = parse(s);
  if (!parsed) bad(fmt::format("field \"{}\": unknown value \"{}\"", field, s));
  return *parsed;
}

// An IPv4 or IPv6 address in textual form (no brackets), checked by inet_pton
// with the family its text implies (one call; `out` is NUL-terminated already).
// Addresses repeat heavily (a provider's few addresses sit in a large share of
// all MX records), so each thread remembers recently validated texts in a small
// direct-mapped table and inet_pton runs about once per distinct address.
void address(od::value v, std::string_view field, std::string& out) {
  text(v, field, out);
  constexpr std::size_t kSlots = 4096;
  thread_local std::array<std::string, kSlots> validated;
  std::string& slot = validated[std::hash<std::string_view>{}(out) & (kSlots - 1)];
  if (!out.empty() && slot == out) return;
  std::array<unsigned char, 16> bytes{};
  const int family = out.find(':') == std::string::npos ? AF_INET : AF_INET6;
  if (::inet_pton(family, out.c_str(), bytes.data()) != 1) {
    bad(fmt::format("field \"{}\": \"{}\" is not an IP address", field, out));
  }
  slot = out;
}

// Marks required fields as seen; reports the first one missing. Keys are
// compared raw (as written, without unescaping): field names are plain ASCII.
class Required {
 public:
  Required(std::initializer_list<std::string_view> names) {
    for (auto name : names) names_[count_++] = name;
  }
  void seen(od::raw_json_string key) noexcept {
    for (std::size_t i = 0; i < count_; ++i) {
      if (key == names_[i]) {
        mask_ |= 1U << i;
        return;
      }
    }
  }
  void check(std::string_view where) const {
    for (std::size_t i = 0; i < count_; ++i) {
      if ((mask_ & (1U << i)) == 0) {
        bad(fmt::format("missing required field \"{}\"{}", names_[i], where));
      }
    }
  }

 private:
  std::array<std::string_view, 8> names_{};
  std::size_t count_ = 0;
  unsigned mask_ = 0;
};

bool is_null(od::value v, std::string_view field) {
  if (take(v.type(), field) != od::json_type::null) return false;
  take(v.is_null(), field);
  return true;
}

void parse_tlsa_record(od::value v, TlsaRecord& r) {
  Required required{"usage", "selector", "matching_type", "data"};
  for (auto f : take(v.get_object(), "mx.tlsa.records")) {
    od::field field = take(std::move(f), "mx.tlsa.records");
    const od::raw_json_string key = field.key();
    od::value value = field.value();
    if (key == "usage") {
      r.usage = static_cast<std::uint8_t>(unsigned_at_most(value, "mx.tlsa.records.usage", 255));
    } else if (key == "selector") {
      r.selector =
          static_cast<std::uint8_t>(unsigned_at_most(value, "mx.tlsa.records.selector", 255));
    } else if (key == "matching_type") {
      r.matching_type =
          static_cast<std::uint8_t>(unsigned_at_most(value, "mx.tlsa.records.matching_type", 255));
    } else if (key == "data") {
      text(value, "mx.tlsa.records.data", r.data_hex);
    } else {
      continue;
    }
    required.seen(key);
  }
  required.check(" in mx.tlsa.records");
}

void parse_tlsa(od::value v, TlsaObs& tlsa) {
  Required required{"status", "records"};
  for (auto f : take(v.get_object(), "mx.tlsa")) {
    od::field field = take(std::move(f), "mx.tlsa");
    const od::raw_json_string key = field.key();
    od::value value = field.value();
    if (key == "status") {
      tlsa.status = status(value, "mx.tlsa.status", &parse_dns_status);
    } else if (key == "authenticated") {
      tlsa.authenticated = take(value.get_bool(), "mx.tlsa.authenticated");
    } else if (key == "records") {
      tlsa.records.clear();
      for (auto element : take(value.get_array(), "mx.tlsa.records")) {
        od::value item = take(std::move(element), "mx.tlsa.records");  // NOLINT
        parse_tlsa_record(item, tlsa.records.emplace_back());
      }
    } else {
      continue;
    }
    required.seen(key);
  }
  required.check(" in mx.tlsa");
}

void parse_mx(od::value v, MxRecord& mx) {
  mx.reset();
  Required required{"exchange", "preference", "addr_status", "addresses"};
  for (auto f : take(v.get_object(), "mx")) {
    od::field field = take(std::move(f), "mx");
    const od::raw_json_string key = field.key();
    od::value value = field.value();
    if (key == "exchange") {
      text(value, "mx.exchange", mx.exchange);
    } else if (key == "preference") {
      mx.preference = static_cast<std::uint16_t>(
          unsigned_at_most(value, "mx.preference", std::numeric_limits<std::uint16_t>::max()));
    } else if (key == "addr_status") {
      mx.addr_status = status(value, "mx.addr_status", &parse_dns_status);
    } else if (key == "cnames") {
      texts(value, "mx.cnames", mx.cnames);
    } else if (key == "addresses") {
      texts(value, "mx.addresses", mx.addresses, &address);
    } else if (key == "tlsa") {
      if (!is_null(value, "mx.tlsa")) parse_tlsa(value, mx.tlsa.emplace());
      continue;  // optional
    } else {
      continue;  // unknown field: ignored (on-demand skips it)
    }
    required.seen(key);
  }
  required.check(" in an mx record");
}

void parse_spf(od::value v, SpfObs& spf) {
  Required required{"status"};
  for (auto f : take(v.get_object(), "signals.spf")) {
    od::field field = take(std::move(f), "signals.spf");
    const od::raw_json_string key = field.key();
    od::value value = field.value();
    if (key == "status") {
      spf.status = status(value, "signals.spf.status", &parse_dns_status);
    } else if (key == "record") {
      text_or_null(value, "signals.spf.record", spf.record);
    } else if (key == "reached") {
      texts(value, "signals.spf.reached", spf.reached);
    } else if (key == "result") {
      text_or_null(value, "signals.spf.result", spf.result);
    } else if (key == "error") {
      text_or_null(value, "signals.spf.error", spf.error);
    } else if (key == "lookups") {
      spf.lookups = static_cast<std::uint32_t>(unsigned_at_most(
          value, "signals.spf.lookups", std::numeric_limits<std::uint32_t>::max()));
    } else {
      continue;
    }
    required.seen(key);
  }
  required.check(" in signals.spf");
}

void parse_policy(od::value v, MtaStsPolicy& p) {
  Required required{"status"};
  for (auto f : take(v.get_object(), "signals.mta_sts.policy")) {
    od::field field = take(std::move(f), "signals.mta_sts.policy");
    const od::raw_json_string key = field.key();
    od::value value = field.value();
    if (key == "status") {
      text(value, "signals.mta_sts.policy.status", p.status);
    } else if (key == "error") {
      text_or_null(value, "signals.mta_sts.policy.error", p.error);
    } else if (key == "mode") {
      text_or_null(value, "signals.mta_sts.policy.mode", p.mode);
    } else if (key == "mx") {
      texts(value, "signals.mta_sts.policy.mx", p.mx);
    } else if (key == "max_age") {
      p.max_age = take(value.get_uint64(), "signals.mta_sts.policy.max_age");
    } else if (key == "covers_mx") {
      p.covers_mx = take(value.get_bool(), "signals.mta_sts.policy.covers_mx");
    } else {
      continue;
    }
    required.seen(key);
  }
  required.check(" in signals.mta_sts.policy");
}

void parse_mta_sts(od::value v, MtaStsObs& m) {
  Required required{"status"};
  for (auto f : take(v.get_object(), "signals.mta_sts")) {
    od::field field = take(std::move(f), "signals.mta_sts");
    const od::raw_json_string key = field.key();
    od::value value = field.value();
    if (key == "status") {
      m.status = status(value, "signals.mta_sts.status", &parse_dns_status);
    } else if (key == "record") {
      text_or_null(value, "signals.mta_sts.record", m.record);
    } else if (key == "id") {
      text_or_null(value, "signals.mta_sts.id", m.id);
    } else if (key == "policy") {
      if (!is_null(value, "signals.mta_sts.policy")) parse_policy(value, m.policy.emplace());
    } else {
      continue;
    }
    required.seen(key);
  }
  required.check(" in signals.mta_sts");
}

void parse_tls_rpt(od::value v, TlsRptObs& t) {
  Required required{"status"};
  for (auto f : take(v.get_object(), "signals.tls_rpt")) {
    od::field field = take(std::move(f), "signals.tls_rpt");
    const od::raw_json_string key = field.key();
    od::value value = field.value();
    if (key == "status") {
      t.status = status(value, "signals.tls_rpt.status", &parse_dns_status);
    } else if (key == "record") {
      text_or_null(value, "signals.tls_rpt.record", t.record);
    } else if (key == "rua") {
      texts(value, "signals.tls_rpt.rua", t.rua);
    } else {
      continue;
    }
    required.seen(key);
  }
  required.check(" in signals.tls_rpt");
}

void parse_dmarc(od::value v, DmarcObs& d) {
  Required required{"status"};
  for (auto f : take(v.get_object(), "signals.dmarc")) {
    od::field field = take(std::move(f), "signals.dmarc");
    const od::raw_json_string key = field.key();
    od::value value = field.value();
    if (key == "status") {
      d.status = status(value, "signals.dmarc.status", &parse_dns_status);
    } else if (key == "record") {
      text_or_null(value, "signals.dmarc.record", d.record);
    } else if (key == "policy") {
      text_or_null(value, "signals.dmarc.policy", d.policy);
    } else if (key == "rua") {
      texts(value, "signals.dmarc.rua", d.rua);
    } else if (key == "ruf") {
      texts(value, "signals.dmarc.ruf", d.ruf);
    } else {
      continue;
    }
    required.seen(key);
  }
  required.check(" in signals.dmarc");
}

// Each part is optional: a producer that saw only some records (an importer
// with TXT answers but no TLSA) writes those.
void parse_signals(od::value v, DomainSignals& s) {
  for (auto f : take(v.get_object(), "signals")) {
    od::field field = take(std::move(f), "signals");
    const od::raw_json_string key = field.key();
    od::value value = field.value();
    if (key == "spf") {
      parse_spf(value, s.spf);
    } else if (key == "mta_sts") {
      parse_mta_sts(value, s.mta_sts);
    } else if (key == "tls_rpt") {
      parse_tls_rpt(value, s.tls_rpt);
    } else if (key == "dmarc") {
      parse_dmarc(value, s.dmarc);
    }
  }
}

// MxRecords beyond the current record's count are parked here rather than
// destroyed, so their strings' buffers serve later records.
using MxPool = std::vector<MxRecord>;

void parse_domain(od::object& obj, DomainObs& d, MxPool& pool) {
  // The MX records stay out of the reset and are refilled in place (each resets
  // itself); those left over are parked below.
  std::vector<MxRecord> kept_mx = std::move(d.mx);
  d.reset();
  d.mx = std::move(kept_mx);
  std::size_t mx_count = 0;
  Required required{"domain", "mx_status", "mx"};
  for (auto f : obj) {
    od::field field = take(std::move(f), "record");
    const od::raw_json_string key = field.key();
    od::value value = field.value();
    if (key == "domain") {
      text(value, "domain", d.domain);
      if (d.domain.empty()) bad("field \"domain\": empty");
    } else if (key == "line") {
      d.line = take(value.get_uint64(), "line");
    } else if (key == "mx_status") {
      d.mx_status = status(value, "mx_status", &parse_dns_status);
    } else if (key == "mx_capped") {
      d.mx_capped = take(value.get_bool(), "mx_capped");
    } else if (key == "cnames") {
      texts(value, "cnames", d.cnames);
    } else if (key == "mx") {
      mx_count = 0;  // a repeated key: the last one counts
      for (auto element : take(value.get_array(), "mx")) {
        if (mx_count == d.mx.size()) {
          if (pool.empty()) {
            d.mx.emplace_back();
          } else {
            d.mx.push_back(std::move(pool.back()));
            pool.pop_back();
          }
        }
        od::value item = take(std::move(element), "mx");  // NOLINT(performance-move-const-arg)
        parse_mx(item, d.mx[mx_count++]);
      }
    } else if (key == "error") {
      text_or_null(value, "error", d.error);
    } else if (key == "signals") {
      if (!is_null(value, "signals")) {
        d.signals.emplace();
        parse_signals(value, *d.signals);
      }
      continue;  // optional
    } else {
      continue;
    }
    required.seen(key);
  }
  while (d.mx.size() > mx_count) {
    pool.push_back(std::move(d.mx.back()));
    d.mx.pop_back();
  }
  required.check("");
}

void parse_leaf(od::value v, CertificateInfo& leaf) {
  leaf.reset();
  Required required{"cn", "sans"};
  for (auto f : take(v.get_object(), "tls.leaf")) {
    od::field field = take(std::move(f), "tls.leaf");
    const od::raw_json_string key = field.key();
    od::value value = field.value();
    if (key == "cn") {
      text_or_null(value, "tls.leaf.cn", leaf.subject_cn);
    } else if (key == "sans") {
      texts(value, "tls.leaf.sans", leaf.sans);
    } else if (key == "sha256") {
      text_or_null(value, "tls.leaf.sha256", leaf.sha256);
    } else if (key == "not_before") {
      text_or_null(value, "tls.leaf.not_before", leaf.not_before);
    } else if (key == "not_after") {
      text_or_null(value, "tls.leaf.not_after", leaf.not_after);
    } else {
      continue;
    }
    required.seen(key);
  }
  required.check(" in tls.leaf");
}

void parse_tls(od::value v, bool decode_chains, TlsObs& tls) {
  tls.reset();
  Required required{"version", "cipher", "chain", "leaf", "trusted"};
  for (auto f : take(v.get_object(), "tls")) {
    od::field field = take(std::move(f), "tls");
    const od::raw_json_string key = field.key();
    od::value value = field.value();
    if (key == "version") {
      text_or_null(value, "tls.version", tls.version);
    } else if (key == "cipher") {
      text_or_null(value, "tls.cipher", tls.cipher);
    } else if (key == "chain") {
      od::array chain = take(value.get_array(), "tls.chain");
      if (decode_chains) {
        std::size_t index = 0;
        for (auto element : chain) {
          od::value item =
              take(std::move(element), "tls.chain");  // NOLINT(performance-move-const-arg)
          auto der = base64::decode(take(item.get_string(), "tls.chain"));
          if (!der)
            bad(fmt::format("field \"tls.chain\": certificate {} is not valid base64", index));
          tls.chain_der.push_back(std::move(*der));
          ++index;
        }
      }
      // Not decoding: the array is left unread and on-demand skips it whole.
    } else if (key == "leaf") {
      parse_leaf(value, tls.leaf);
    } else if (key == "trusted") {
      tls.trusted = take(value.get_bool(), "tls.trusted");
    } else if (key == "verify_error") {
      text_or_null(value, "tls.verify_error", tls.verify_error);
    } else if (key == "chain_truncated") {
      tls.chain_truncated = take(value.get_bool(), "tls.chain_truncated");
    } else {
      continue;
    }
    required.seen(key);
  }
  required.check(" in tls");
}

void parse_host(od::object& obj, bool decode_chains, HostObs& h, TlsObs& tls_scratch) {
  if (h.tls) tls_scratch = std::move(*h.tls);  // keep its buffers for the next TLS record
  h.reset();
  Required required{"address", "port", "status", "phase"};
  for (auto f : obj) {
    od::field field = take(std::move(f), "record");
    const od::raw_json_string key = field.key();
    od::value value = field.value();
    if (key == "address") {
      address(value, "address", h.address);
    } else if (key == "port") {
      h.port = static_cast<std::uint16_t>(
          unsigned_at_most(value, "port", std::numeric_limits<std::uint16_t>::max()));
    } else if (key == "asn") {
      if (take(value.type(), "asn") == od::json_type::null) {
        take(value.is_null(), "asn");
      } else {
        h.asn = static_cast<std::uint32_t>(
            unsigned_at_most(value, "asn", std::numeric_limits<std::uint32_t>::max()));
      }
    } else if (key == "as_name") {
      text_or_null(value, "as_name", h.as_name);
    } else if (key == "status") {
      h.status = status(value, "status", &parse_smtp_status);
    } else if (key == "phase") {
      h.phase = status(value, "phase", &parse_smtp_phase);
    } else if (key == "banner") {
      text_or_null(value, "banner", h.banner);
    } else if (key == "ehlo") {
      text_or_null(value, "ehlo", h.ehlo);
    } else if (key == "ehlo_tls") {
      text_or_null(value, "ehlo_tls", h.ehlo_tls);
    } else if (key == "starttls_offered") {
      h.starttls_offered = take(value.get_bool(), "starttls_offered");
    } else if (key == "starttls_accepted") {
      h.starttls_accepted = take(value.get_bool(), "starttls_accepted");
    } else if (key == "plaintext_after_starttls") {
      h.plaintext_after_starttls = static_cast<std::uint32_t>(unsigned_at_most(
          value, "plaintext_after_starttls", std::numeric_limits<std::uint32_t>::max()));
    } else if (key == "tls") {
      if (take(value.type(), "tls") == od::json_type::null) {
        take(value.is_null(), "tls");
      } else {
        parse_tls(value, decode_chains, tls_scratch);
        h.tls = std::move(tls_scratch);
      }
    } else if (key == "error") {
      text_or_null(value, "error", h.error);
    } else if (key == "duration_ms") {
      if (take(value.type(), "duration_ms") == od::json_type::null) {
        take(value.is_null(), "duration_ms");
      } else {
        h.duration_ms = take(value.get_double(), "duration_ms");
      }
    } else {
      continue;
    }
    required.seen(key);
  }
  required.check("");
}

bool is_blank(std::string_view line) noexcept {
  for (char c : line) {
    if (c != ' ' && c != '\t' && c != '\r') return false;
  }
  return true;
}

}  // namespace

struct ObservationReader::Impl {
  ObservationReadOptions options;
  od::parser parser;
  std::string scratch;  // padded copy for lines that do not sit in a padded buffer

  // Scratch records reused for every line: their buffers survive, so steady-state
  // parsing barely allocates. Handlers see them by const reference.
  DomainObs domain;
  HostObs host;
  TlsObs tls_scratch;
  MxPool mx_pool;
  std::string reason;

  enum class Kind { domain, host, malformed };

  static constexpr std::string_view kDomainPrefix = R"({"schema":"mxscan/domain/1",)";
  static constexpr std::string_view kHostPrefix = R"({"schema":"mxscan/host/1",)";

  // `data` must be readable up to data + capacity, capacity >= len + SIMDJSON_PADDING.
  Kind parse(const char* data, std::size_t len, std::size_t capacity) {
    try {
      od::document doc = take(parser.iterate(data, len, capacity), "record");
      od::object obj;
      if (auto err = doc.get_object().get(obj); err != simdjson::SUCCESS) {
        if (err == simdjson::INCORRECT_TYPE) bad("not a JSON object");
        bad(fmt::format("invalid JSON: {}", simdjson::error_message(err)));
      }
      // mxscan's writers put the schema first: recognise that prefix without a
      // lookup (the field walk below still sees, and skips, the "schema" field).
      const std::string_view text(data, len);
      std::string_view schema;
      bool looked_up = false;
      if (text.starts_with(kDomainPrefix)) {
        schema = kDomainSchema;
      } else if (text.starts_with(kHostPrefix)) {
        schema = kHostSchema;
      } else {
        schema = take(obj.find_field_unordered("schema").get_string(), "schema");
        looked_up = true;
      }
      // After a lookup the walk restarts from the first field; "schema" is then skipped.
      if (looked_up) take(obj.reset(), "record");
      Kind kind = Kind::malformed;
      if (schema == kDomainSchema) {
        parse_domain(obj, domain, mx_pool);
        kind = Kind::domain;
      } else if (schema == kHostSchema) {
        parse_host(obj, options.decode_chains, host, tls_scratch);
        kind = Kind::host;
      } else {
        bad(fmt::format("unsupported schema \"{}\" (this reader knows {} and {})", schema,
                        kDomainSchema, kHostSchema));
      }
      // Anything after the record is an error (two records on one line, garbage).
      if (doc.current_location().error() == simdjson::SUCCESS) {
        bad("unexpected text after the record");
      }
      return kind;
    } catch (BadRecord& e) {
      reason = std::move(e.reason);
      return Kind::malformed;
    }
  }

  ParsedLine parse_unpadded(std::string_view line) {
    scratch.assign(line);
    scratch.resize(line.size() + simdjson::SIMDJSON_PADDING, ' ');
    switch (parse(scratch.data(), line.size(), scratch.size())) {
      case Kind::domain:
        return domain;
      case Kind::host:
        return host;
      case Kind::malformed:
        break;
    }
    return MalformedLine{reason};
  }

  void dispatch(Kind kind, const std::string& name, std::uint64_t line_no, ReadCounts& counts,
                ObservationHandler& handler) {
    switch (kind) {
      case Kind::domain:
        ++counts.domains;
        handler.on_domain(domain);
        break;
      case Kind::host:
        ++counts.hosts;
        handler.on_host(host);
        break;
      case Kind::malformed:
        ++counts.malformed;
        handler.on_malformed({name, line_no, std::move(reason)});
        break;
    }
  }

  // One physical line at data[0, len) (newline excluded), readable to data + capacity.
  void line(const char* data, std::size_t len, std::size_t capacity, const std::string& name,
            ReadCounts& counts, ObservationHandler& handler) {
    ++counts.lines;
    if (len > 0 && data[len - 1] == '\r') --len;
    if (!wanted({data, len})) return;
    if (is_blank({data, len})) {
      ++counts.blank;
      return;
    }
    if (len > options.max_line_bytes) {
      ++counts.malformed;
      handler.on_malformed({name, counts.lines,
                            fmt::format("line of {} bytes exceeds the limit of {} bytes", len,
                                        options.max_line_bytes)});
      return;
    }
    if (!options.decode_chains && !written_as_domain({data, len})) {
      if (const char* chain = find_chain(data, len)) {
        // Parse a copy without the chain's contents: simdjson's first stage would
        // otherwise index kilobytes of base64 that are then skipped anyway.
        const char* open = chain + kChainKey.size();
        const auto* close = static_cast<const char*>(
            std::memchr(open, ']', static_cast<std::size_t>(data + len - open)));
        if (close != nullptr) {
          const auto head = static_cast<std::size_t>(open - data);
          const auto tail = static_cast<std::size_t>(data + len - close);
          without_chain.resize(head + tail + simdjson::SIMDJSON_PADDING);
          std::memcpy(without_chain.data(), data, head);
          std::memcpy(without_chain.data() + head, close, tail);
          dispatch(parse(without_chain.data(), head + tail, without_chain.size()), name,
                   counts.lines, counts, handler);
          return;
        }
      }
    }
    dispatch(parse(data, len, capacity), name, counts.lines, counts, handler);
  }

  // Whether options.filter lets this line (its start is enough) through.
  bool wanted(std::string_view line) const noexcept {
    switch (options.filter) {
      case LineFilter::all:
        return true;
      case LineFilter::mxscan_domains:
        return line.starts_with(kDomainPrefix);
      case LineFilter::all_but_mxscan_domains:
        return !line.starts_with(kDomainPrefix);
    }
    return true;
  }

  // Domain records as mxscan writes them (schema first) hold no chain: not searched.
  static bool written_as_domain(std::string_view line) noexcept {
    static constexpr std::string_view kOpen = "{\"schema\":\"";
    if (!line.starts_with(kOpen)) return false;
    line.remove_prefix(kOpen.size());
    return line.starts_with(kDomainSchema) && line.substr(kDomainSchema.size()).starts_with("\",");
  }
  // `"chain":[` can only be a key: inside a JSON string its quotes would be escaped.
  static constexpr std::string_view kChainKey = "\"chain\":[";
  static const char* find_chain(const char* data, std::size_t len) noexcept {
    return static_cast<const char*>(::memmem(data, len, kChainKey.data(), kChainKey.size()));
  }
  std::string without_chain;  // scratch for lines with their chain cut out
};

ObservationReader::ObservationReader(ObservationReadOptions options)
    : impl_(std::make_unique<Impl>()) {
  impl_->options = options;
}

ObservationReader::~ObservationReader() = default;

ParsedLine ObservationReader::parse_line(std::string_view line) {
  return impl_->parse_unpadded(line);
}

ReadCounts ObservationReader::read_text(std::string_view text, const std::string& name,
                                        ObservationHandler& handler) {
  // Copy once into a padded buffer so every line can be parsed in place.
  std::string buffer(text);
  buffer.resize(text.size() + simdjson::SIMDJSON_PADDING, '\n');
  ReadCounts counts;
  counts.bytes = text.size();
  std::size_t start = 0;
  while (start < text.size()) {
    const void* nl = std::memchr(buffer.data() + start, '\n', text.size() - start);
    const std::size_t end =
        nl ? static_cast<std::size_t>(static_cast<const char*>(nl) - buffer.data()) : text.size();
    impl_->line(buffer.data() + start, end - start, buffer.size() - start, name, counts, handler);
    start = end + 1;
  }
  return counts;
}

namespace {

class FileDescriptor {
 public:
  explicit FileDescriptor(const std::string& path)
      : fd_(::open(path.c_str(), O_RDONLY | O_CLOEXEC)) {
    if (fd_ < 0) {
      throw std::runtime_error(fmt::format("cannot open {}: {}", path, std::strerror(errno)));
    }
  }
  ~FileDescriptor() { ::close(fd_); }
  FileDescriptor(const FileDescriptor&) = delete;
  FileDescriptor& operator=(const FileDescriptor&) = delete;
  int get() const noexcept { return fd_; }

 private:
  int fd_;
};

}  // namespace

ReadCounts ObservationReader::read_file(const std::string& path, ObservationHandler& handler) {
  FileDescriptor fd(path);
  ::posix_fadvise(fd.get(), 0, 0, POSIX_FADV_SEQUENTIAL);
  // Lines are parsed in place in a chunk buffer with simdjson's padding after
  // it; a line longer than the buffer grows it, up to max_line_bytes, beyond
  // which the line is reported and skipped up to its newline.
  constexpr std::size_t kChunk = std::size_t{8} << 20U;
  std::size_t capacity = kChunk;
  std::unique_ptr<char[]> buffer(new char[capacity + simdjson::SIMDJSON_PADDING]);
  std::size_t filled = 0;
  bool skipping = false;  // inside an over-long line, discarding to its newline
  bool eof = false;
  ReadCounts counts;
  while (!eof) {
    const ssize_t n = ::read(fd.get(), buffer.get() + filled, capacity - filled);
    if (n < 0) {
      if (errno == EINTR) continue;
      throw std::runtime_error(fmt::format("cannot read {}: {}", path, std::strerror(errno)));
    }
    counts.bytes += static_cast<std::uint64_t>(n);
    filled += static_cast<std::size_t>(n);
    eof = n == 0;
    const std::size_t padded = capacity + simdjson::SIMDJSON_PADDING;
    std::size_t start = 0;
    while (start < filled) {
      const void* nl = std::memchr(buffer.get() + start, '\n', filled - start);
      if (nl == nullptr && !eof) break;  // incomplete line: read more
      const std::size_t end =
          nl ? static_cast<std::size_t>(static_cast<const char*>(nl) - buffer.get()) : filled;
      if (skipping) {
        skipping = false;  // the tail of an over-long line (already reported)
      } else {
        impl_->line(buffer.get() + start, end - start, padded - start, path, counts, handler);
      }
      start = end + 1;
    }
    if (start >= filled) {
      filled = 0;
      continue;
    }
    // Keep the partial line at the front of the buffer.
    const std::size_t rest = filled - start;
    if (start > 0) std::memmove(buffer.get(), buffer.get() + start, rest);
    filled = rest;
    if (filled == capacity) {
      if (skipping) {
        filled = 0;
      } else if (capacity >= impl_->options.max_line_bytes) {
        ++counts.lines;
        skipping = true;
        filled = 0;
        if (!impl_->wanted({buffer.get(), capacity})) continue;
        ++counts.malformed;
        handler.on_malformed(
            {path, counts.lines,
             fmt::format("line exceeds the limit of {} bytes", impl_->options.max_line_bytes)});
      } else {
        capacity *= 2;
        std::unique_ptr<char[]> bigger(new char[capacity + simdjson::SIMDJSON_PADDING]);
        std::memcpy(bigger.get(), buffer.get(), filled);
        buffer = std::move(bigger);
      }
    }
  }
  return counts;
}

}  // namespace mxscan
