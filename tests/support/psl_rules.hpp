// The rules of the public suffix list the tests run against (Debian's copy, as
// the scanner uses), as names: A-labels, without the "!" of exceptions and the
// "*." of wildcards. For tests that check every rule; the list must be the text
// form with every rule convertible (then the rule-name prefilter is on too).
#pragma once

#include <stdexcept>
#include <string>
#include <vector>

#include "mxscan/common/names.hpp"

namespace mxscan::test {

inline std::vector<std::string> psl_rule_names(const std::string& path = kDefaultPslFile) {
  const auto rules = read_psl_rule_names(path);
  if (!rules)
    throw std::runtime_error(path + ": not a text list whose rules all convert to A-labels");
  std::vector<std::string> names;
  names.reserve(rules->size());
  for (const auto& rule : *rules) names.push_back(rule.name);
  return names;
}

}  // namespace mxscan::test
