// Steps 2-4 for one MX: candidates with scores, the checks, the fallback. Why it
// is shaped so: provider_id.hpp.
#include "provider_id.hpp"

#include <algorithm>

namespace mxscan::detail {

// ---- steps 2 and 3: one candidate per source -----------------------------------------------

std::optional<Candidate> ProviderIds::tls_candidate(std::span<const std::uint32_t> live_ips) const {
  Candidate c{Source::tls, kNone, 1};
  std::uint64_t ip_max = 0;
  for (auto a : live_ips) {
    auto cert = store_.hosts[a].cert;
    if (cert == kNone) continue;  // neither votes nor vetoes
    auto g = sets_.cert_group[cert];
    if (c.id == kNone) {
      c.id = g;
    } else if (c.id != g) {
      return std::nullopt;  // disagreement: next source
    }
    ip_max = std::max(ip_max, sets_.cnt_ip[a]);
  }
  if (c.id == kNone) return std::nullopt;
  c.score = std::max<std::uint64_t>({1, ip_max, sets_.cnt_cert_rd[c.id]});
  return c;
}

std::optional<Candidate> ProviderIds::banner_candidate(
    std::uint32_t ex, std::span<const std::uint32_t> live_ips) const {
  Candidate c{Source::banner, kNone, 1};
  std::uint64_t ip_max = 0;
  for (auto a : live_ips) {
    const auto& h = store_.hosts[a];
    bool voted = false;
    for (auto id : {h.banner_id, h.ehlo_id}) {
      if (id == kNone) continue;
      if (c.id == kNone) {
        c.id = id;
      } else if (c.id != id) {
        return std::nullopt;
      }
      voted = true;
    }
    if (voted) ip_max = std::max(ip_max, sets_.cnt_ip[a]);
  }
  if (c.id == kNone) return std::nullopt;
  c.score = std::max<std::uint64_t>({1, ip_max, sets_.cnt_mx[ex]});
  return c;
}

// ---- step 4: misidentification checks ------------------------------------------------------

// True when there is at least one name and every one is VPS-named (names of
// other companies' RDs do not speak for this ID and are left out).
bool ProviderIds::all_vps(const std::vector<std::uint32_t>& candidates, std::uint32_t company,
                          NameSource source, std::string* example) {  // example: required
  bool any = false;
  for (auto n : candidates) {
    auto rd = store_.rd_of(n);
    if (rd == kNone || store_.company_plus1(rd) != company) continue;
    if (store_.catalog.classify(store_.text_of(n), store_.text_of(rd), source) != NameClass::vps) {
      return false;
    }
    // The example is the smallest name, whatever the arrival order.
    if (!any || store_.text_of(n) < *example) *example = std::string(store_.text_of(n));
    any = true;
  }
  return any;
}

// Step 4 for one candidate (its score is below the threshold).
ProviderIds::Verdict ProviderIds::check(const Candidate& c,
                                        std::span<const std::uint32_t> live_ips) {
  const auto& hosts = store_.hosts;
  const auto& catalog = store_.catalog;
  Verdict v;
  auto company = store_.company_plus1(c.id);
  // 1. AS check (not for MX-sourced IDs).
  if (c.source != Source::mx) {
    if (company != 0) {
      // Ids follow arrival order: the reason names the smallest offending address.
      std::uint32_t offender = kNone;
      for (auto a : live_ips) {
        const auto& h = hosts[a];
        if (h.has(HostState::kHasAsn) && !catalog.company_has_asn(company - 1, h.asn) &&
            (offender == kNone || store_.addresses.view(a) < store_.addresses.view(offender))) {
          offender = a;
        }
      }
      if (offender != kNone) {
        v.flag = Flag::unseen_as;
        v.reason = "live IP " + std::string(store_.addresses.view(offender)) + " is in AS" +
                   std::to_string(hosts[offender].asn) + ", not one of " +
                   catalog.companies()[company - 1].name + "'s ASes";
        return v;
      }
    } else {
      std::vector<std::uint32_t> asns;
      for (auto a : live_ips) {
        if (hosts[a].has(HostState::kHasAsn)) asns.push_back(hosts[a].asn);
      }
      if (auto relabel = catalog.relabel_by_as(asns)) {
        v.corrected = store_.intern_name(relabel->id);
        v.reason = std::string(relabel->reason);
        return v;
      }
    }
  }
  if (company == 0) return v;
  // 2. Banner pattern: every banner/EHLO FQDN of the live IPs is VPS-named.
  if (c.source == Source::banner) {
    std::vector<std::uint32_t> fqdns;
    for (auto a : live_ips) {
      if (hosts[a].banner_fqdn != kNone) fqdns.push_back(hosts[a].banner_fqdn);
      if (hosts[a].ehlo_fqdn != kNone) fqdns.push_back(hosts[a].ehlo_fqdn);
    }
    std::string example;
    if (all_vps(fqdns, company, NameSource::banner, &example)) {
      v.flag = Flag::vps;
      v.reason = "banner/EHLO name " + example + " is a VPS name of " +
                 catalog.companies()[company - 1].name;
    }
  }
  // 3. Certificate pattern: every certificate name behind the ID is VPS-named.
  if (c.source == Source::tls) {
    std::vector<std::uint32_t> cert_name_ids;
    for (auto a : live_ips) {
      auto cert = hosts[a].cert;
      if (cert == kNone) continue;
      cert_name_ids.insert(cert_name_ids.end(),
                           store_.cert_names.begin() + store_.cert_name_begin[cert],
                           store_.cert_names.begin() + store_.cert_name_begin[cert + 1]);
    }
    std::string example;
    if (all_vps(cert_name_ids, company, NameSource::certificate, &example)) {
      v.flag = Flag::vps;
      v.reason = "certificate name " + example + " is a VPS name of " +
                 catalog.companies()[company - 1].name;
    }
  }
  return v;
}

// ---- the first source whose ID is not flagged wins -----------------------------------------

ProviderAssignment ProviderIds::assign(std::uint32_t ex, std::span<const std::uint32_t> live_ips) {
  std::vector<Candidate> candidates;
  if (auto c = tls_candidate(live_ips)) candidates.push_back(*c);
  if (auto c = banner_candidate(ex, live_ips)) candidates.push_back(*c);
  candidates.push_back(Candidate{Source::mx, store_.exchange_rd(ex), 1});

  ProviderAssignment pa;
  pa.mx = std::string(store_.exchanges.view(ex));
  pa.live_ips = static_cast<std::uint32_t>(live_ips.size());
  for (const auto& c : candidates) {
    if (c.id == kNone) {
      // Only the MX source can lack an ID: the exchange has no registered domain.
      pa.source = c.source;
      pa.score = c.score;
      pa.reason = "MX name " + pa.mx + " has no registered domain";
      break;
    }
    Verdict v;
    if (c.score < options_.misidentification_threshold) v = check(c, live_ips);
    if (v.flag && !pa.flag) {
      pa.flag = v.flag;
      pa.flag_reason = v.reason;
      pa.original_id = std::string(store_.text_of(c.id));
    }
    if (v.flag && !options_.keep_flagged) continue;  // fall back to the next source
    pa.source = c.source;
    pa.score = c.score;
    if (v.flag) {  // kept on request: the flagged ID itself
      pa.id = std::string(store_.text_of(c.id));
      pa.original_id.reset();
    } else if (v.corrected != kNone) {
      pa.id = std::string(store_.text_of(v.corrected));
      if (!pa.original_id) pa.original_id = std::string(store_.text_of(c.id));
      pa.flag_reason = pa.flag_reason.empty() ? v.reason : pa.flag_reason + "; then " + v.reason;
    } else {
      pa.id = std::string(store_.text_of(c.id));
    }
    break;
  }
  if (!pa.id.empty()) {
    if (auto company = store_.company_plus1(store_.names.find(pa.id).value_or(kNone));
        company != 0) {
      pa.company = store_.catalog.companies()[company - 1].name;
    }
  }
  return pa;
}

ProviderAssignment ProviderIds::assign_cached(std::uint32_t ex,
                                              std::span<const std::uint32_t> live_ips) {
  if (sets_.cnt_mx[ex] < 2) return assign(ex, live_ips);
  auto it = memo_.find(ex);
  if (it != memo_.end() && std::equal(it->second.live.begin(), it->second.live.end(),
                                      live_ips.begin(), live_ips.end())) {
    return it->second.assignment;
  }
  auto pa = assign(ex, live_ips);
  if (it == memo_.end()) memo_.emplace(ex, Memo{{live_ips.begin(), live_ips.end()}, pa});
  return pa;
}

}  // namespace mxscan::detail
