#include "mxscan/common/scan_config.hpp"

#include <toml++/toml.h>

#include <array>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <stdexcept>
#include <type_traits>

namespace mxscan {
namespace {

// Settings naming files; relative values are resolved against the config's folder.
constexpr std::array<std::string_view, 7> kPathKeys = {
    "smtp.ca_file", "conduct.blocklists",  "conduct.exclude_domains", "asn.mmdb",
    "asn.pfx2as",   "inference.providers", "inference.psl_file"};

bool is_path_key(const std::string& dotted) {
  for (auto k : kPathKeys) {
    if (k == dotted) return true;
  }
  return false;
}

std::string where(const std::string& source, const toml::node& node) {
  std::ostringstream os;
  os << source << ":" << node.source().begin.line;
  return os.str();
}

// Settings are addresses, names and paths: none has a control character, and a
// newline would not survive toml++'s writer (it emits a multi-line literal whose
// leading newline TOML then trims), so the manifest could not reproduce the scan.
bool has_control_character(std::string_view s) {
  for (unsigned char c : s) {
    if (c < 0x20 || c == 0x7f) return true;
  }
  return false;
}

std::string resolve(const std::string& value, const std::filesystem::path& base) {
  if (value.empty() || base.empty()) return value;
  std::filesystem::path p(value);
  return p.is_absolute() ? value : (base / p).lexically_normal().string();
}

template <typename T>
void read_value(const toml::node& node, T& field, const std::string& source,
                const std::string& dotted, const std::filesystem::path& base) {
  auto type_error = [&](std::string_view expected) {
    return std::runtime_error(where(source, node) + ": " + dotted + " must be " +
                              std::string(expected));
  };
  if constexpr (std::is_same_v<T, bool>) {
    auto v = node.value<bool>();
    if (!v || !node.is_boolean()) throw type_error("true or false");
    field = *v;
  } else if constexpr (std::is_same_v<T, std::int64_t>) {
    if (!node.is_integer()) throw type_error("an integer");
    field = *node.value<std::int64_t>();
    if (field < 0) throw type_error("zero or positive");
  } else if constexpr (std::is_same_v<T, double>) {
    if (!node.is_number()) throw type_error("a number");
    field = *node.value<double>();
    // TOML allows inf and nan; neither is a rate (nan even passes "< 0").
    if (!std::isfinite(field)) throw type_error("a finite number");
    if (field < 0) throw type_error("zero or positive");
  } else if constexpr (std::is_same_v<T, std::string>) {
    if (!node.is_string()) throw type_error("a string");
    field = *node.value<std::string>();
    if (has_control_character(field)) throw type_error("free of control characters");
    if (is_path_key(dotted)) field = resolve(field, base);
  } else {
    const auto* arr = node.as_array();
    if (arr == nullptr) throw type_error("an array of strings");
    field.clear();
    for (const auto& item : *arr) {
      if (!item.is_string()) throw type_error("an array of strings");
      std::string s = *item.value<std::string>();
      if (has_control_character(s)) throw type_error("strings free of control characters");
      field.push_back(is_path_key(dotted) ? resolve(s, base) : s);
    }
  }
}

ScanConfig parse_with_base(std::string_view text, const std::string& source, ScanConfig config,
                           const std::filesystem::path& base) {
  toml::table root;
  try {
    root = toml::parse(text, source);
  } catch (const toml::parse_error& e) {
    std::ostringstream os;
    os << source << ":" << e.source().begin.line << ": " << e.description();
    throw std::runtime_error(os.str());
  }
  std::set<std::string> known;
  visit_settings(config, [&](std::string_view section, std::string_view key, auto& field,
                             std::string_view /*help*/) {
    std::string dotted = std::string(section) + "." + std::string(key);
    known.insert(dotted);
    const toml::node* node = root.at_path(dotted).node();
    if (node != nullptr) read_value(*node, field, source, dotted, base);
  });
  // Unknown sections and keys are errors: a typo must not silently keep a default.
  for (const auto& [section, node] : root) {
    const auto* table = node.as_table();
    if (table == nullptr) {
      throw std::runtime_error(where(source, node) + ": unknown setting '" +
                               std::string(section.str()) + "' (settings live in sections)");
    }
    for (const auto& [key, value] : *table) {
      std::string dotted = std::string(section.str()) + "." + std::string(key.str());
      if (known.count(dotted) == 0) {
        throw std::runtime_error(where(source, value) + ": unknown setting '" + dotted +
                                 "' (see configs/mxscan.toml for the list)");
      }
    }
  }
  return config;
}

toml::table to_table(const ScanConfig& c) {
  toml::table root;
  visit_settings(c, [&](std::string_view section, std::string_view key, const auto& field,
                        std::string_view /*help*/) {
    if (!root.contains(section)) root.insert(section, toml::table{});
    auto& table = *root[section].as_table();
    using T = std::decay_t<decltype(field)>;
    if constexpr (std::is_same_v<T, std::vector<std::string>>) {
      toml::array arr;
      for (const auto& s : field) arr.push_back(s);
      table.insert(key, std::move(arr));
    } else {
      table.insert(key, field);
    }
  });
  return root;
}

}  // namespace

ScanConfig parse_scan_config(std::string_view toml_text, const std::string& source,
                             ScanConfig base) {
  return parse_with_base(toml_text, source, std::move(base), {});
}

ScanConfig load_scan_config(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw std::runtime_error("cannot read configuration file " + path);
  std::stringstream buf;
  buf << in.rdbuf();
  auto base = std::filesystem::absolute(path).parent_path();
  return parse_with_base(buf.str(), path, ScanConfig{}, base);
}

std::string to_toml(const ScanConfig& c) {
  std::ostringstream os;
  os << to_table(c);
  return os.str();
}

std::string to_json(const ScanConfig& c) {
  std::ostringstream os;
  os << toml::json_formatter{to_table(c)};
  return os.str();
}

}  // namespace mxscan
