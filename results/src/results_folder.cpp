#include "mxscan/results/results_folder.hpp"

#include "mxscan/results/providers_json.hpp"
#include "signals_json_reader.hpp"

#include <fmt/format.h>
#include <simdjson.h>

#include <fstream>
#include <sstream>
#include <stdexcept>

namespace mxscan {

namespace {

using simdjson::dom::element;
using simdjson::dom::element_type;

struct Bad : std::runtime_error {
  using std::runtime_error::runtime_error;
};

std::string read_whole(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("cannot read " + path);
  std::ostringstream text;
  text << in.rdbuf();
  if (in.bad()) throw std::runtime_error("cannot read " + path);
  return std::move(text).str();
}

std::string text_field(element obj, const char* key, bool required) {
  element v;
  if (obj[key].get(v) != simdjson::SUCCESS) {
    if (required) throw Bad(fmt::format("missing field \"{}\"", key));
    return {};
  }
  if (v.is_null()) {
    if (required) throw Bad(fmt::format("field \"{}\" is null", key));
    return {};
  }
  std::string_view s;
  if (v.get(s) != simdjson::SUCCESS) throw Bad(fmt::format("field \"{}\" is not a string", key));
  return std::string(s);
}

std::optional<std::string> optional_text(element obj, const char* key) {
  element v;
  if (obj[key].get(v) != simdjson::SUCCESS || v.is_null()) return std::nullopt;
  std::string_view s;
  if (v.get(s) != simdjson::SUCCESS) throw Bad(fmt::format("field \"{}\" is not a string", key));
  return std::string(s);
}

std::uint64_t uint_field(element obj, const char* key, std::uint64_t fallback) {
  element v;
  if (obj[key].get(v) != simdjson::SUCCESS || v.is_null()) return fallback;
  std::uint64_t n = 0;
  if (v.get(n) != simdjson::SUCCESS)
    throw Bad(fmt::format("field \"{}\" is not an unsigned integer", key));
  return n;
}

ProviderAssignment parse_assignment(element p) {
  ProviderAssignment a;
  a.mx = text_field(p, "mx", true);
  a.id = text_field(p, "id", false);
  a.company = optional_text(p, "company");
  const std::string source = text_field(p, "source", true);
  if (source == "tls") {
    a.source = Source::tls;
  } else if (source == "banner") {
    a.source = Source::banner;
  } else if (source == "mx") {
    a.source = Source::mx;
  } else {
    throw Bad(fmt::format("unknown source \"{}\"", source));
  }
  a.score = uint_field(p, "score", 1);
  element credit;
  if (p["credit"].get(credit) != simdjson::SUCCESS || credit.get(a.credit) != simdjson::SUCCESS) {
    throw Bad("missing or non-numeric field \"credit\"");
  }
  if (auto flag = optional_text(p, "flag")) {
    if (*flag == "vps") {
      a.flag = Flag::vps;
    } else if (*flag == "unseen_as") {
      a.flag = Flag::unseen_as;
    } else {
      throw Bad(fmt::format("unknown flag \"{}\"", *flag));
    }
  }
  a.original_id = optional_text(p, "original_id");
  a.flag_reason = text_field(p, "flag_reason", false);
  a.reason = text_field(p, "reason", false);
  const auto live = uint_field(p, "live_ips", 0);
  if (live > UINT32_MAX) throw Bad("field \"live_ips\" out of range");
  a.live_ips = static_cast<std::uint32_t>(live);
  return a;
}

void flatten(element e, std::string& path, FlatJson& out) {
  switch (e.type()) {
    case element_type::OBJECT: {
      for (auto field : simdjson::dom::object(e)) {
        const auto size = path.size();
        if (!path.empty()) path.push_back('.');
        path.append(field.key);
        flatten(field.value, path, out);
        path.resize(size);
      }
      break;
    }
    case element_type::ARRAY: {
      std::size_t i = 0;
      for (auto item : simdjson::dom::array(e)) {
        const auto size = path.size();
        path.append(fmt::format("[{}]", i++));
        flatten(item, path, out);
        path.resize(size);
      }
      break;
    }
    case element_type::STRING:
      out.emplace_back(path, std::string(std::string_view(e)));
      break;
    case element_type::INT64:
      out.emplace_back(path, fmt::format("{}", std::int64_t(e)));
      break;
    case element_type::UINT64:
      out.emplace_back(path, fmt::format("{}", std::uint64_t(e)));
      break;
    case element_type::DOUBLE:
      out.emplace_back(path, fmt::format("{}", double(e)));
      break;
    case element_type::BOOL:
      out.emplace_back(path, bool(e) ? "true" : "false");
      break;
    case element_type::NULL_VALUE:
      out.emplace_back(path, "null");
      break;
  }
}

}  // namespace

std::optional<DomainResult> parse_providers_line(std::string_view line, std::string& reason) {
  thread_local simdjson::dom::parser parser;  // reused: the result is copied out before returning
  element doc;
  if (auto err = parser.parse(line.data(), line.size()).get(doc); err != simdjson::SUCCESS) {
    reason = fmt::format("invalid JSON: {}", simdjson::error_message(err));
    return std::nullopt;
  }
  try {
    if (!doc.is_object()) throw Bad("not a JSON object");
    if (auto schema = optional_text(doc, "schema"); schema && *schema != kProvidersSchema) {
      throw Bad(fmt::format("unsupported schema \"{}\"", *schema));
    }
    DomainResult r;
    r.domain = text_field(doc, "domain", true);
    const std::string status = text_field(doc, "status", true);
    const auto outcome = parse_domain_outcome(status);
    if (!outcome) throw Bad(fmt::format("unknown status \"{}\"", status));
    r.status = *outcome;
    r.line = uint_field(doc, "line", 0);
    r.reason = text_field(doc, "reason", false);
    simdjson::dom::array providers;
    if (doc["providers"].get(providers) != simdjson::SUCCESS)
      throw Bad("missing or non-array field \"providers\"");
    for (auto p : providers) {
      if (!p.is_object()) throw Bad("providers[] entry is not an object");
      r.providers.push_back(parse_assignment(p));
    }
    try {
      r.signals = detail::parse_signal_fields(doc);
    } catch (const std::runtime_error& e) {
      throw Bad(e.what());
    }
    return r;
  } catch (const Bad& e) {
    reason = e.what();
    return std::nullopt;
  } catch (const simdjson::simdjson_error& e) {
    reason = e.what();
    return std::nullopt;
  }
}

void read_providers_jsonl(const std::string& path, const std::function<void(DomainResult&)>& sink,
                          std::vector<ReadProblem>& problems) {
  // Line by line: a results folder of a million domains is never held whole.
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("cannot read " + path);
  std::string line;
  std::uint64_t line_no = 0;
  while (std::getline(in, line)) {
    ++line_no;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.find_first_not_of(" \t") == std::string::npos) continue;
    std::string reason;
    if (auto r = parse_providers_line(line, reason)) {
      sink(*r);
    } else {
      problems.push_back({path, line_no, reason});
    }
  }
  if (in.bad()) throw std::runtime_error("cannot read " + path);
}

std::vector<DomainResult> read_providers_jsonl(const std::string& path,
                                               std::vector<ReadProblem>& problems) {
  std::vector<DomainResult> out;
  read_providers_jsonl(
      path, [&](DomainResult& r) { out.push_back(std::move(r)); }, problems);
  return out;
}

FlatJson flatten_json(std::string_view json_text) {
  simdjson::dom::parser parser;
  element doc;
  if (auto err = parser.parse(json_text.data(), json_text.size()).get(doc);
      err != simdjson::SUCCESS) {
    throw std::runtime_error(fmt::format("invalid JSON: {}", simdjson::error_message(err)));
  }
  FlatJson out;
  std::string path;
  flatten(doc, path, out);
  return out;
}

FlatJson flatten_json_file(const std::string& path) {
  try {
    return flatten_json(read_whole(path));
  } catch (const std::runtime_error& e) {
    const std::string what = e.what();
    if (what.rfind("cannot read", 0) == 0) throw;
    throw std::runtime_error(path + ": " + what);
  }
}

std::string_view flat_value(const FlatJson& flat, std::string_view path) {
  for (const auto& [k, v] : flat) {
    if (k == path) return v;
  }
  return {};
}

}  // namespace mxscan
