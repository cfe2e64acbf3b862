// Maintenance checks of a provider catalog (`mxscan catalog check`,
// docs/providers-config.md "Checking the catalog").
//
// Design note. A catalog goes wrong quietly: an ID given to two companies
// credits one of them at random, a glob or a VPS rule that no real name reaches
// is dead weight that looks like coverage, and a fact without a source cannot be
// re-checked when a company changes its MX names. What "reaches" means is made
// testable by data: each company lists documented example names (`examples`),
// each [[vps]] block the names its rules must decide. The names' registered
// domains come from the same public suffix list the inference uses, so an
// example under a private suffix (`<region>.amazonaws.com`) is checked as the
// method will see it.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "mxscan/inference/catalog.hpp"

namespace mxscan {

class PublicSuffixList;

enum class CatalogProblemKind : std::uint8_t {
  shared_id,          // an ID (or an example's ID) claimed by two companies
  unmatched_pattern,  // a glob ID or a VPS rule that no example name reaches
  unmapped_example,   // an example whose ID is not its company's (a missing ID)
  no_source,          // a company without `sources`
  orphan_block,       // a [[vps]] block for an RD no company claims
};

std::string_view to_string(CatalogProblemKind kind) noexcept;

struct CatalogProblem {
  CatalogProblemKind kind = CatalogProblemKind::no_source;
  std::uint32_t line = 0;  // config line of the entry at fault
  std::string message;
};

// Every problem of `catalog`, in config line order; empty when clean.
std::vector<CatalogProblem> check_catalog(const Catalog& catalog, const PublicSuffixList& psl);

}  // namespace mxscan
