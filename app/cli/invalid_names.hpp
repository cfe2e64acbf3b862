// Input lines that are not domain names, told once at the end of a scan: how
// many, of how many lines, and the first few with their reason, instead of
// nothing (they used to pass silently into the counts) or a line per name (a
// list of junk would flood the terminal).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "mxscan/common/observation.hpp"

namespace mxscan {

class InvalidNameReport {
 public:
  // Every domain observation of the scan (resumed ones included).
  void add(const DomainObs& obs);
  std::uint64_t count() const noexcept { return count_; }
  // "mxscan: 1,234 of 10,000 lines were not domain names (first: line 3 'foo bar':
  // reason; ...); ..." or "" when every name was valid.
  std::string message(std::uint64_t lines) const;

 private:
  struct Example {
    std::uint64_t line;
    std::string text;
    std::string reason;
  };
  std::uint64_t count_ = 0;
  std::vector<Example> first_;
};

// 1234567 as "1,234,567".
std::string with_thousands(std::uint64_t n);

}  // namespace mxscan
