// Step 1 of docs/method.md: certificate groups and their representative names.
//
// Design note. Names are small integer ids (interned by the Batch). Certificates
// sharing a name are merged with a union-find over name ids; each group's name is
// the RD with the highest batch count cnt_cert_rd, ties going to the RD of the
// lexicographically smallest name. That is a maximum over a totally ordered set,
// so the result does not depend on the order certificates or names were added
// (tested by random permutations in tests/inference/cert_groups_test.cpp).
#pragma once

#include <cstdint>
#include <functional>
#include <span>
#include <vector>

namespace mxscan {

class CertificateGrouper {
 public:
  // Name ids are in [0, name_count).
  explicit CertificateGrouper(std::size_t name_count);

  // Adds a certificate by its (non-empty) name ids; returns its index.
  std::uint32_t add(std::span<const std::uint32_t> names);

  // Per added certificate, the RD id of its group's representative name.
  // rd_of[name] is the RD id of a name, cnt[rd] its cnt_cert_rd, and
  // name_less(a, b) orders names by their text.
  std::vector<std::uint32_t> group_names(
      std::span<const std::uint32_t> rd_of, std::span<const std::uint64_t> cnt,
      const std::function<bool(std::uint32_t, std::uint32_t)>& name_less);

  std::size_t group_count() const noexcept { return groups_; }

 private:
  std::uint32_t find(std::uint32_t x);
  std::vector<std::uint32_t> parent_;
  std::vector<std::uint32_t> first_name_;  // per certificate
  std::vector<std::uint32_t> touched_;     // names seen, for the final pass
  std::size_t groups_ = 0;
};

}  // namespace mxscan
