// `--dry-run`: what the scan would contact, instead of contacting it. Each
// address the DNS stage finds is checked against the blocklist and counted by
// /24 (/48) prefix and AS; the text goes to stdout, the JSON to dry_run.json.
//
// Design note. The dry run takes the SMTP stage's place in the engine, with
// the same blocklist the stage would build, so its figures are the real scan's
// admission minus the network.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <utility>

#include "mxscan/common/asn/asn_source.hpp"
#include "mxscan/scanner/conduct/blocklist.hpp"

namespace mxscan {

class DryRunReport {
 public:
  DryRunReport(Blocklist blocklist, std::shared_ptr<const AsnSource> asn)
      : blocklist_(std::move(blocklist)), asn_(std::move(asn)) {}

  void add(const std::string& address);
  std::string text(bool have_asn) const;
  std::string json() const;  // dry_run.json
  std::uint64_t addresses() const noexcept { return addresses_; }

 private:
  Blocklist blocklist_;
  std::shared_ptr<const AsnSource> asn_;
  std::uint64_t addresses_ = 0, blocked_ = 0, invalid_ = 0, no_asn_ = 0;
  std::set<std::string> prefixes_;
  std::map<std::uint32_t, std::pair<std::uint64_t, std::string>> ases_;
};

}  // namespace mxscan
