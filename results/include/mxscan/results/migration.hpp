// Provider migration between two inference runs (`mxscan diff OLD NEW`): how
// much domain credit moved between companies, what each provider ID gained and
// lost, and which domains changed.
//
// Design note. Domains are matched by name. Each side's credit is grouped by
// "bucket": the company of the assignment when the providers config knows one;
// kOtherBucket for an ID of no known company (self-hosted mail and providers
// the catalog does not list, e.g. summitorganization.org); kNoIdBucket for an
// MX that got no ID; kNoProviderBucket for a domain whose status is not ok
// (no MX, no SMTP, DNS failure, ...); kAbsentBucket for a domain missing from
// one of the runs. Every domain carries exactly one unit of credit on each
// side, so the matrix rows and columns sum to the number of domains. Within one
// domain the credit a bucket keeps stays on the diagonal; what the losing
// buckets give is shared among the gaining buckets in proportion to their
// gains (the only split that does not invent a preference).
#pragma once

#include "mxscan/inference/result.hpp"

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace mxscan {

inline constexpr std::string_view kOtherBucket = "other";
inline constexpr std::string_view kNoIdBucket = "(no ID)";
inline constexpr std::string_view kNoProviderBucket = "(no provider)";
inline constexpr std::string_view kAbsentBucket = "(absent)";
inline constexpr std::string_view kMigrationSchema = "mxscan/diff/1";

struct IdChange {
  std::string id;
  std::string company;  // "" when none
  double old_credit = 0;
  double new_credit = 0;
  double gained = 0;  // sum of per-domain increases
  double lost = 0;    // sum of per-domain decreases (positive)
  std::uint64_t old_domains = 0;
  std::uint64_t new_domains = 0;
};

struct DomainChange {
  std::string domain;
  std::string old_status;  // DomainOutcome text, or "absent"
  std::string new_status;
  std::string old_providers;  // "id=credit;..." sorted by id ("" when none)
  std::string new_providers;
  std::string old_bucket;  // bucket holding most of the domain's credit
  std::string new_bucket;
};

struct Migration {
  std::uint64_t old_domains = 0;
  std::uint64_t new_domains = 0;
  std::uint64_t common_domains = 0;
  std::uint64_t changed_domains = 0;
  // matrix[from][to] = credit; the diagonal is credit that stayed.
  std::map<std::string, std::map<std::string, double>> matrix;
  std::vector<IdChange> ids;          // sorted by |net| desc, then id
  std::vector<DomainChange> changes;  // sorted by domain

  double moved() const;  // off-diagonal total
};

Migration compare_runs(const std::vector<DomainResult>& old_run,
                       const std::vector<DomainResult>& new_run);

// Bucket of one assignment (company, kOtherBucket or kNoIdBucket).
std::string_view bucket_of(const ProviderAssignment& a);

// migration_matrix.csv: from,to,credit (non-zero cells, sorted).
std::string migration_matrix_csv(const Migration& m);
// provider_changes.csv: id,company,old_credit,new_credit,net,gained,lost,old_domains,new_domains
std::string provider_changes_csv(const Migration& m);
// changed_domains.csv:
// domain,old_status,new_status,old_bucket,new_bucket,old_providers,new_providers
std::string changed_domains_csv(const Migration& m);
// diff.json: everything above in one document.
std::string migration_json(const Migration& m);
// Plain text: counts, the largest flows and the largest net changes.
std::string migration_text(const Migration& m, std::size_t rows);

}  // namespace mxscan
