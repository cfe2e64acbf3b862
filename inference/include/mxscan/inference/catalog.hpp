// The provider catalog: known mail companies, their provider IDs and ASes, the
// AS relabelling rules, names that are not evidence, banner token overrides and
// the VPS naming patterns (docs/method.md step 4, docs/providers-config.md).
//
// Design note. Everything company-specific is data loaded from configs/
// (docs/providers-config.md); the code holds no company name or RD. The catalog
// is immutable once loaded and cheap to copy (shared state), so one instance can
// serve any number of batches. The rule machinery stays behind the pimpl: the
// inference asks questions ("which company owns this ID?", "is this certificate
// name a customer VPS?") and never sees the TOML.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace mxscan {

// Where a name came from: VPS rules may differ per source (google.com's banner
// names vs its certificate names).
enum class NameSource : std::uint8_t { banner, certificate };

// What a company is to a domain's mail, for the inference beside the paper's
// (docs/method.md, "Beyond the paper"): a filtering gateway in front of a mailbox
// provider, the mailbox provider itself, a web host that also serves mail, or
// something else (a bulk sender, a cloud).
enum class CompanyKind : std::uint8_t { mailbox, filtering, hosting, other };

std::string_view to_string(CompanyKind k) noexcept;
std::optional<CompanyKind> parse_company_kind(std::string_view s) noexcept;

// How a name of a known hosting RD is classified by the VPS rules.
enum class NameClass : std::uint8_t { dedicated, vps };

struct Company {
  std::string name;                 // e.g. as written in the config
  std::vector<std::string> ids;     // provider IDs; '*' and '?' are globs
  std::vector<std::uint32_t> asns;  // sorted, unique
  // Other operators' ASes (a cloud, a national carrier) in which the company's
  // mail servers run: not the company's own, yet no reason to flag "unseen AS".
  std::vector<std::uint32_t> hosted_asns;  // sorted, unique
  std::vector<std::string> sources;        // where the facts come from (URLs, citations)
  std::vector<std::string> examples;       // documented MX/certificate/banner names
  CompanyKind kind = CompanyKind::other;   // `kind`; absent: other
  // Names the company documents for its customers' SPF include: ('*' and '?' glob);
  // a name reached while following a domain's SPF record names the company.
  std::vector<std::string> spf;
  std::uint32_t line = 0;  // config line, for diagnostics
};

// A provider ID claimed by a second company; only a lenient load keeps going
// past one (CatalogLoad::tolerate_shared_ids), for `mxscan catalog check`.
struct SharedId {
  std::string id;
  std::size_t first = 0;   // company index that keeps the ID
  std::size_t second = 0;  // company index whose claim is ignored
};

// One [[vps]] block as written, for tools that inspect the catalog.
struct VpsBlock {
  std::string rd;
  bool banner = true;                     // serves banner/EHLO names
  bool certificate = true;                // serves certificate names
  std::vector<std::uint32_t> rule_lines;  // config line of each rule, in order
  std::vector<std::string> examples;      // names under `rd` the rules must decide
  std::uint32_t line = 0;
};

enum class CatalogLoad : std::uint8_t {
  strict,               // an ID claimed by two companies is an error
  tolerate_shared_ids,  // kept by its first company, listed in shared_ids()
};

class Catalog {
 public:
  // Loads a TOML catalog. `path` is a file, or a directory holding providers.toml.
  // Throws std::runtime_error "file:line:column: message" on a bad config.
  static Catalog load(const std::string& path, CatalogLoad mode = CatalogLoad::strict);
  // Same from text; `origin` names the source in error messages.
  static Catalog parse(std::string_view toml_text, const std::string& origin = "<string>",
                       CatalogLoad mode = CatalogLoad::strict);
  // A catalog with no companies and no rules (the method without step 4 data).
  Catalog();

  // Company that owns a provider ID (exact IDs first, then globs in file order).
  std::optional<std::size_t> company_index(std::string_view id) const;
  std::optional<std::string_view> company_of(std::string_view id) const;
  const std::vector<Company>& companies() const noexcept;

  // Company whose `spf` names hold an SPF name reached from a domain's record
  // (lower case, no trailing dot): exact names first, then globs in file order.
  std::optional<std::size_t> spf_company(std::string_view name) const;

  // True when `asn` is one of the company's ASes or of the ASes it is hosted in,
  // or when the catalog lists no AS at all for the company (ASes unknown).
  bool company_has_asn(std::size_t company, std::uint32_t asn) const noexcept;

  // IDs claimed twice (empty unless loaded with CatalogLoad::tolerate_shared_ids).
  const std::vector<SharedId>& shared_ids() const noexcept;

  // AS relabelling (AS check cases 2 and 3): the first rule whose AS set holds
  // every ASN of `asns`; never for an empty span (docs/method.md defect 2).
  struct AsRelabel {
    std::string_view id;
    std::string_view reason;
  };
  std::optional<AsRelabel> relabel_by_as(std::span<const std::uint32_t> asns) const;

  // Banner/EHLO FQDNs that are never evidence (blocklist notices): true when the
  // name equals or lies under one of the configured suffixes.
  bool is_ignored_banner_name(std::string_view fqdn) const noexcept;

  // Banner token override (the reference's `bosimpinc` -> eigbox.net): the ID
  // forced by a configured substring of a reply's candidate token.
  std::optional<std::string_view> token_override(std::string_view token) const noexcept;

  // VPS classification of a lower-case name whose registered domain is `rd`.
  // RDs without rules are dedicated.
  NameClass classify(std::string_view name, std::string_view rd, NameSource source) const;

  // Number of VPS rules loaded (for reports and tests).
  std::size_t vps_rule_count() const noexcept;

  // The [[vps]] blocks in file order, and the index (in its block) of the rule
  // that decides `name`: nullopt when no rule matches (the block's otherwise)
  // or `rd` has no block for `source`.
  const std::vector<VpsBlock>& vps_blocks() const noexcept;
  std::optional<std::size_t> deciding_rule(std::string_view name, std::string_view rd,
                                           NameSource source) const;

  const std::string& origin() const noexcept;

  struct State;  // opaque: defined in catalog.cpp

 private:
  explicit Catalog(std::shared_ptr<const State> state);
  std::shared_ptr<const State> state_;
};

}  // namespace mxscan
