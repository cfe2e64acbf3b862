// The store of a Batch: add() (interning, the compact HostState, duplicate host
// records) and the per-name caches. Why it is shaped so: batch_store.hpp.
#include "batch_store.hpp"

#include <algorithm>
#include <tuple>

#include "mxscan/inference/reply_identity.hpp"

namespace mxscan::detail {
namespace {

// The name lower-cased without its trailing dot; a view of `name` itself when
// it already is (the scanner writes normalised names), else of `buffer`.
std::string_view normalised(std::string_view name, std::string& buffer) {
  bool clean = name.empty() || name.back() != '.';
  for (char c : name) clean = clean && !(c >= 'A' && c <= 'Z');
  if (clean) return name;
  buffer = normalise_name(name);
  return buffer;
}

}  // namespace

// ---- interning with per-name caches ----------------------------------------------------

std::uint32_t BatchStore::intern_name(std::string_view s) {
  bool added = false;
  auto id = names.intern(s, &added);
  if (added) {
    rd_of_name.push_back(kNotComputed);
    suffix_of_name.push_back(kSuffixUnknown);
    company_of_name.push_back(kNotComputed);
  }
  return id;
}

// Whether a name is a public suffix (kSuffix / kNotSuffix), or kNotPlain when
// PublicSuffixList only answers through registered_domain(); computed once per name.
std::uint8_t BatchStore::suffix_state(std::uint32_t name) {
  if (suffix_of_name[name] == kSuffixUnknown) suffix_of_name[name] = plain_state(names.view(name));
  return suffix_of_name[name];
}

std::uint8_t BatchStore::plain_state(std::string_view name) const {
  const auto answer = psl.public_suffix_if_plain(name);
  return !answer ? kNotPlain : *answer ? kSuffix : kNotSuffix;
}

std::uint32_t BatchStore::compute_rd(std::uint32_t name) {
  const std::uint32_t result = rd_of_text(names.view(name), name);
  rd_of_name[name] = result;  // intern_name may have grown the vector: index again
  return result;
}

// RD of a name (PSL lookups are the costly part): for plain names from the
// parent's answers (PublicSuffixList::public_suffix_if_plain), so
// mail.example.com costs one lookup once example.com or com is known, and the
// thousands of names under one provider (x.mail.protection.outlook.com) one each.
// `self` is the name's id, or kNone for a name not interned (an exchange's:
// millions in a large batch, most with their parent as RD), which is then
// interned only when it is its own RD.
std::uint32_t BatchStore::rd_of_text(std::string_view spelled, std::uint32_t self) {
  const auto dot = spelled.find('.');
  std::uint32_t result = kNotComputed;  // kNotComputed below: ask registered_domain()
  if (spelled.starts_with("*.")) {
    // A wildcard keeps the RD of what it covers (*.google.com -> google.com), and
    // "*.co.uk" covers a suffix: no RD.
    return rd_of(intern_name(spelled.substr(2)));
  }
  const std::uint8_t own = dot == std::string_view::npos ? kSuffix
                           : self != kNone               ? suffix_state(self)
                                                         : plain_state(spelled);
  if (own == kSuffix) {
    result = kNone;  // a single label or a public suffix has no RD
  } else if (own == kNotSuffix) {
    const std::uint32_t parent = intern_name(spelled.substr(dot + 1));
    const std::uint8_t above = suffix_state(parent);
    if (above == kSuffix) {
      // The name itself, when its TLD is listed (registered_domain's rule: "ac.za"
      // is a suffix but "za" is not, so x.ac.za has none).
      const std::uint32_t tld = intern_name(spelled.substr(spelled.rfind('.') + 1));
      result = suffix_state(tld) != kSuffix ? kNone : self != kNone ? self : intern_name(spelled);
    } else if (above == kNotSuffix) {
      result = rd_of(parent);
    }
  }
  if (result == kNotComputed) {  // not plain, or its parent is not
    const std::string rd = psl.registered_domain(spelled);
    result = rd.empty() ? kNone : intern_name(rd);
  }
  return result;
}

std::uint32_t BatchStore::compute_company(std::uint32_t id) {
  auto c = catalog.company_index(names.view(id));
  company_of_name[id] = c ? static_cast<std::uint32_t>(*c + 1) : 0;
  return company_of_name[id];
}

std::uint32_t BatchStore::compute_exchange_rd(std::uint32_t ex) {
  std::uint32_t result = kNone;
  auto name = exchanges.view(ex);
  if (!is_ip_literal(name)) {
    const auto id = names.find(name);
    result = id ? rd_of(*id) : rd_of_text(name, kNone);
  }
  rd_of_exchange[ex] = result;
  return result;
}

std::uint32_t BatchStore::intern_address(std::string_view a) {
  bool added = false;
  auto id = addresses.intern(a, &added);
  if (added) hosts.emplace_back();
  return id;
}

// ---- add() -------------------------------------------------------------------------------

void BatchStore::add_domain(const DomainObs& d, BatchStats& stats, bool keep_text) {
  ++stats.domain_records;
  DomainRec r;
  r.name = keep_text ? text.store(d.domain) : std::string_view(d.domain);
  r.error = keep_text ? text.store(d.error) : std::string_view(d.error);
  r.line = d.line;
  r.status = d.mx_status;
  r.mx_begin = static_cast<std::uint32_t>(mxs.size());
  std::string buffer;
  for (const auto& m : d.mx) {
    MxRec rec;
    auto ex = normalised(m.exchange, buffer);
    if (!ex.empty()) {
      bool added = false;
      rec.exchange = exchanges.intern(ex, &added);
      if (added) rd_of_exchange.push_back(kNotComputed);
    }
    rec.preference = m.preference;
    rec.addr_status = m.addr_status;
    rec.addr_begin = static_cast<std::uint32_t>(mx_addrs.size());
    for (const auto& a : m.addresses) {
      auto id = intern_address(a);
      hosts[id].bits |= HostState::kReferenced;
      mx_addrs.push_back(id);
    }
    rec.addr_count = static_cast<std::uint32_t>(mx_addrs.size()) - rec.addr_begin;
    mxs.push_back(rec);
  }
  r.mx_count = static_cast<std::uint32_t>(mxs.size()) - r.mx_begin;
  if (auto facts = signal_facts(d, catalog, psl)) {
    r.signals = static_cast<std::uint32_t>(signals.size());
    signals.push_back(std::move(*facts));
  }
  domains.push_back(r);
}

void BatchStore::count_hosts(BatchStats& stats) const {
  for (const auto& h : hosts) {
    if (h.has(HostState::kPresent) && !h.has(HostState::kReferenced)) ++stats.unreferenced_hosts;
    if (!h.has(HostState::kPresent) && h.has(HostState::kReferenced)) ++stats.missing_hosts;
  }
  stats.unique_exchanges = exchanges.size();
  stats.unique_addresses = addresses.size();
}

void BatchStore::truncate_domains(std::uint32_t count) {
  if (domains.size() <= count) return;
  const std::uint32_t first_mx = domains[count].mx_begin;
  if (first_mx < mxs.size()) mx_addrs.resize(mxs[first_mx].addr_begin);
  mxs.resize(first_mx);
  for (std::size_t i = count; i < domains.size(); ++i) {
    if (domains[i].signals != kNone) {
      signals.resize(domains[i].signals);  // appended in domain order
      break;
    }
  }
  domains.resize(count);
}

// Interns a trusted certificate's names; kNone when none has an RD.
std::uint32_t BatchStore::intern_certificate(const CertificateInfo& leaf) {
  std::vector<std::uint32_t> ids;
  auto take = [&](std::string_view raw) {
    std::string n = normalise_name(raw);
    if (n.empty() || is_ip_literal(n)) return;
    auto id = intern_name(n);
    if (rd_of(id) != kNone) ids.push_back(id);
  };
  // Subject CN only when it looks like a host name (has a dot), plus every SAN.
  if (leaf.subject_cn.find('.') != std::string::npos) take(leaf.subject_cn);
  for (const auto& san : leaf.sans) take(san);
  if (ids.empty()) return kNone;
  std::sort(ids.begin(), ids.end(),
            [&](std::uint32_t a, std::uint32_t b) { return names.view(a) < names.view(b); });
  ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
  std::string key;
  for (auto id : ids) {
    key.append(names.view(id));
    key.push_back('\n');
  }
  bool added = false;
  auto cert = cert_keys.intern(key, &added);
  if (added) {
    cert_names.insert(cert_names.end(), ids.begin(), ids.end());
    cert_name_begin.push_back(static_cast<std::uint32_t>(cert_names.size()));
    std::vector<std::uint32_t> rds;
    rds.reserve(ids.size());
    for (auto id : ids) rds.push_back(rd_of(id));
    std::sort(rds.begin(), rds.end());
    rds.erase(std::unique(rds.begin(), rds.end()), rds.end());
    cert_rds.insert(cert_rds.end(), rds.begin(), rds.end());
    cert_rd_begin.push_back(static_cast<std::uint32_t>(cert_rds.size()));
  }
  return cert;
}

void BatchStore::identify(std::string_view reply, std::uint32_t& fqdn, std::uint32_t& id) {
  if (reply.empty()) return;
  std::uint32_t name = kNone, rd = kNone;
  auto identity = identify_reply_with(reply, catalog, [&](std::string_view text_of_name) {
    name = intern_name(text_of_name);
    rd = rd_of(name);
    return rd == kNone ? std::string() : std::string(names.view(rd));
  });
  if (identity.kind == ReplyIdentity::Kind::fqdn) {
    fqdn = name;
    id = rd;
  } else if (identity.kind == ReplyIdentity::Kind::override) {
    id = intern_name(identity.id);
  }
}

HostState BatchStore::compact(const HostObs& h) {
  HostState s;
  s.bits = HostState::kPresent;
  if (h.status == SmtpStatus::blocked) s.bits |= HostState::kBlocked;
  if (h.asn) {
    s.bits |= HostState::kHasAsn;
    s.asn = *h.asn;
  }
  bool contacted = h.status != SmtpStatus::blocked && h.status != SmtpStatus::not_contacted;
  bool has_cert = h.tls && (!h.tls->chain_der.empty() || !h.tls->leaf.sha256.empty() ||
                            !h.tls->leaf.subject_cn.empty() || !h.tls->leaf.sans.empty());
  bool live =
      contacted && (!h.banner.empty() || !h.ehlo.empty() || !h.ehlo_tls.empty() || has_cert);
  if (!live) return s;  // nothing of a dead host is evidence
  s.bits |= HostState::kLive;
  identify(h.banner, s.banner_fqdn, s.banner_id);
  // The EHLO reply before TLS; the one after TLS when the server only answered that.
  identify(h.ehlo.empty() ? std::string_view(h.ehlo_tls) : std::string_view(h.ehlo), s.ehlo_fqdn,
           s.ehlo_id);
  if (has_cert && h.tls->trusted) s.cert = intern_certificate(h.tls->leaf);
  return s;
}

// A total order on host states, so a duplicate HostObs is resolved the same
// way whatever the arrival order: more evidence first, then by text.
bool BatchStore::better(const HostState& a, const HostState& b) const {
  auto rank = [](const HostState& s) {
    return std::tuple(s.has(HostState::kLive), !s.has(HostState::kBlocked), s.cert != kNone,
                      s.banner_id != kNone, s.ehlo_id != kNone, s.has(HostState::kHasAsn));
  };
  if (rank(a) != rank(b)) return rank(a) > rank(b);
  auto text_of = [&](std::uint32_t id) {
    return id == kNone ? std::string_view() : names.view(id);
  };
  auto cert_text = [&](std::uint32_t id) {
    return id == kNone ? std::string_view() : cert_keys.view(id);
  };
  auto key = [&](const HostState& s) {
    return std::tuple(text_of(s.banner_fqdn), text_of(s.banner_id), text_of(s.ehlo_fqdn),
                      text_of(s.ehlo_id), cert_text(s.cert), s.asn);
  };
  return key(a) < key(b);
}

void BatchStore::add_host(const HostObs& h, BatchStats& stats) {
  ++stats.host_records;
  if (!is_ip_literal(h.address)) {
    ++stats.bad_hosts;
    return;
  }
  auto state = compact(h);
  auto id = intern_address(h.address);
  auto& slot = hosts[id];
  auto referenced = static_cast<std::uint8_t>(slot.bits & HostState::kReferenced);
  if (slot.has(HostState::kPresent)) {
    ++stats.duplicate_hosts;
    if (!better(state, slot)) return;
  }
  slot = state;
  slot.bits |= referenced;
}

}  // namespace mxscan::detail
