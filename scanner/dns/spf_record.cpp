#include "mxscan/scanner/dns/spf_record.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <utility>

namespace mxscan::spf {
namespace {

char lower(char c) noexcept {
  return static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
}

bool iequals(std::string_view a, std::string_view b) noexcept {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(),
                                            [](char x, char y) { return lower(x) == lower(y); });
}

std::string normalise(std::string_view name) {
  std::string out;
  out.reserve(name.size());
  for (char c : name) out += lower(c);
  while (!out.empty() && out.back() == '.') out.pop_back();
  return out;
}

// A domain-spec (RFC 7208 7.1, loosely): visible characters, at least one dot or a macro.
bool plausible_domain_spec(std::string_view spec) noexcept {
  if (spec.empty()) return false;
  for (char c : spec) {
    const auto u = static_cast<unsigned char>(c);
    if (u <= 0x20 || u >= 0x7f) return false;
  }
  return true;
}

// Valid macro syntax: every '%' is "%%", "%_", "%-" or "%{...}".
bool macros_well_formed(std::string_view spec) noexcept {
  for (std::size_t i = 0; i < spec.size(); ++i) {
    if (spec[i] != '%') continue;
    if (i + 1 >= spec.size()) return false;
    const char n = spec[i + 1];
    if (n == '%' || n == '_' || n == '-') {
      ++i;
      continue;
    }
    if (n != '{') return false;
    const std::size_t close = spec.find('}', i + 2);
    if (close == std::string_view::npos || close == i + 2) return false;
    i = close;
  }
  return true;
}

bool valid_cidr(std::string_view text, bool ipv6_allowed) noexcept {
  // "/n" or "//n" or "/n//m"; digits only.
  auto digits = [](std::string_view d) {
    return !d.empty() && d.size() <= 3 &&
           std::all_of(d.begin(), d.end(), [](char c) { return c >= '0' && c <= '9'; });
  };
  if (text.empty()) return true;
  if (!text.starts_with('/')) return false;
  text.remove_prefix(1);
  if (text.starts_with('/')) return ipv6_allowed && digits(text.substr(1));
  const std::size_t dbl = text.find("//");
  if (dbl == std::string_view::npos) return digits(text);
  return ipv6_allowed && digits(text.substr(0, dbl)) && digits(text.substr(dbl + 2));
}

struct Named {
  std::string_view name;
  TermKind kind;
};
constexpr std::array<Named, 8> kMechanisms{{
    {"all", TermKind::all},
    {"include", TermKind::include},
    {"a", TermKind::a},
    {"mx", TermKind::mx},
    {"ptr", TermKind::ptr},
    {"ip4", TermKind::ip4},
    {"ip6", TermKind::ip6},
    {"exists", TermKind::exists},
}};

std::optional<Term> parse_term(std::string_view term) {
  // Modifier: name "=" macro-string, name = ALPHA *( ALPHA / DIGIT / "-" / "_" / "." ).
  const std::size_t eq = term.find('=');
  const std::size_t colon = term.find_first_of(":/");
  if (eq != std::string_view::npos && (colon == std::string_view::npos || eq < colon)) {
    const std::string_view name = term.substr(0, eq);
    const std::string_view value = term.substr(eq + 1);
    if (name.empty() || std::isalpha(static_cast<unsigned char>(name[0])) == 0) return std::nullopt;
    for (char c : name) {
      if (std::isalnum(static_cast<unsigned char>(c)) == 0 && c != '-' && c != '_' && c != '.') {
        return std::nullopt;
      }
    }
    if (!macros_well_formed(value)) return std::nullopt;
    Term t;
    if (iequals(name, "redirect") || iequals(name, "exp")) {
      if (!plausible_domain_spec(value)) return std::nullopt;
      t.kind = iequals(name, "redirect") ? TermKind::redirect : TermKind::exp;
      t.target = normalise(value);
      t.has_macro = value.find('%') != std::string_view::npos;
    } else {
      t.kind = TermKind::modifier;  // unknown modifiers are ignored (6)
    }
    return t;
  }
  // Mechanism: [qualifier] name [":" domain-spec | "/" cidr].
  if (!term.empty() && (term[0] == '+' || term[0] == '-' || term[0] == '~' || term[0] == '?')) {
    term.remove_prefix(1);
  }
  const std::size_t split = term.find_first_of(":/");
  const std::string_view name = term.substr(0, split);
  const auto* it = std::find_if(kMechanisms.begin(), kMechanisms.end(),
                                [&](const Named& m) { return iequals(m.name, name); });
  if (it == kMechanisms.end()) return std::nullopt;
  Term t;
  t.kind = it->kind;
  std::string_view rest = split == std::string_view::npos ? std::string_view{} : term.substr(split);
  switch (t.kind) {
    case TermKind::all:
      if (!rest.empty()) return std::nullopt;
      break;
    case TermKind::include:
    case TermKind::exists:
      if (!rest.starts_with(':')) return std::nullopt;
      rest.remove_prefix(1);
      if (!plausible_domain_spec(rest) || !macros_well_formed(rest)) return std::nullopt;
      t.target = normalise(rest);
      t.has_macro = rest.find('%') != std::string_view::npos;
      break;
    case TermKind::ip4:
    case TermKind::ip6:
      if (!rest.starts_with(':') || rest.size() < 2) return std::nullopt;
      break;  // the network itself is not needed: not evaluated
    case TermKind::a:
    case TermKind::mx:
    case TermKind::ptr: {
      std::string_view cidr = rest;
      if (rest.starts_with(':')) {
        rest.remove_prefix(1);
        const std::size_t slash = rest.find('/');
        const std::string_view spec = rest.substr(0, slash);
        cidr = slash == std::string_view::npos ? std::string_view{} : rest.substr(slash);
        if (!plausible_domain_spec(spec) || !macros_well_formed(spec)) return std::nullopt;
        t.target = normalise(spec);
        t.has_macro = spec.find('%') != std::string_view::npos;
      }
      if (t.kind == TermKind::ptr ? !cidr.empty() : !valid_cidr(cidr, true)) return std::nullopt;
      break;
    }
    default:
      break;
  }
  return t;
}

}  // namespace

bool Record::has_all() const noexcept {
  return std::any_of(terms.begin(), terms.end(),
                     [](const Term& t) { return t.kind == TermKind::all; });
}

const Term* Record::redirect() const noexcept {
  for (const Term& t : terms) {
    if (t.kind == TermKind::redirect) return &t;
  }
  return nullptr;
}

bool is_spf_record(std::string_view text) noexcept {
  constexpr std::string_view kVersion = "v=spf1";
  if (text.size() < kVersion.size() || !iequals(text.substr(0, kVersion.size()), kVersion)) {
    return false;
  }
  return text.size() == kVersion.size() || text[kVersion.size()] == ' ';
}

bool queries_dns(TermKind kind) noexcept {
  return kind == TermKind::include || kind == TermKind::a || kind == TermKind::mx ||
         kind == TermKind::ptr || kind == TermKind::exists || kind == TermKind::redirect;
}

ParseResult parse_record(std::string_view text) {
  ParseResult out;
  if (!is_spf_record(text)) {
    out.error = "syntax: not an SPF record";
    return out;
  }
  text.remove_prefix(6);
  Record record;
  bool redirect_seen = false;
  bool exp_seen = false;
  while (!text.empty()) {
    const std::size_t start = text.find_first_not_of(' ');
    if (start == std::string_view::npos) break;
    text.remove_prefix(start);
    const std::size_t end = text.find(' ');
    const std::string_view term = text.substr(0, end);
    text = end == std::string_view::npos ? std::string_view{} : text.substr(end);
    auto parsed = parse_term(term);
    // redirect= and exp= may each appear once (6).
    if (parsed && parsed->kind == TermKind::redirect && std::exchange(redirect_seen, true)) {
      parsed.reset();
    }
    if (parsed && parsed->kind == TermKind::exp && std::exchange(exp_seen, true)) parsed.reset();
    if (!parsed) {
      out.error = "syntax: " + std::string(term);
      return out;
    }
    record.terms.push_back(std::move(*parsed));
  }
  out.record = std::move(record);
  return out;
}

}  // namespace mxscan::spf
