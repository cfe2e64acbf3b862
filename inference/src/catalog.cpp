#include "mxscan/inference/catalog.hpp"

#include <toml++/toml.h>

#include <algorithm>
#include <array>
#include <filesystem>
#include <fstream>
#include <limits>
#include <sstream>
#include <stdexcept>
#include <unordered_map>

#include "mxscan/inference/glob.hpp"
#include "mxscan/inference/name_rules.hpp"

namespace mxscan {

namespace {
// Heterogeneous lookup: find(std::string_view) without building a std::string.
struct NameHash {
  using is_transparent = void;
  std::size_t operator()(std::string_view s) const noexcept {
    return std::hash<std::string_view>{}(s);
  }
};
}  // namespace

struct Catalog::State {
  std::string origin;
  std::vector<Company> companies;
  std::unordered_map<std::string, std::size_t, NameHash, std::equal_to<>> exact_ids;
  std::vector<std::pair<std::string, std::size_t>> glob_ids;  // file order
  std::unordered_map<std::string, std::size_t, NameHash, std::equal_to<>> exact_spf;
  std::vector<std::pair<std::string, std::size_t>> glob_spf;  // file order
  struct Relabel {
    std::string id;
    std::vector<std::uint32_t> asns;  // sorted
    std::string reason;
  };
  std::vector<Relabel> relabels;
  std::vector<std::string> ignored_suffixes;
  std::vector<std::pair<std::string, std::string>> overrides;  // token substring -> ID
  // Per RD: rule sets for banner and certificate names.
  std::unordered_map<std::string, std::array<std::optional<NameRuleSet>, 2>, NameHash,
                     std::equal_to<>>
      vps;
  std::size_t rule_count = 0;
  std::vector<SharedId> shared_ids;
  std::vector<VpsBlock> vps_blocks;
};

namespace {

using State = Catalog::State;

class Loader {
 public:
  Loader(std::string origin, CatalogLoad mode) : origin_(std::move(origin)), mode_(mode) {}

  [[noreturn]] void fail(const toml::source_region& where, const std::string& message) const {
    std::ostringstream out;
    out << origin_ << ':' << where.begin.line << ':' << where.begin.column << ": " << message;
    throw std::runtime_error(out.str());
  }

  void check_keys(const toml::table& table, std::initializer_list<std::string_view> allowed,
                  std::string_view what) const {
    for (const auto& [key, value] : table) {
      if (std::find(allowed.begin(), allowed.end(), key.str()) == allowed.end()) {
        fail(key.source(), "unknown key '" + std::string(key.str()) + "' in " + std::string(what));
      }
    }
  }

  const toml::node& require(const toml::table& table, std::string_view key,
                            std::string_view what) const {
    const toml::node* node = table.get(key);
    if (node == nullptr)
      fail(table.source(), std::string(what) + " needs '" + std::string(key) + "'");
    return *node;
  }

  std::string string_of(const toml::node& node, std::string_view key) const {
    const auto* s = node.as_string();
    if (s == nullptr) fail(node.source(), "'" + std::string(key) + "' must be a string");
    if (s->get().empty()) fail(node.source(), "'" + std::string(key) + "' must not be empty");
    return s->get();
  }

  // A lower-case name: IDs, RDs and patterns are compared with lower-cased names.
  std::string name_of(const toml::node& node, std::string_view key) const {
    std::string s = string_of(node, key);
    for (char c : s) {
      if (c >= 'A' && c <= 'Z') fail(node.source(), "'" + s + "' must be lower case");
      if (c == ' ' || c == '\t') fail(node.source(), "'" + s + "' must not contain blanks");
    }
    return s;
  }

  // A string or an array of strings.
  std::vector<std::string> names_of(const toml::node& node, std::string_view key) const {
    std::vector<std::string> out;
    if (node.is_string()) {
      out.push_back(name_of(node, key));
    } else if (const auto* arr = node.as_array()) {
      if (arr->empty()) fail(node.source(), "'" + std::string(key) + "' must not be empty");
      for (const auto& item : *arr) out.push_back(name_of(item, key));
    } else {
      fail(node.source(), "'" + std::string(key) + "' must be a string or an array of strings");
    }
    return out;
  }

  // An array of free texts (sources: URLs and citations).
  std::vector<std::string> texts_of(const toml::node& node, std::string_view key) const {
    const auto* arr = node.as_array();
    if (arr == nullptr)
      fail(node.source(), "'" + std::string(key) + "' must be an array of strings");
    std::vector<std::string> out;
    for (const auto& item : *arr) out.push_back(string_of(item, key));
    return out;
  }

  std::vector<std::uint32_t> asns_of(const toml::node& node, std::string_view key) const {
    const auto* arr = node.as_array();
    if (arr == nullptr)
      fail(node.source(), "'" + std::string(key) + "' must be an array of AS numbers");
    std::vector<std::uint32_t> out;
    for (const auto& item : *arr) {
      const auto* i = item.as_integer();
      if (i == nullptr || i->get() < 0 ||
          i->get() > static_cast<std::int64_t>(std::numeric_limits<std::uint32_t>::max())) {
        fail(item.source(), "'" + std::string(key) + "' holds something that is not an AS number");
      }
      out.push_back(static_cast<std::uint32_t>(i->get()));
    }
    std::sort(out.begin(), out.end());
    out.erase(std::unique(out.begin(), out.end()), out.end());
    return out;
  }

  CompanyKind kind_of(const toml::node& node) const {
    std::string s = string_of(node, "kind");
    for (auto k :
         {CompanyKind::mailbox, CompanyKind::filtering, CompanyKind::hosting, CompanyKind::other}) {
      if (s == to_string(k)) return k;
    }
    fail(node.source(),
         "'kind' must be \"mailbox\", \"filtering\", \"hosting\" or \"other\", not \"" + s + "\"");
  }

  NameClass class_of(const toml::node& node, std::string_view key) const {
    std::string s = string_of(node, key);
    if (s == "vps") return NameClass::vps;
    if (s == "dedicated") return NameClass::dedicated;
    fail(node.source(),
         "'" + std::string(key) + "' must be \"vps\" or \"dedicated\", not \"" + s + "\"");
  }

  const toml::array& tables_of(const toml::node& node, std::string_view key) const {
    const auto* arr = node.as_array();
    if (arr == nullptr || !arr->is_array_of_tables()) {
      fail(node.source(),
           "'" + std::string(key) + "' must be an array of tables ([[" + std::string(key) + "]])");
    }
    return *arr;
  }

  void load_company(const toml::table& t, State& st) const {
    check_keys(t, {"name", "ids", "asns", "hosted_asns", "sources", "examples", "kind", "spf"},
               "[[company]]");
    Company c;
    c.line = t.source().begin.line;
    c.name = string_of(require(t, "name", "[[company]]"), "name");
    for (const auto& other : st.companies) {
      if (other.name == c.name) fail(t.source(), "company '" + c.name + "' defined twice");
    }
    const auto& ids_node = require(t, "ids", "[[company]]");
    c.ids = names_of(ids_node, "ids");
    c.asns = asns_of(require(t, "asns", "[[company]]"), "asns");
    if (const auto* n = t.get("hosted_asns")) c.hosted_asns = asns_of(*n, "hosted_asns");
    if (const auto* n = t.get("sources")) c.sources = texts_of(*n, "sources");
    if (const auto* n = t.get("examples")) c.examples = names_of(*n, "examples");
    if (const auto* n = t.get("kind")) c.kind = kind_of(*n);
    std::size_t index = st.companies.size();
    if (const auto* n = t.get("spf")) {
      c.spf = names_of(*n, "spf");
      for (const auto& name : c.spf) {
        if (is_glob(name)) {
          st.glob_spf.emplace_back(name, index);
        } else if (auto [it, fresh] = st.exact_spf.emplace(name, index); !fresh) {
          // Two owners would make the mailbox behind a gateway depend on file order.
          fail(n->source(), "SPF name '" + name + "' belongs to two companies");
        }
      }
    }
    for (const auto& id : c.ids) {
      if (is_glob(id)) {
        st.glob_ids.emplace_back(id, index);
      } else if (auto [it, fresh] = st.exact_ids.emplace(id, index); !fresh) {
        if (mode_ == CatalogLoad::strict)
          fail(ids_node.source(), "provider ID '" + id + "' belongs to two companies");
        st.shared_ids.push_back(SharedId{id, it->second, index});
      }
    }
    st.companies.push_back(std::move(c));
  }

  void load_relabel(const toml::table& t, State& st) const {
    check_keys(t, {"id", "asns", "reason"}, "[[relabel]]");
    State::Relabel r;
    r.id = name_of(require(t, "id", "[[relabel]]"), "id");
    const auto& asns = require(t, "asns", "[[relabel]]");
    r.asns = asns_of(asns, "asns");
    if (r.asns.empty()) fail(asns.source(), "'asns' of a relabel rule must not be empty");
    if (const auto* reason = t.get("reason")) {
      r.reason = string_of(*reason, "reason");
    } else {
      r.reason = "every live IP is in the AS set of " + r.id;
    }
    st.relabels.push_back(std::move(r));
  }

  void load_banner(const toml::table& t, State& st) const {
    check_keys(t, {"ignored_suffixes", "override"}, "[banner]");
    if (const auto* n = t.get("ignored_suffixes"))
      st.ignored_suffixes = names_of(*n, "ignored_suffixes");
    if (const auto* n = t.get("override")) {
      for (const auto& item : tables_of(*n, "banner.override")) {
        const auto& o = *item.as_table();
        check_keys(o, {"contains", "id"}, "[[banner.override]]");
        st.overrides.emplace_back(
            name_of(require(o, "contains", "[[banner.override]]"), "contains"),
            name_of(require(o, "id", "[[banner.override]]"), "id"));
      }
    }
  }

  NameCondition condition_of(std::string_view key, const toml::node& node) const {
    NameCondition c;
    std::string_view base = key;
    if (base.ends_with("_all")) {
      c.all = true;
      base.remove_suffix(4);
    }
    for (std::uint8_t i = 0; i <= static_cast<std::uint8_t>(NameTest::wildcard); ++i) {
      if (name_test_key(static_cast<NameTest>(i)) == base) {
        c.test = static_cast<NameTest>(i);
        switch (c.test) {
          case NameTest::first_label_dashes: {
            const auto* n = node.as_integer();
            if (n == nullptr || n->get() < 0 || c.all) {
              fail(node.source(), "'first_label_dashes' must be a non-negative integer");
            }
            c.number = n->get();
            return c;
          }
          case NameTest::first_label_dashed_ipv4:
          case NameTest::wildcard: {
            const auto* b = node.as_boolean();
            if (b == nullptr || c.all)
              fail(node.source(), "'" + std::string(key) + "' must be true or false");
            c.flag = b->get();
            return c;
          }
          default:
            c.values = names_of(node, key);
            // Label tests look inside one label: a dot in the value could never match.
            if (c.test != NameTest::name && c.test != NameTest::suffix &&
                c.test != NameTest::starts_with_labels) {
              for (const auto& v : c.values) {
                if (v.find('.') != std::string::npos) {
                  fail(node.source(), "'" + std::string(key) + "' tests one label: '" + v +
                                          "' has a dot (use name, suffix or starts_with_labels)");
                }
              }
            }
            return c;
        }
      }
    }
    fail(node.source(), "unknown condition '" + std::string(key) + "' in [[vps.rule]]");
  }

  void load_vps(const toml::table& t, State& st) const {
    check_keys(t, {"rd", "source", "otherwise", "rule", "examples"}, "[[vps]]");
    std::string rd = name_of(require(t, "rd", "[[vps]]"), "rd");
    VpsBlock block;
    block.rd = rd;
    block.line = t.source().begin.line;
    if (const auto* n = t.get("examples")) block.examples = names_of(*n, "examples");
    NameRuleSet set;
    if (const auto* n = t.get("otherwise")) set.otherwise = class_of(*n, "otherwise");
    std::array<bool, 2> sources{true, true};  // banner, certificate
    if (const auto* n = t.get("source")) {
      std::string s = string_of(*n, "source");
      if (s == "banner") {
        sources = {true, false};
      } else if (s == "certificate") {
        sources = {false, true};
      } else {
        fail(n->source(), "'source' must be \"banner\" or \"certificate\", not \"" + s + "\"");
      }
    }
    if (const auto* n = t.get("rule")) {
      for (const auto& item : tables_of(*n, "vps.rule")) {
        const auto& r = *item.as_table();
        NameRule rule;
        rule.line = r.source().begin.line;
        bool has_class = false;
        for (const auto& [key, value] : r) {
          if (key.str() == "class") {
            rule.result = class_of(value, "class");
            has_class = true;
          } else {
            rule.conditions.push_back(condition_of(key.str(), value));
          }
        }
        if (!has_class) fail(r.source(), "[[vps.rule]] needs 'class' (\"vps\" or \"dedicated\")");
        if (rule.conditions.empty()) {
          fail(r.source(), "[[vps.rule]] has no condition (use the block's 'otherwise')");
        }
        block.rule_lines.push_back(rule.line);
        set.rules.push_back(std::move(rule));
      }
    }
    block.banner = sources[0];
    block.certificate = sources[1];
    auto& slot = st.vps[rd];
    for (std::size_t i = 0; i < 2; ++i) {
      if (!sources[i]) continue;
      if (slot[i]) {
        fail(t.source(), "VPS rules for '" + rd + "' (" + (i == 0 ? "banner" : "certificate") +
                             " names) defined twice");
      }
      slot[i] = set;
    }
    st.rule_count += set.rules.size();
    st.vps_blocks.push_back(std::move(block));
  }

  std::shared_ptr<const State> load(std::string_view text) const {
    toml::table root;
    try {
      root = toml::parse(text, origin_);
    } catch (const toml::parse_error& e) {
      fail(e.source(), std::string(e.description()));
    }
    auto st = std::make_shared<State>();
    st->origin = origin_;
    check_keys(root, {"schema", "banner", "relabel", "vps", "company"}, "the catalog");
    if (const auto* n = root.get("schema")) {
      const auto* i = n->as_integer();
      if (i == nullptr || i->get() != 1)
        fail(n->source(), "unsupported catalog schema (this mxscan reads 1)");
    }
    if (const auto* n = root.get("banner")) {
      const auto* t = n->as_table();
      if (t == nullptr) fail(n->source(), "'banner' must be a table ([banner])");
      load_banner(*t, *st);
    }
    if (const auto* n = root.get("relabel")) {
      for (const auto& item : tables_of(*n, "relabel")) load_relabel(*item.as_table(), *st);
    }
    if (const auto* n = root.get("vps")) {
      for (const auto& item : tables_of(*n, "vps")) load_vps(*item.as_table(), *st);
    }
    if (const auto* n = root.get("company")) {
      for (const auto& item : tables_of(*n, "company")) load_company(*item.as_table(), *st);
    }
    return st;
  }

 private:
  std::string origin_;
  CatalogLoad mode_;
};

}  // namespace

Catalog::Catalog() : state_(std::make_shared<const State>()) {}
Catalog::Catalog(std::shared_ptr<const State> state) : state_(std::move(state)) {}

Catalog Catalog::load(const std::string& path, CatalogLoad mode) {
  std::filesystem::path file(path);
  std::error_code ec;
  if (std::filesystem::is_directory(file, ec)) file /= "providers.toml";
  std::ifstream in(file, std::ios::binary);
  if (!in) throw std::runtime_error(file.string() + ": cannot read the provider catalog");
  std::ostringstream text;
  text << in.rdbuf();
  Catalog catalog = parse(text.str(), file.string(), mode);
  // An empty catalog credits no domain to anyone: a scan with it would look
  // like a world without mail providers.
  if (catalog.companies().empty()) {
    throw std::runtime_error(file.string() +
                             ": provider catalog without a single [[company]]: not a catalog "
                             "(configs/providers.toml is the shipped one)");
  }
  return catalog;
}

Catalog Catalog::parse(std::string_view toml_text, const std::string& origin, CatalogLoad mode) {
  return Catalog(Loader(origin, mode).load(toml_text));
}

std::optional<std::size_t> Catalog::company_index(std::string_view id) const {
  if (id.empty()) return std::nullopt;
  if (auto it = state_->exact_ids.find(id); it != state_->exact_ids.end()) return it->second;
  for (const auto& [pattern, index] : state_->glob_ids) {
    if (glob_match(pattern, id)) return index;
  }
  return std::nullopt;
}

std::optional<std::string_view> Catalog::company_of(std::string_view id) const {
  auto index = company_index(id);
  if (!index) return std::nullopt;
  return std::string_view(state_->companies[*index].name);
}

const std::vector<Company>& Catalog::companies() const noexcept { return state_->companies; }

std::optional<std::size_t> Catalog::spf_company(std::string_view name) const {
  if (name.empty()) return std::nullopt;
  if (auto it = state_->exact_spf.find(name); it != state_->exact_spf.end()) return it->second;
  for (const auto& [pattern, index] : state_->glob_spf) {
    if (glob_match(pattern, name)) return index;
  }
  return std::nullopt;
}

std::optional<CompanyKind> parse_company_kind(std::string_view s) noexcept {
  for (auto k :
       {CompanyKind::mailbox, CompanyKind::filtering, CompanyKind::hosting, CompanyKind::other}) {
    if (s == to_string(k)) return k;
  }
  return std::nullopt;
}

std::string_view to_string(CompanyKind k) noexcept {
  switch (k) {
    case CompanyKind::mailbox:
      return "mailbox";
    case CompanyKind::filtering:
      return "filtering";
    case CompanyKind::hosting:
      return "hosting";
    case CompanyKind::other:
      break;
  }
  return "other";
}

bool Catalog::company_has_asn(std::size_t company, std::uint32_t asn) const noexcept {
  if (company >= state_->companies.size()) return false;
  const auto& c = state_->companies[company];
  // A company listed without ASes has unknown ones: nothing to flag against.
  if (c.asns.empty() && c.hosted_asns.empty()) return true;
  return std::binary_search(c.asns.begin(), c.asns.end(), asn) ||
         std::binary_search(c.hosted_asns.begin(), c.hosted_asns.end(), asn);
}

const std::vector<SharedId>& Catalog::shared_ids() const noexcept { return state_->shared_ids; }

std::optional<Catalog::AsRelabel> Catalog::relabel_by_as(
    std::span<const std::uint32_t> asns) const {
  if (asns.empty()) return std::nullopt;
  for (const auto& rule : state_->relabels) {
    bool all = std::all_of(asns.begin(), asns.end(), [&](std::uint32_t a) {
      return std::binary_search(rule.asns.begin(), rule.asns.end(), a);
    });
    if (all) return AsRelabel{rule.id, rule.reason};
  }
  return std::nullopt;
}

bool Catalog::is_ignored_banner_name(std::string_view fqdn) const noexcept {
  for (const auto& suffix : state_->ignored_suffixes) {
    if (fqdn == suffix) return true;
    if (fqdn.size() > suffix.size() && fqdn.ends_with(suffix) &&
        fqdn[fqdn.size() - suffix.size() - 1] == '.') {
      return true;
    }
  }
  return false;
}

std::optional<std::string_view> Catalog::token_override(std::string_view token) const noexcept {
  for (const auto& [needle, id] : state_->overrides) {
    // Case-insensitive substring: replies come in any case.
    auto it =
        std::search(token.begin(), token.end(), needle.begin(), needle.end(), [](char a, char b) {
          if (a >= 'A' && a <= 'Z') a = static_cast<char>(a - 'A' + 'a');
          return a == b;
        });
    if (it != token.end()) return std::string_view(id);
  }
  return std::nullopt;
}

NameClass Catalog::classify(std::string_view name, std::string_view rd, NameSource source) const {
  auto it = state_->vps.find(rd);
  if (it == state_->vps.end()) return NameClass::dedicated;
  const auto& set = it->second[static_cast<std::size_t>(source)];
  if (!set) return NameClass::dedicated;
  return classify_name(*set, name, rd);
}

std::size_t Catalog::vps_rule_count() const noexcept { return state_->rule_count; }

const std::vector<VpsBlock>& Catalog::vps_blocks() const noexcept { return state_->vps_blocks; }

std::optional<std::size_t> Catalog::deciding_rule(std::string_view name, std::string_view rd,
                                                  NameSource source) const {
  auto it = state_->vps.find(rd);
  if (it == state_->vps.end()) return std::nullopt;
  const auto& set = it->second[static_cast<std::size_t>(source)];
  if (!set) return std::nullopt;
  for (std::size_t i = 0; i < set->rules.size(); ++i) {
    if (rule_matches(set->rules[i], name, rd)) return i;
  }
  return std::nullopt;
}

const std::string& Catalog::origin() const noexcept { return state_->origin; }

}  // namespace mxscan
