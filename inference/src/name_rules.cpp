#include "mxscan/inference/name_rules.hpp"

#include <algorithm>
#include <array>

namespace mxscan {
namespace {

std::string_view first_label_of(std::string_view name) noexcept {
  return name.substr(0, name.find('.'));
}

// The part of `name` left of its registered domain ("a.b" for a.b.rd), empty
// when the name is the RD itself or not under it.
std::string_view left_of_rd(std::string_view name, std::string_view rd) noexcept {
  if (rd.empty()) return name;
  if (name.size() <= rd.size() + 1) return {};
  if (name.substr(name.size() - rd.size()) != rd || name[name.size() - rd.size() - 1] != '.') {
    return name;  // not under rd: every label counts
  }
  return name.substr(0, name.size() - rd.size() - 1);
}

template <typename F>
bool any_label(std::string_view labels, F&& f) {
  std::size_t start = 0;
  while (start <= labels.size() && !labels.empty()) {
    auto dot = labels.find('.', start);
    if (dot == std::string_view::npos) dot = labels.size();
    if (f(labels.substr(start, dot - start))) return true;
    start = dot + 1;
  }
  return false;
}

bool is_dashed_ipv4(std::string_view label) noexcept {
  int parts = 0;
  std::size_t start = 0;
  while (start <= label.size()) {
    auto dash = label.find('-', start);
    if (dash == std::string_view::npos) dash = label.size();
    auto part = label.substr(start, dash - start);
    if (part.empty() || part.size() > 3) return false;
    int value = 0;
    for (char c : part) {
      if (c < '0' || c > '9') return false;
      value = value * 10 + (c - '0');
    }
    if (value > 255) return false;
    ++parts;
    start = dash + 1;
  }
  return parts == 4;
}

bool test_value(NameTest test, std::string_view value, std::string_view name,
                std::string_view first, std::string_view left) noexcept {
  switch (test) {
    case NameTest::name:
      return name == value;
    case NameTest::suffix:
      return name == value || (name.size() > value.size() && name.ends_with(value) &&
                               name[name.size() - value.size() - 1] == '.');
    case NameTest::starts_with_labels:
      return name.size() > value.size() && name.starts_with(value) && name[value.size()] == '.';
    case NameTest::first_label:
      return first == value;
    case NameTest::first_label_prefix:
      return first.starts_with(value);
    case NameTest::first_label_contains:
      return first.find(value) != std::string_view::npos;
    case NameTest::label:
      return any_label(left, [&](std::string_view l) { return l == value; });
    case NameTest::label_prefix:
      return any_label(left, [&](std::string_view l) { return l.starts_with(value); });
    case NameTest::label_contains:
      return any_label(left,
                       [&](std::string_view l) { return l.find(value) != std::string_view::npos; });
    default:
      return false;
  }
}

bool condition_holds(const NameCondition& c, std::string_view name, std::string_view first,
                     std::string_view left) noexcept {
  switch (c.test) {
    case NameTest::first_label_dashes:
      return std::count(first.begin(), first.end(), '-') == c.number;
    case NameTest::first_label_dashed_ipv4:
      return is_dashed_ipv4(first) == c.flag;
    case NameTest::wildcard:
      return (first == "*") == c.flag;
    default:
      break;
  }
  if (c.all) {
    return std::all_of(c.values.begin(), c.values.end(), [&](const std::string& v) {
      return test_value(c.test, v, name, first, left);
    });
  }
  return std::any_of(c.values.begin(), c.values.end(), [&](const std::string& v) {
    return test_value(c.test, v, name, first, left);
  });
}

}  // namespace

std::string_view name_test_key(NameTest t) noexcept {
  static constexpr std::array<std::string_view, 12> keys = {"name",
                                                            "suffix",
                                                            "starts_with_labels",
                                                            "first_label",
                                                            "first_label_prefix",
                                                            "first_label_contains",
                                                            "label",
                                                            "label_prefix",
                                                            "label_contains",
                                                            "first_label_dashes",
                                                            "first_label_dashed_ipv4",
                                                            "wildcard"};
  auto i = static_cast<std::size_t>(t);
  return i < keys.size() ? keys[i] : std::string_view{};
}

bool rule_matches(const NameRule& rule, std::string_view name, std::string_view rd) noexcept {
  auto left = left_of_rd(name, rd);
  // The first label is the leftmost label below the RD: none for the RD itself.
  auto first = left.empty() ? std::string_view{} : first_label_of(left);
  return std::all_of(rule.conditions.begin(), rule.conditions.end(),
                     [&](const NameCondition& c) { return condition_holds(c, name, first, left); });
}

NameClass classify_name(const NameRuleSet& set, std::string_view name,
                        std::string_view rd) noexcept {
  for (const auto& rule : set.rules) {
    if (rule_matches(rule, name, rd)) return rule.result;
  }
  return set.otherwise;
}

}  // namespace mxscan
