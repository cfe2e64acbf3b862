// Which addresses the scanner may contact: blocklist files in ZMap's format and
// explicit allow ranges that lift part of them.
//
// Design note. ZMap's format is one address or CIDR per line, `#` starting a
// comment (whole line or after the entry). A malformed line is a configuration
// error naming file and line: a blocklist that silently loses an entry would let
// the scanner probe what its operator meant to protect. An address is blocked
// when some blocklist prefix contains it and no allow prefix does.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "mxscan/common/ip_address.hpp"

namespace mxscan {

struct BlocklistSource {
  std::string path;    // file path, or "--allow"/"inline" for programmatic entries
  std::string sha256;  // of the file bytes ("" for inline entries)
  std::size_t entries = 0;
};

class Blocklist {
 public:
  // Reads a ZMap-format file; throws std::runtime_error "FILE:LINE: ..." on bad input.
  void add_file(const std::string& path);
  // Parses ZMap-format text; `origin` names it in errors.
  void add_text(std::string_view text, const std::string& origin);
  void add(const Cidr& range) { blocked_.insert(range, true); }
  // Lifts a range out of the blocklist; throws std::runtime_error on bad CIDR text.
  void allow(std::string_view cidr);

  bool is_blocked(const IpAddress& a) const {
    return blocked_.longest_match(a) != nullptr && allowed_.longest_match(a) == nullptr;
  }
  std::size_t blocked_ranges() const noexcept { return blocked_.size(); }
  std::size_t allowed_ranges() const noexcept { return allowed_.size(); }
  const std::vector<BlocklistSource>& sources() const noexcept { return sources_; }
  const std::vector<std::string>& allows() const noexcept { return allow_text_; }

 private:
  PrefixTable<bool> blocked_;
  PrefixTable<bool> allowed_;
  std::vector<BlocklistSource> sources_;
  std::vector<std::string> allow_text_;
};

}  // namespace mxscan
