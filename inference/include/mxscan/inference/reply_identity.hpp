// The provider evidence of one banner or EHLO reply (docs/method.md FQDN rules 1-6).
//
// Design note. Computed once per host at Batch::add() time so that replies are
// never kept: the result is the FQDN (for the VPS pattern check and reports) and
// the provider ID (its registered domain, or a configured token override).
// Candidates are tried in the method's order; the first syntactically valid one
// decides, so a valid FQDN without a registered domain (mail.local) yields no
// ID rather than falling through to another word.
#pragma once

#include <string>
#include <string_view>

#include "mxscan/common/names.hpp"
#include "mxscan/inference/catalog.hpp"
#include "mxscan/inference/fqdn_extractor.hpp"

namespace mxscan {

struct ReplyIdentity {
  enum class Kind : std::uint8_t {
    none,      // no valid candidate
    fqdn,      // a valid FQDN; `id` is its RD (empty: public suffix or unknown TLD)
    ignored,   // a valid FQDN under an ignored suffix (blocklist notice): no ID
    override,  // a token override matched: `id` set, `fqdn` empty
  };
  Kind kind = Kind::none;
  std::string fqdn;  // lower case
  std::string id;    // provider ID evidence; empty when none

  bool operator==(const ReplyIdentity&) const = default;
};

ReplyIdentity identify_reply(std::string_view reply, const Catalog& catalog,
                             const PublicSuffixList& psl);

// Same with the registered domain supplied by `rd_of(fqdn) -> std::string`
// (the Batch passes its per-name cache).
template <typename RdOf>
ReplyIdentity identify_reply_with(std::string_view reply, const Catalog& catalog, RdOf&& rd_of) {
  ReplyIdentity out;
  for (auto candidate : reply_candidates(reply)) {
    // Rule 5: a configured token (the reference's `bosimpinc`) names the provider.
    if (auto id = catalog.token_override(candidate)) {
      out.kind = ReplyIdentity::Kind::override;
      out.id = std::string(*id);
      return out;
    }
    if (!is_valid_fqdn(candidate)) continue;  // rule 2: try the next candidate
    std::string fqdn = normalise_name(candidate);
    // Rule 4: blocklist and rejection notices aimed at the scanner.
    if (catalog.is_ignored_banner_name(fqdn)) {
      out.kind = ReplyIdentity::Kind::ignored;
      out.fqdn = std::move(fqdn);
      return out;
    }
    // Rule 6: only a name with a registered domain is provider evidence.
    out.kind = ReplyIdentity::Kind::fqdn;
    out.id = rd_of(std::string_view(fqdn));
    out.fqdn = std::move(fqdn);
    return out;
  }
  return out;
}

}  // namespace mxscan
