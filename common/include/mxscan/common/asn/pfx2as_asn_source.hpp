// ASN lookups in a CAIDA Routeviews prefix-to-AS file (pfx2as).
//
// Design note. Each line is `prefix<TAB>length<TAB>AS`; AS is a number, a
// multi-origin list joined by `_` (the first is kept: CAIDA lists the most
// frequent origin first) or an AS set joined by `,` (its first member is kept).
// Lookups use the longest matching prefix. Malformed lines are skipped, counted
// and reported with their line numbers; they never abort the load, but problem()
// refuses a file that is mostly not pfx2as (an .mmdb or a list of names given by
// mistake would otherwise turn every ASN into null and skip the AS checks).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "mxscan/common/asn/asn_source.hpp"

namespace mxscan {

class Pfx2AsSource final : public AsnSource {
 public:
  // Reads the file; throws std::runtime_error when it cannot be read.
  explicit Pfx2AsSource(const std::string& path);
  // From text already in memory (tests); `origin` names it in messages.
  Pfx2AsSource(std::string_view text, std::string origin);

  std::optional<AsnInfo> lookup(const IpAddress& address) const override;
  std::string describe() const override;

  std::size_t prefixes() const noexcept { return table_.size(); }
  std::size_t malformed_lines() const noexcept { return malformed_; }
  // Lines that are neither blank nor comments.
  std::size_t data_lines() const noexcept { return data_lines_; }
  // Why the file must not be used (no valid line, or more than
  // kMaxMalformedLines or 1 % of its data lines malformed, the first line
  // numbers named); empty when it is usable.
  std::string problem() const;
  static constexpr std::size_t kMaxMalformedLines = 10;
  // "ORIGIN:LINE: reason" for the first malformed lines (at most 20 kept).
  const std::vector<std::string>& malformed_examples() const noexcept { return examples_; }

 private:
  void load(std::string_view text);
  PrefixTable<std::uint32_t> table_;
  std::string origin_;
  std::size_t malformed_ = 0;
  std::size_t data_lines_ = 0;
  std::vector<std::string> examples_;
};

}  // namespace mxscan
