// What the inference produces per input domain (providers.jsonl) and the batch
// aggregation (summary.csv / summary.json).
//
// Design note. Plain values with deterministic order, so the writers only
// serialise and two runs over the same observations compare equal with ==.
// The enum names given by to_string() are the output vocabulary of
// docs/formats.md: change them only together with the schema version.
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "mxscan/inference/signal_facts.hpp"
#include "mxscan/inference/signal_summary.hpp"

namespace mxscan {

class Catalog;

enum class DomainOutcome : std::uint8_t {
  ok,       // at least one live primary MX: providers assigned
  no_mx,    // NODATA or an empty MX set
  null_mx,  // RFC 7505 "0 ."
  nxdomain,
  dns_error,  // SERVFAIL, REFUSED, timeout, other DNS failure
  no_smtp,    // MX present, no live address
  blocked,    // MX present, no live address and every address blocked
  invalid,    // the input is not a valid domain name
};
inline constexpr std::size_t kDomainOutcomeCount = 8;

enum class Source : std::uint8_t { tls, banner, mx };
enum class Flag : std::uint8_t { vps, unseen_as };

std::string_view to_string(DomainOutcome o) noexcept;
std::string_view to_string(Source s) noexcept;
std::string_view to_string(Flag f) noexcept;
std::optional<DomainOutcome> parse_domain_outcome(std::string_view s) noexcept;

// The provider of one MX of the primary set P(d).
struct ProviderAssignment {
  std::string mx;                      // exchange name
  std::string id;                      // provider ID; empty: no ID (see reason)
  std::optional<std::string> company;  // company of id, when known
  Source source = Source::mx;          // source of `id`
  std::uint64_t score = 1;             // confidence score of `id`
  double credit = 0;                   // share of the domain: 1/|P(d)|
  std::optional<Flag> flag;            // set when a check flagged an ID
  // The ID step 4 replaced: the flagged ID when `id` is a fallback, or the ID an
  // AS relabelling corrected (utexas.edu -> iphmx.com, flag unset). nullopt otherwise.
  std::optional<std::string> original_id;
  std::string flag_reason;     // why it was flagged or corrected; else empty
  std::string reason;          // why `id` is empty; empty otherwise
  std::uint32_t live_ips = 0;  // live addresses of this MX

  bool operator==(const ProviderAssignment&) const = default;
};

struct DomainResult {
  std::string domain;
  std::uint64_t line = 0;
  DomainOutcome status = DomainOutcome::no_smtp;
  std::vector<ProviderAssignment> providers;  // P(d) in exchange order; empty unless ok
  std::string reason;                         // human text for a non-ok status
  // Beside the paper's result, never changing it: set only when signals were observed.
  std::optional<SignalView> signals;

  bool operator==(const DomainResult&) const = default;
};

// Records the batch counted but could not use (docs/method.md defect 8: bad records
// are counted, reported and skipped, never fatal).
struct BatchStats {
  std::uint64_t domain_records = 0;      // DomainObs added
  std::uint64_t host_records = 0;        // HostObs added
  std::uint64_t duplicate_domains = 0;   // DomainObs for a domain already seen (one kept)
  std::uint64_t duplicate_hosts = 0;     // HostObs for an address already seen (one kept)
  std::uint64_t bad_hosts = 0;           // HostObs skipped (address not an IP literal)
  std::uint64_t unreferenced_hosts = 0;  // HostObs no domain refers to
  std::uint64_t missing_hosts = 0;       // addresses referenced with no HostObs (not live)
  std::uint64_t unique_exchanges = 0;
  std::uint64_t unique_addresses = 0;
  std::uint64_t certificate_groups = 0;

  bool operator==(const BatchStats&) const = default;
};

struct Results {
  std::vector<DomainResult> domains;  // ordered by line, then domain
  BatchStats stats;

  bool operator==(const Results&) const = default;
};

// One row of the summary: credit of a provider ID or of a company.
struct ShareRow {
  std::string key;                    // provider ID, or company name
  bool known_company = false;         // by_company: key is a catalog company (else an ID)
  double credit = 0;                  // sum of credits
  std::uint64_t domains = 0;          // domains giving it any credit
  double share_of_with_provider = 0;  // credit / domains_with_provider
  double share_of_all = 0;            // credit / domains_total
};

struct Summary {
  std::uint64_t domains_total = 0;                             // all input domains
  std::uint64_t domains_with_provider = 0;                     // status ok
  std::array<std::uint64_t, kDomainOutcomeCount> by_status{};  // index: DomainOutcome
  double credit_without_id = 0;                                // credit of MXes that got no ID
  std::uint64_t flagged_assignments = 0;
  std::map<std::string, std::uint64_t> dns_error_causes;  // dns_errors.hpp: cause -> domains
  std::vector<ShareRow> by_id;                            // sorted by credit desc, then key
  std::vector<ShareRow> by_company;      // companies; IDs of no known company stand alone
  std::optional<SignalSummary> signals;  // beside the paper's: only when signals were observed
};

// Streaming aggregation, for writers that never hold all results.
class SummaryBuilder {
 public:
  explicit SummaryBuilder(const Catalog& catalog);
  void add(const DomainResult& result);
  // Empties the builder: its table is freed as the rows are made (millions
  // of IDs in a large merge).
  Summary build();

 private:
  struct Acc {
    double credit = 0;
    std::uint64_t domains = 0;
  };
  struct KeyHash {  // heterogeneous lookup: no std::string per assignment
    using is_transparent = void;
    std::size_t operator()(std::string_view s) const noexcept {
      return std::hash<std::string_view>{}(s);
    }
  };
  using Table = std::unordered_map<std::string, Acc, KeyHash, std::equal_to<>>;
  static void credit(Table& table, std::string_view key, double amount);

  const Catalog* catalog_;
  Summary base_;
  SignalSummaryBuilder signals_;
  Table ids_;
  Table companies_;  // known companies only; an ID of no company is its own row
};

Summary summarise(const Results& results, const Catalog& catalog);

}  // namespace mxscan
