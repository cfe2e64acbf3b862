// The rules of the public suffix list the tests run against (Debian's copy, as
// the scanner uses), as names: A-labels, without the "!" of exceptions and the
// "*." of wildcards. For tests that check every rule.
#pragma once

#include <fstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "mxscan/common/names.hpp"

namespace mxscan::test {

inline std::vector<std::string> psl_rule_names(const std::string& path = kDefaultPslFile) {
  std::ifstream list(path);
  if (!list) throw std::runtime_error("cannot read " + path);
  std::vector<std::string> rules;
  for (std::string line; std::getline(list, line);) {
    if (line.empty() || line.starts_with("//")) continue;
    if (const auto space = line.find_first_of(" \t"); space != std::string::npos) line.resize(space);
    if (line.starts_with("!")) line.erase(0, 1);
    if (line.starts_with("*.")) line.erase(0, 2);
    rules.push_back(to_a_label(line).value_or(line));
  }
  return rules;
}

}  // namespace mxscan::test
