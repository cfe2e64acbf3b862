#include "mxscan/inference/cert_groups.hpp"

#include <limits>

namespace mxscan {
namespace {
constexpr std::uint32_t kUnset = std::numeric_limits<std::uint32_t>::max();
}

CertificateGrouper::CertificateGrouper(std::size_t name_count) : parent_(name_count, kUnset) {}

std::uint32_t CertificateGrouper::find(std::uint32_t x) {
  while (parent_[x] != x) {
    parent_[x] = parent_[parent_[x]];  // path halving
    x = parent_[x];
  }
  return x;
}

std::uint32_t CertificateGrouper::add(std::span<const std::uint32_t> names) {
  for (auto n : names) {
    if (parent_[n] == kUnset) {
      parent_[n] = n;
      touched_.push_back(n);
    }
  }
  auto root = find(names.front());
  for (auto n : names.subspan(1)) {
    auto r = find(n);
    if (r != root) {
      // Union by smaller id keeps the structure independent of call order for
      // equal inputs; correctness does not rely on it.
      if (r < root) std::swap(r, root);
      parent_[r] = root;
    }
  }
  first_name_.push_back(names.front());
  return static_cast<std::uint32_t>(first_name_.size() - 1);
}

std::vector<std::uint32_t> CertificateGrouper::group_names(
    std::span<const std::uint32_t> rd_of, std::span<const std::uint64_t> cnt,
    const std::function<bool(std::uint32_t, std::uint32_t)>& name_less) {
  // best[root]: the group's name deciding its representative RD.
  std::vector<std::uint32_t> best(parent_.size(), kUnset);
  groups_ = 0;
  for (auto n : touched_) {
    auto r = find(n);
    auto& b = best[r];
    if (b == kUnset) {
      b = n;
      ++groups_;
      continue;
    }
    auto cn = cnt[rd_of[n]], cb = cnt[rd_of[b]];
    if (cn > cb || (cn == cb && name_less(n, b))) b = n;
  }
  std::vector<std::uint32_t> out;
  out.reserve(first_name_.size());
  for (auto first : first_name_) out.push_back(rd_of[best[find(first)]]);
  return out;
}

}  // namespace mxscan
