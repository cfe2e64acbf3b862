#include "persona_config.hpp"

#include <toml++/toml.h>

#include <algorithm>
#include <array>
#include <charconv>
#include <stdexcept>

namespace mxscan::lab {
namespace {

constexpr std::array<std::pair<std::string_view, Fault>, 12> kFaults{{
    {"none", Fault::none},
    {"tarpit", Fault::tarpit},
    {"close", Fault::close},
    {"reset", Fault::reset},
    {"garbage", Fault::garbage},
    {"no_eol", Fault::no_eol},
    {"lf_only", Fault::lf_only},
    {"huge_line", Fault::huge_line},
    {"endless_greeting", Fault::endless_greeting},
    {"endless_ehlo", Fault::endless_ehlo},
    {"tls_alert", Fault::tls_alert},
    {"tls_garbage", Fault::tls_garbage},
}};

[[noreturn]] void fail(const std::string& path, const std::string& what) {
  throw std::runtime_error(path + ": " + what);
}

std::uint32_t read_ms(const toml::table& t, std::string_view key, const std::string& where) {
  const auto* node = t.get(key);
  if (node == nullptr) return 0;
  auto v = node->value<std::int64_t>();
  if (!v || *v < 0 || *v > 3'600'000)
    throw std::runtime_error(where + ": " + std::string(key) + " must be 0..3600000 ms");
  return static_cast<std::uint32_t>(*v);
}

std::string read_string(const toml::table& t, std::string_view key, const std::string& where) {
  const auto* node = t.get(key);
  if (node == nullptr) return {};
  auto v = node->value<std::string>();
  if (!v) throw std::runtime_error(where + ": " + std::string(key) + " must be a string");
  return *v;
}

}  // namespace

std::optional<Fault> parse_fault(std::string_view s) noexcept {
  for (const auto& [name, f] : kFaults)
    if (name == s) return f;
  return std::nullopt;
}

std::string_view to_string(Fault f) noexcept {
  for (const auto& [name, value] : kFaults)
    if (value == f) return name;
  return "?";
}

std::optional<std::uint32_t> parse_ipv4(std::string_view s) noexcept {
  std::uint32_t out = 0;
  for (int i = 0; i < 4; ++i) {
    unsigned part = 0;
    auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), part);
    if (ec != std::errc{} || part > 255 || p == s.data()) return std::nullopt;
    out = (out << 8) | part;
    s.remove_prefix(static_cast<std::size_t>(p - s.data()));
    if (i < 3) {
      if (s.empty() || s.front() != '.') return std::nullopt;
      s.remove_prefix(1);
    }
  }
  if (!s.empty()) return std::nullopt;
  return out;
}

std::string format_ipv4(std::uint32_t a) {
  return std::to_string(a >> 24) + '.' + std::to_string((a >> 16) & 255) + '.' +
         std::to_string((a >> 8) & 255) + '.' + std::to_string(a & 255);
}

std::optional<AddressRange> parse_address_range(std::string_view s) noexcept {
  if (auto dash = s.find('-'); dash != std::string_view::npos) {
    auto a = parse_ipv4(s.substr(0, dash));
    auto b = parse_ipv4(s.substr(dash + 1));
    if (!a || !b || *b < *a) return std::nullopt;
    return AddressRange{*a, *b};
  }
  if (auto slash = s.find('/'); slash != std::string_view::npos) {
    auto a = parse_ipv4(s.substr(0, slash));
    unsigned len = 0;
    auto rest = s.substr(slash + 1);
    auto [p, ec] = std::from_chars(rest.data(), rest.data() + rest.size(), len);
    if (!a || ec != std::errc{} || p != rest.data() + rest.size() || len > 32) return std::nullopt;
    std::uint32_t mask = len == 0 ? 0 : ~std::uint32_t{0} << (32 - len);
    if ((*a & ~mask) != 0) return std::nullopt;  // host bits set: almost surely a typo
    return AddressRange{*a, *a | ~mask};
  }
  auto a = parse_ipv4(s);
  if (!a) return std::nullopt;
  return AddressRange{*a, *a};
}

PersonaMap PersonaMap::load(const std::string& path) {
  toml::table root;
  try {
    root = toml::parse_file(path);
  } catch (const toml::parse_error& e) {
    fail(path, std::string("TOML error: ") + std::string(e.description()));
  }
  const auto* list = root["persona"].as_array();
  if (list == nullptr) fail(path, "no [[persona]] tables");
  PersonaMap map;
  for (const auto& node : *list) {
    const auto* t = node.as_table();
    if (t == nullptr) fail(path, "[[persona]] must be a table");
    Persona p;
    p.name = read_string(*t, "name", path);
    if (p.name.empty()) fail(path, "a persona has no name");
    const std::string where = path + ": persona " + p.name;
    for (const auto& [key, value] : *t) {
      static constexpr std::array<std::string_view, 11> known{
          "name",  "addresses",         "banner",         "ehlo",    "starttls", "chain",
          "fault", "greeting_delay_ms", "reply_delay_ms", "drip_ms", "forward"};
      if (std::find(known.begin(), known.end(), key.str()) == known.end())
        throw std::runtime_error(where + ": unknown key " + std::string(key.str()));
    }
    p.banner = read_string(*t, "banner", where);
    if (const auto* e = t->get_as<toml::array>("ehlo")) {
      for (const auto& line : *e) {
        auto s = line.value<std::string>();
        if (!s) throw std::runtime_error(where + ": ehlo lines must be strings");
        p.ehlo.push_back(*s);
      }
    }
    const std::string starttls = read_string(*t, "starttls", where);
    if (starttls.empty() || starttls == "none")
      p.starttls = StartTls::none;
    else if (starttls == "offer")
      p.starttls = StartTls::offer;
    else if (starttls == "refuse")
      p.starttls = StartTls::refuse;
    else
      throw std::runtime_error(where + ": starttls must be none, offer or refuse");
    p.chain = read_string(*t, "chain", where);
    const std::string fault = read_string(*t, "fault", where);
    auto f = parse_fault(fault.empty() ? "none" : fault);
    if (!f) throw std::runtime_error(where + ": unknown fault " + fault);
    p.fault = *f;
    const bool tls_fault = p.fault == Fault::tls_alert || p.fault == Fault::tls_garbage;
    if (p.starttls == StartTls::offer && p.chain.empty() && !tls_fault)
      throw std::runtime_error(where + ": starttls = \"offer\" needs a chain file");
    p.greeting_delay_ms = read_ms(*t, "greeting_delay_ms", where);
    p.reply_delay_ms = read_ms(*t, "reply_delay_ms", where);
    p.drip_ms = read_ms(*t, "drip_ms", where);
    p.forward = read_string(*t, "forward", where);
    if (!p.forward.empty()) {
      const auto colon = p.forward.rfind(':');
      auto addr =
          colon == std::string::npos ? std::nullopt : parse_ipv4(p.forward.substr(0, colon));
      unsigned port = 0;
      const std::string_view rest = colon == std::string::npos
                                        ? std::string_view{}
                                        : std::string_view(p.forward).substr(colon + 1);
      auto [ptr, ec] = std::from_chars(rest.data(), rest.data() + rest.size(), port);
      if (!addr || (*addr >> 24) != 127 || ec != std::errc{} || ptr != rest.data() + rest.size() ||
          port == 0 || port > 65535)
        throw std::runtime_error(where + ": forward must be 127.x.y.z:PORT, not " + p.forward);
    }
    if (p.forward.empty() && p.banner.empty() && p.fault != Fault::tarpit &&
        p.fault != Fault::close && p.fault != Fault::reset && p.fault != Fault::garbage)
      throw std::runtime_error(where + ": needs a banner (or a forward or a silent fault)");
    const auto index = static_cast<std::uint32_t>(map.personas_.size());
    const auto* addrs = t->get_as<toml::array>("addresses");
    if (addrs == nullptr || addrs->empty()) throw std::runtime_error(where + ": no addresses");
    for (const auto& a : *addrs) {
      auto s = a.value<std::string>();
      auto r = s ? parse_address_range(*s) : std::nullopt;
      if (!r) throw std::runtime_error(where + ": bad address " + (s ? *s : std::string("?")));
      if ((r->first >> 24) != 127 || (r->last >> 24) != 127)
        throw std::runtime_error(where + ": " + *s + " is outside 127.0.0.0/8");
      if (r->first == r->last) {
        if (!map.exact_.emplace(r->first, index).second)
          throw std::runtime_error(where + ": address " + *s + " already has a persona");
      } else {
        map.ranges_.push_back({r->first, r->last, index});
      }
    }
    map.personas_.push_back(std::move(p));
  }
  std::sort(map.ranges_.begin(), map.ranges_.end(),
            [](const Interval& a, const Interval& b) { return a.first < b.first; });
  for (std::size_t i = 1; i < map.ranges_.size(); ++i)
    if (map.ranges_[i].first <= map.ranges_[i - 1].last)
      fail(path, "address ranges of personas " + map.personas_[map.ranges_[i - 1].persona].name +
                     " and " + map.personas_[map.ranges_[i].persona].name + " overlap");
  return map;
}

const Persona* PersonaMap::find(std::uint32_t address) const noexcept {
  if (auto it = exact_.find(address); it != exact_.end()) return &personas_[it->second];
  auto it = std::upper_bound(ranges_.begin(), ranges_.end(), address,
                             [](std::uint32_t a, const Interval& r) { return a < r.first; });
  if (it == ranges_.begin()) return nullptr;
  --it;
  if (address > it->last) return nullptr;
  return &personas_[it->persona];
}

std::size_t PersonaMap::address_count() const noexcept {
  std::size_t n = exact_.size();
  for (const auto& r : ranges_) n += std::size_t{r.last} - r.first + 1;
  return n;
}

}  // namespace mxscan::lab
