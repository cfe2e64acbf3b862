// The declarative VPS naming rules of the provider catalog (docs/providers-config.md,
// format in docs/providers-config.md).
//
// Design note. A rule is a conjunction of label-boundary conditions on a name
// that lies under a registered domain `rd`; a rule set is an ordered list of
// rules (first match wins) plus the class of names no rule matches. Conditions
// never look across a dot or into the RD itself, which is the fix for the
// reference tool's substring tests (docs/method.md defect 6). Matching is plain
// string work on views: no regex, no allocation.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "mxscan/inference/catalog.hpp"

namespace mxscan {

enum class NameTest : std::uint8_t {
  name,                     // the whole name equals a value
  suffix,                   // the name equals a value or ends with "." + value
  starts_with_labels,       // the name starts with the value's labels ("smtp.europe")
  first_label,              // the first label equals
  first_label_prefix,       // the first label starts with
  first_label_contains,     // the first label contains
  label,                    // some label left of the RD equals
  label_prefix,             // some label left of the RD starts with
  label_contains,           // some label left of the RD contains
  first_label_dashes,       // the first label has exactly `number` '-'
  first_label_dashed_ipv4,  // the first label is a-b-c-d with each part 0..255 (== flag)
  wildcard,                 // the first label is "*" (== flag)
};

// Config key of a test ("first_label_prefix", ...); nullopt-like empty for none.
std::string_view name_test_key(NameTest t) noexcept;

struct NameCondition {
  NameTest test = NameTest::name;
  bool all = false;                 // `*_all` key: every value must hold (else any)
  std::vector<std::string> values;  // string tests
  std::int64_t number = 0;          // first_label_dashes
  bool flag = true;                 // boolean tests: required truth value
};

struct NameRule {
  NameClass result = NameClass::vps;
  std::vector<NameCondition> conditions;  // all must hold; none: always matches
  std::uint32_t line = 0;                 // config line, for diagnostics
};

struct NameRuleSet {
  std::vector<NameRule> rules;
  NameClass otherwise = NameClass::dedicated;
};

// True when every condition of the rule holds for `name` (lower case) under `rd`.
bool rule_matches(const NameRule& rule, std::string_view name, std::string_view rd) noexcept;

// First matching rule's class, or the set's `otherwise`.
NameClass classify_name(const NameRuleSet& set, std::string_view name,
                        std::string_view rd) noexcept;

}  // namespace mxscan
