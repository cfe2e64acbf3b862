// The input as the scan sees it: the domain list, minus other shards (the
// `--shard I/N` split), opted-out domains and domains already done (resume).
//
// Design note. Each skipped line is counted by why it was skipped, for the
// manifest's input counts; reading stops when the scan is asked to stop, so a
// stopped scan admits no new domain. The opt-out list and the done set are
// borrowed: they outlive the input.
#pragma once

#include <atomic>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_set>

#include "mxscan/common/domain_list.hpp"
#include "mxscan/scanner/run/shard.hpp"

namespace mxscan {

class ScanInput final : public DomainSource {
 public:
  ScanInput(const std::string& path, const ShardSpec& shard,
            const std::unordered_set<std::string>& opted_out,
            const std::unordered_set<std::string>& done, const std::atomic<bool>& stop);

  std::optional<DomainRecord> next() override;

  const DomainListStats& stats() const noexcept { return reader_.stats(); }

  std::uint64_t other_shards = 0;
  std::uint64_t excluded = 0;
  std::uint64_t already_done = 0;

 private:
  // An opt-out covers the name and every name under it.
  bool is_excluded(std::string_view name) const;

  DomainListReader reader_;
  ShardSpec shard_;
  const std::unordered_set<std::string>& excluded_;
  const std::unordered_set<std::string>& done_;
  const std::atomic<bool>& stop_;
};

// The opt-out list (conduct.exclude_domains): its valid names; empty for "".
std::unordered_set<std::string> read_exclusions(const std::string& path);

// Lines in a plain list, for the progress line's total (an estimate: comments,
// blanks and duplicates count). Unknown for stdin and compressed lists.
std::optional<std::uint64_t> count_lines(const std::string& path);

}  // namespace mxscan
