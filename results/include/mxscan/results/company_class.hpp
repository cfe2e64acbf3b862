// What a provider assignment counts for in the company figures: the one
// definition of "company" shared by summary.csv/summary.json (the inference's
// SummaryBuilder) and `mxscan report`.
//
// Design note. A company is the providers config's company of the provider ID;
// an ID of no known company stands alone (it is its own company: a provider the
// catalog does not list, or one domain's own mail server); an MX that got no ID
// belongs to no company. Rankings therefore never hold a catch-all "other" bar
// that would dwarf every real company: what lies outside the catalog is split
// into self-hosted (the ID is the domain's own registered domain), IDs not in
// the catalog (candidates to add to configs/providers.toml) and no ID.
// `mxscan diff` folds the stand-alone IDs into one "other" bucket for its
// migration matrix only (results/migration.hpp).
#pragma once

#include "mxscan/inference/result.hpp"

#include <array>
#include <cstddef>
#include <string_view>

namespace mxscan {

enum class CompanyClass { known, self_hosted, not_in_catalog, no_id };
inline constexpr std::size_t kCompanyClassCount = 4;

std::string_view to_string(CompanyClass c);
// Human label for figures and tables.
std::string_view label(CompanyClass c);

// An ID is the domain's own when the domain is the ID or a name under it (IDs
// are registered domains, so a domain under one has it as registered domain).
bool is_own_domain(std::string_view domain, std::string_view id);

CompanyClass company_class(std::string_view domain, const ProviderAssignment& a);

// The company key of an assignment: its company, else its ID; empty when no ID.
std::string_view company_key(const ProviderAssignment& a);

}  // namespace mxscan
