#include "invalid_names.hpp"

#include <fmt/format.h>

#include <algorithm>

namespace mxscan {
namespace {

constexpr std::size_t kExamples = 3;
constexpr std::size_t kExampleChars = 40;  // a line of junk can be long

std::string shown(const std::string& text) {
  std::string out;
  for (char c : text) {
    if (out.size() >= kExampleChars) return out + "...";
    const auto u = static_cast<unsigned char>(c);
    out += u < 0x20 || u == 0x7f ? '?' : c;
  }
  return out;
}

}  // namespace

void InvalidNameReport::add(const DomainObs& obs) {
  if (obs.mx_status != DnsStatus::invalid_name) return;
  ++count_;
  // The lowest line numbers, whatever order the DNS stage finished them in.
  if (first_.size() == kExamples && obs.line >= first_.back().line) return;
  const auto at = std::find_if(first_.begin(), first_.end(),
                               [&](const Example& e) { return e.line > obs.line; });
  first_.insert(at, Example{obs.line, shown(obs.domain), obs.error});
  if (first_.size() > kExamples) first_.pop_back();
}

std::string InvalidNameReport::message(std::uint64_t lines) const {
  if (count_ == 0) return {};
  std::string examples;
  for (const auto& e : first_) {
    if (!examples.empty()) examples += "; ";
    examples += fmt::format("line {} '{}': {}", e.line, e.text, e.reason);
  }
  return fmt::format(
      "mxscan: {} of {} lines were not domain names (first: {}); they are counted in "
      "manifest.json input.invalid and left out of the shares above\n",
      with_thousands(count_), with_thousands(lines), examples);
}

std::string with_thousands(std::uint64_t n) {
  std::string digits = std::to_string(n);
  std::string out;
  for (std::size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return out;
}

}  // namespace mxscan
