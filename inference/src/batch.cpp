#include "mxscan/inference/batch.hpp"

#include <algorithm>
#include <limits>
#include <stdexcept>
#include <tuple>
#include <unordered_map>

#include "mxscan/common/hash.hpp"
#include "mxscan/common/names.hpp"
#include "mxscan/inference/cert_groups.hpp"
#include "mxscan/inference/reply_identity.hpp"
#include "string_pool.hpp"

namespace mxscan::inference {
namespace {

using detail::Arena;
using detail::StringPool;

constexpr std::uint32_t kNone = std::numeric_limits<std::uint32_t>::max();
constexpr std::uint32_t kNotComputed = kNone - 1;

// What the method keeps of one HostObs: ids into the name pool, never text.
struct HostState {
  std::uint32_t banner_fqdn = kNone;  // valid banner FQDN (pattern check, reports)
  std::uint32_t banner_id = kNone;    // its RD or a token override: provider evidence
  std::uint32_t ehlo_fqdn = kNone;
  std::uint32_t ehlo_id = kNone;
  std::uint32_t cert = kNone;  // trusted certificate with at least one named RD
  std::uint32_t asn = 0;
  std::uint8_t bits = 0;

  static constexpr std::uint8_t kPresent = 1, kLive = 2, kBlocked = 4, kHasAsn = 8, kReferenced = 16;
  bool has(std::uint8_t b) const noexcept { return (bits & b) != 0; }
};

struct MxRec {
  std::uint32_t exchange = kNone;  // kNone: the null MX "."
  std::uint16_t preference = 0;
  DnsStatus addr_status = DnsStatus::not_queried;
  std::uint32_t addr_begin = 0;
  std::uint32_t addr_count = 0;
};

struct DomainRec {
  std::string_view name;
  std::string_view error;
  std::uint64_t line = 0;
  std::uint32_t mx_begin = 0;
  std::uint32_t mx_count = 0;
  DnsStatus status = DnsStatus::not_queried;
  bool dropped = false;  // a duplicate of a kept record
};

// One MX of a primary set: its exchange and its live addresses (sorted ids).
struct PrimaryMx {
  std::uint32_t exchange = kNone;
  std::uint32_t live_begin = 0;
  std::uint32_t live_count = 0;
};

// A provider ID candidate of one source for one MX (steps 2 and 3).
struct Candidate {
  Source source = Source::mx;
  std::uint32_t id = kNone;  // name id; kNone: no ID
  std::uint64_t score = 1;
};

bool dns_failure(DnsStatus s) {
  switch (s) {
    case DnsStatus::servfail:
    case DnsStatus::refused:
    case DnsStatus::timeout:
    case DnsStatus::error:
    case DnsStatus::cname_loop:
    case DnsStatus::not_queried:
      return true;
    default:
      return false;
  }
}

}  // namespace

struct Batch::Impl {
  const Catalog& catalog;
  const PublicSuffixList& psl;
  Options options;
  bool spent = false;
  BatchStats stats;

  // Interned strings and what is cached per string.
  StringPool names;          // FQDNs, certificate names, RDs, IDs
  std::vector<std::uint32_t> rd_of_name;       // names id -> RD names id (kNone: no RD)
  static constexpr std::uint8_t kSuffixUnknown = 0, kSuffix = 1, kNotSuffix = 2, kNotPlain = 3;
  std::vector<std::uint8_t> suffix_of_name;    // names id -> kSuffix, kNotSuffix, kNotPlain
  std::vector<std::uint32_t> company_of_name;  // names id -> company index + 1 (0: none)
  StringPool exchanges;
  std::vector<std::uint32_t> rd_of_exchange;
  StringPool addresses;
  std::vector<HostState> hosts;  // per address id
  StringPool cert_keys;          // sorted names joined by '\n' -> certificate id
  std::vector<std::uint32_t> cert_name_begin{0};  // certificate id -> range in cert_names
  std::vector<std::uint32_t> cert_names;
  std::vector<std::uint32_t> cert_rd_begin{0};    // certificate id -> range in cert_rds
  std::vector<std::uint32_t> cert_rds;            // unique RDs of the certificate's names

  Arena text;
  std::vector<DomainRec> domains;
  std::vector<MxRec> mxs;
  std::vector<std::uint32_t> mx_addrs;

  // State of finish().
  std::vector<std::uint64_t> cnt_mx, cnt_ip, cnt_cert_rd;
  std::vector<std::uint32_t> cert_group;  // certificate id -> group name (names id)
  struct Memo {
    std::vector<std::uint32_t> live;
    ProviderAssignment assignment;
  };
  std::unordered_map<std::uint32_t, Memo> memo;  // per exchange shared by several domains

  Impl(const Catalog& c, const PublicSuffixList& p, Options o) : catalog(c), psl(p), options(o) {}

  // ---- interning with per-name caches ----------------------------------------------------

  std::uint32_t intern_name(std::string_view s) {
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
  std::uint8_t suffix_state(std::uint32_t name) {
    if (suffix_of_name[name] == kSuffixUnknown) {
      const auto answer = psl.public_suffix_if_plain(names.view(name));
      suffix_of_name[name] = !answer ? kNotPlain : *answer ? kSuffix : kNotSuffix;
    }
    return suffix_of_name[name];
  }

  // RD of a name, computed once per unique name (PSL lookups are the costly part):
  // for plain names from the parent's answers (PublicSuffixList::public_suffix_if_plain),
  // so mail.example.com costs one lookup once example.com or com is known, and the
  // thousands of names under one provider (x.mail.protection.outlook.com) one each.
  std::uint32_t rd_of(std::uint32_t name) {
    if (rd_of_name[name] != kNotComputed) return rd_of_name[name];
    const std::string_view spelled = names.view(name);  // pool views stay valid while the pool grows
    const auto dot = spelled.find('.');
    std::uint32_t result = kNotComputed;  // kNotComputed below: ask registered_domain()
    if (spelled.starts_with("*.")) {
      // A wildcard keeps the RD of what it covers (*.google.com -> google.com), and
      // "*.co.uk" covers a suffix: no RD.
      result = rd_of(intern_name(spelled.substr(2)));
    } else if (dot == std::string_view::npos || suffix_state(name) == kSuffix) {
      result = kNone;  // a single label or a public suffix has no RD
    } else if (suffix_state(name) == kNotSuffix) {
      const std::uint32_t parent = intern_name(spelled.substr(dot + 1));
      const std::uint8_t above = suffix_state(parent);
      if (above == kSuffix) {
        // The name itself, when its TLD is listed (registered_domain's rule: "ac.za"
        // is a suffix but "za" is not, so x.ac.za has none).
        const std::uint32_t tld = intern_name(spelled.substr(spelled.rfind('.') + 1));
        result = suffix_state(tld) == kSuffix ? name : kNone;
      } else if (above == kNotSuffix) {
        result = rd_of(parent);
      }
    }
    if (result == kNotComputed) {  // not plain, or its parent is not
      const std::string rd = psl.registered_domain(spelled);
      result = rd.empty() ? kNone : intern_name(rd);
    }
    rd_of_name[name] = result;  // intern_name may have grown the vector: index again
    return result;
  }

  // Company index + 1 of an ID (0: none), cached per name.
  std::uint32_t company_plus1(std::uint32_t id) {
    if (id == kNone) return 0;
    if (company_of_name[id] != kNotComputed) return company_of_name[id];
    auto c = catalog.company_index(names.view(id));
    company_of_name[id] = c ? static_cast<std::uint32_t>(*c + 1) : 0;
    return company_of_name[id];
  }

  std::uint32_t exchange_rd(std::uint32_t ex) {
    if (rd_of_exchange[ex] != kNotComputed) return rd_of_exchange[ex];
    std::uint32_t result = kNone;
    auto name = exchanges.view(ex);
    if (!is_ip_literal(name)) result = rd_of(intern_name(name));
    rd_of_exchange[ex] = result;
    return result;
  }

  std::uint32_t intern_address(std::string_view a) {
    bool added = false;
    auto id = addresses.intern(a, &added);
    if (added) hosts.emplace_back();
    return id;
  }

  // ---- add() -------------------------------------------------------------------------------

  // The name lower-cased without its trailing dot; a view of `name` itself when
  // it already is (the scanner writes normalised names), else of `buffer`.
  static std::string_view normalised(std::string_view name, std::string& buffer) {
    bool clean = name.empty() || name.back() != '.';
    for (char c : name) clean = clean && !(c >= 'A' && c <= 'Z');
    if (clean) return name;
    buffer = normalise_name(name);
    return buffer;
  }

  void add_domain(const DomainObs& d) {
    ++stats.domain_records;
    DomainRec r;
    r.name = text.store(d.domain);
    r.error = text.store(d.error);
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
    domains.push_back(r);
  }

  // Interns a trusted certificate's names; kNone when none has an RD.
  std::uint32_t intern_certificate(const CertificateInfo& leaf) {
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

  void identify(std::string_view reply, std::uint32_t& fqdn, std::uint32_t& id) {
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

  HostState compact(const HostObs& h) {
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
    bool live = contacted && (!h.banner.empty() || !h.ehlo.empty() || !h.ehlo_tls.empty() || has_cert);
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
  bool better(const HostState& a, const HostState& b) const {
    auto rank = [](const HostState& s) {
      return std::tuple(s.has(HostState::kLive), !s.has(HostState::kBlocked), s.cert != kNone,
                        s.banner_id != kNone, s.ehlo_id != kNone, s.has(HostState::kHasAsn));
    };
    if (rank(a) != rank(b)) return rank(a) > rank(b);
    auto text_of = [&](std::uint32_t id) { return id == kNone ? std::string_view() : names.view(id); };
    auto cert_text = [&](std::uint32_t id) { return id == kNone ? std::string_view() : cert_keys.view(id); };
    auto key = [&](const HostState& s) {
      return std::tuple(text_of(s.banner_fqdn), text_of(s.banner_id), text_of(s.ehlo_fqdn),
                        text_of(s.ehlo_id), cert_text(s.cert), s.asn);
    };
    return key(a) < key(b);
  }

  void add_host(const HostObs& h) {
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

  // ---- finish() ----------------------------------------------------------------------------

  // Deterministic choice among records of the same domain: lowest line, then the
  // most informative record, then the content itself.
  bool keep_first(const DomainRec& a, const DomainRec& b) const {
    if (a.line != b.line) return a.line < b.line;
    bool aok = a.status == DnsStatus::ok, bok = b.status == DnsStatus::ok;
    if (aok != bok) return aok;
    if (a.status != b.status) return a.status < b.status;
    if (a.mx_count != b.mx_count) return a.mx_count > b.mx_count;
    for (std::uint32_t i = 0; i < a.mx_count; ++i) {
      const auto& x = mxs[a.mx_begin + i];
      const auto& y = mxs[b.mx_begin + i];
      auto ex = [&](const MxRec& m) { return m.exchange == kNone ? std::string_view() : exchanges.view(m.exchange); };
      if (ex(x) != ex(y)) return ex(x) < ex(y);
      if (x.preference != y.preference) return x.preference < y.preference;
      if (x.addr_count != y.addr_count) return x.addr_count > y.addr_count;
      for (std::uint32_t j = 0; j < x.addr_count; ++j) {
        auto ax = addresses.view(mx_addrs[x.addr_begin + j]);
        auto ay = addresses.view(mx_addrs[y.addr_begin + j]);
        if (ax != ay) return ax < ay;
      }
    }
    return a.error < b.error;
  }

  // Kept records in (line, name) order; duplicates of a name dropped (counted).
  std::vector<std::uint32_t> ordered_domains() {
    // Duplicates: sort (hash of name, index) pairs, then compare names only
    // within runs of equal hashes.
    std::vector<std::pair<std::uint64_t, std::uint32_t>> by_hash(domains.size());
    for (std::uint32_t i = 0; i < domains.size(); ++i) by_hash[i] = {fnv1a_64(domains[i].name), i};
    std::sort(by_hash.begin(), by_hash.end());
    for (std::size_t i = 0; i < by_hash.size();) {
      std::size_t j = i + 1;
      while (j < by_hash.size() && by_hash[j].first == by_hash[i].first) ++j;
      if (j - i > 1) drop_duplicates(by_hash, i, j);
      i = j;
    }
    std::vector<std::pair<std::uint64_t, std::uint32_t>> by_line;
    by_line.reserve(domains.size());
    for (std::uint32_t i = 0; i < domains.size(); ++i) {
      if (!domains[i].dropped) by_line.emplace_back(domains[i].line, i);
    }
    auto less = [&](const auto& a, const auto& b) {
      if (a.first != b.first) return a.first < b.first;
      return domains[a.second].name < domains[b.second].name;
    };
    if (!std::is_sorted(by_line.begin(), by_line.end(), less)) std::sort(by_line.begin(), by_line.end(), less);
    std::vector<std::uint32_t> order;
    order.reserve(by_line.size());
    for (const auto& p : by_line) order.push_back(p.second);
    return order;
  }

  // Within records [i, j) of equal hash, keep one record per distinct name.
  void drop_duplicates(const std::vector<std::pair<std::uint64_t, std::uint32_t>>& by_hash, std::size_t i,
                       std::size_t j) {
    std::vector<std::uint32_t> run;
    for (std::size_t k = i; k < j; ++k) run.push_back(by_hash[k].second);
    std::sort(run.begin(), run.end(), [&](std::uint32_t a, std::uint32_t b) {
      if (domains[a].name != domains[b].name) return domains[a].name < domains[b].name;
      return keep_first(domains[a], domains[b]);
    });
    for (std::size_t k = 1; k < run.size(); ++k) {
      if (domains[run[k]].name == domains[run[k - 1]].name) {
        domains[run[k]].dropped = true;
        ++stats.duplicate_domains;
      }
    }
  }

  bool is_null_mx(const DomainRec& d) const {
    if (d.status == DnsStatus::null_mx) return true;
    return d.status == DnsStatus::ok && d.mx_count == 1 && mxs[d.mx_begin].exchange == kNone;
  }

  bool live(std::uint32_t addr) const {
    return hosts[addr].has(HostState::kPresent) && hosts[addr].has(HostState::kLive);
  }

  // P(d) of every domain that has a live MX, and the batch counts over it.
  std::vector<std::uint32_t> primary_begin;  // per domain record: range in primaries
  std::vector<PrimaryMx> primaries;
  std::vector<std::uint32_t> primary_live;

  void build_primary_sets(const std::vector<std::uint32_t>& order) {
    cnt_mx.assign(exchanges.size(), 0);
    cnt_ip.assign(addresses.size(), 0);
    primary_begin.assign(domains.size() + 1, 0);
    std::vector<char> cert_used(cert_keys.size(), 0);
    std::vector<std::uint32_t> domain_ips, domain_rds;
    std::vector<std::pair<std::string_view, std::uint32_t>> members;  // exchange text, mx index
    // Per-domain spans are written in processing order; primary_begin maps a
    // record to its span (start, count packed in two vectors).
    primary_count_.assign(domains.size(), 0);
    for (auto di : order) {
      const auto& d = domains[di];
      primary_begin[di] = static_cast<std::uint32_t>(primaries.size());
      if (d.status != DnsStatus::ok || is_null_mx(d) || d.mx_count == 0) continue;
      // p*: the lowest preference among live MXes.
      std::uint32_t best = kNone;
      for (std::uint32_t i = 0; i < d.mx_count; ++i) {
        const auto& m = mxs[d.mx_begin + i];
        if (m.exchange == kNone) continue;
        for (std::uint32_t j = 0; j < m.addr_count; ++j) {
          if (live(mx_addrs[m.addr_begin + j])) {
            best = std::min<std::uint32_t>(best, m.preference);
            break;
          }
        }
      }
      if (best == kNone) continue;
      members.clear();
      for (std::uint32_t i = 0; i < d.mx_count; ++i) {
        const auto& m = mxs[d.mx_begin + i];
        if (m.exchange != kNone && m.preference == best) {
          members.emplace_back(exchanges.view(m.exchange), d.mx_begin + i);
        }
      }
      std::sort(members.begin(), members.end());
      domain_ips.clear();
      for (std::size_t k = 0; k < members.size();) {
        // Records naming the same exchange twice merge into one MX of P(d).
        PrimaryMx p;
        p.exchange = mxs[members[k].second].exchange;
        p.live_begin = static_cast<std::uint32_t>(primary_live.size());
        std::size_t end = k;
        while (end < members.size() && members[end].first == members[k].first) {
          const auto& m = mxs[members[end].second];
          for (std::uint32_t j = 0; j < m.addr_count; ++j) {
            auto a = mx_addrs[m.addr_begin + j];
            if (live(a)) primary_live.push_back(a);
          }
          ++end;
        }
        std::sort(primary_live.begin() + p.live_begin, primary_live.end());
        primary_live.erase(std::unique(primary_live.begin() + p.live_begin, primary_live.end()),
                           primary_live.end());
        p.live_count = static_cast<std::uint32_t>(primary_live.size()) - p.live_begin;
        domain_ips.insert(domain_ips.end(), primary_live.begin() + p.live_begin, primary_live.end());
        ++cnt_mx[p.exchange];
        primaries.push_back(p);
        k = end;
      }
      primary_count_[di] = static_cast<std::uint32_t>(primaries.size()) - primary_begin[di];
      // Counts at most once per domain.
      std::sort(domain_ips.begin(), domain_ips.end());
      domain_ips.erase(std::unique(domain_ips.begin(), domain_ips.end()), domain_ips.end());
      domain_rds.clear();
      for (auto a : domain_ips) {
        ++cnt_ip[a];
        auto c = hosts[a].cert;
        if (c == kNone) continue;
        cert_used[c] = 1;
        domain_rds.insert(domain_rds.end(), cert_rds.begin() + cert_rd_begin[c],
                          cert_rds.begin() + cert_rd_begin[c + 1]);
      }
      std::sort(domain_rds.begin(), domain_rds.end());
      domain_rds.erase(std::unique(domain_rds.begin(), domain_rds.end()), domain_rds.end());
      if (cnt_cert_rd.size() < names.size()) cnt_cert_rd.resize(names.size(), 0);
      for (auto rd : domain_rds) ++cnt_cert_rd[rd];
    }
    cnt_cert_rd.resize(names.size(), 0);
    group_certificates(cert_used);
  }
  std::vector<std::uint32_t> primary_count_;

  void group_certificates(const std::vector<char>& cert_used) {
    CertificateGrouper grouper(names.size());
    std::vector<std::uint32_t> added;
    for (std::uint32_t c = 0; c < cert_used.size(); ++c) {
      if (!cert_used[c]) continue;
      grouper.add(std::span<const std::uint32_t>(cert_names.data() + cert_name_begin[c],
                                                 cert_name_begin[c + 1] - cert_name_begin[c]));
      added.push_back(c);
    }
    auto group_names = grouper.group_names(
        rd_of_name, cnt_cert_rd,
        [&](std::uint32_t a, std::uint32_t b) { return names.view(a) < names.view(b); });
    cert_group.assign(cert_keys.size(), kNone);
    for (std::size_t i = 0; i < added.size(); ++i) cert_group[added[i]] = group_names[i];
    stats.certificate_groups = grouper.group_count();
  }

  // ---- steps 2-4 for one MX ----------------------------------------------------------------

  std::string_view text_of(std::uint32_t name) const { return names.view(name); }

  std::optional<Candidate> tls_candidate(std::span<const std::uint32_t> live_ips) const {
    Candidate c{Source::tls, kNone, 1};
    std::uint64_t ip_max = 0;
    for (auto a : live_ips) {
      auto cert = hosts[a].cert;
      if (cert == kNone) continue;  // neither votes nor vetoes
      auto g = cert_group[cert];
      if (c.id == kNone) {
        c.id = g;
      } else if (c.id != g) {
        return std::nullopt;  // disagreement: next source
      }
      ip_max = std::max(ip_max, cnt_ip[a]);
    }
    if (c.id == kNone) return std::nullopt;
    c.score = std::max<std::uint64_t>({1, ip_max, cnt_cert_rd[c.id]});
    return c;
  }

  std::optional<Candidate> banner_candidate(std::uint32_t ex, std::span<const std::uint32_t> live_ips) const {
    Candidate c{Source::banner, kNone, 1};
    std::uint64_t ip_max = 0;
    for (auto a : live_ips) {
      const auto& h = hosts[a];
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
      if (voted) ip_max = std::max(ip_max, cnt_ip[a]);
    }
    if (c.id == kNone) return std::nullopt;
    c.score = std::max<std::uint64_t>({1, ip_max, cnt_mx[ex]});
    return c;
  }

  struct Verdict {
    std::optional<Flag> flag;
    std::string reason;
    std::uint32_t corrected = kNone;  // relabelled ID (AS check cases 2 and 3)
  };

  // True when there is at least one name and every one is VPS-named (names of
  // other companies' RDs do not speak for this ID and are left out).
  bool all_vps(const std::vector<std::uint32_t>& candidates, std::uint32_t company, NameSource source,
               std::string* example) {  // example: required
    bool any = false;
    for (auto n : candidates) {
      auto rd = rd_of(n);
      if (rd == kNone || company_plus1(rd) != company) continue;
      if (catalog.classify(text_of(n), text_of(rd), source) != NameClass::vps) return false;
      // The example is the smallest name, whatever the arrival order.
      if (!any || text_of(n) < *example) *example = std::string(text_of(n));
      any = true;
    }
    return any;
  }

  // Step 4 for one candidate (its score is below the threshold).
  Verdict check(const Candidate& c, std::span<const std::uint32_t> live_ips) {
    Verdict v;
    auto company = company_plus1(c.id);
    // 1. AS check (not for MX-sourced IDs).
    if (c.source != Source::mx) {
      if (company != 0) {
        // Ids follow arrival order: the reason names the smallest offending address.
        std::uint32_t offender = kNone;
        for (auto a : live_ips) {
          const auto& h = hosts[a];
          if (h.has(HostState::kHasAsn) && !catalog.company_has_asn(company - 1, h.asn) &&
              (offender == kNone || addresses.view(a) < addresses.view(offender))) {
            offender = a;
          }
        }
        if (offender != kNone) {
          v.flag = Flag::unseen_as;
          v.reason = "live IP " + std::string(addresses.view(offender)) + " is in AS" +
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
          v.corrected = intern_name(relabel->id);
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
        cert_name_ids.insert(cert_name_ids.end(), cert_names.begin() + cert_name_begin[cert],
                             cert_names.begin() + cert_name_begin[cert + 1]);
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

  ProviderAssignment assign(std::uint32_t ex, std::span<const std::uint32_t> live_ips) {
    std::vector<Candidate> candidates;
    if (auto c = tls_candidate(live_ips)) candidates.push_back(*c);
    if (auto c = banner_candidate(ex, live_ips)) candidates.push_back(*c);
    candidates.push_back(Candidate{Source::mx, exchange_rd(ex), 1});

    ProviderAssignment pa;
    pa.mx = std::string(exchanges.view(ex));
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
      if (c.score < options.misidentification_threshold) v = check(c, live_ips);
      if (v.flag && !pa.flag) {
        pa.flag = v.flag;
        pa.flag_reason = v.reason;
        pa.original_id = std::string(text_of(c.id));
      }
      if (v.flag && !options.keep_flagged) continue;  // fall back to the next source
      pa.source = c.source;
      pa.score = c.score;
      if (v.flag) {  // kept on request: the flagged ID itself
        pa.id = std::string(text_of(c.id));
        pa.original_id.reset();
      } else if (v.corrected != kNone) {
        pa.id = std::string(text_of(v.corrected));
        if (!pa.original_id) pa.original_id = std::string(text_of(c.id));
        pa.flag_reason = pa.flag_reason.empty() ? v.reason : pa.flag_reason + "; then " + v.reason;
      } else {
        pa.id = std::string(text_of(c.id));
      }
      break;
    }
    if (!pa.id.empty()) {
      if (auto company = company_plus1(names.find(pa.id).value_or(kNone)); company != 0) {
        pa.company = catalog.companies()[company - 1].name;
      }
    }
    return pa;
  }

  ProviderAssignment assign_cached(std::uint32_t ex, std::span<const std::uint32_t> live_ips) {
    if (cnt_mx[ex] < 2) return assign(ex, live_ips);
    auto it = memo.find(ex);
    if (it != memo.end() && std::equal(it->second.live.begin(), it->second.live.end(), live_ips.begin(),
                                       live_ips.end())) {
      return it->second.assignment;
    }
    auto pa = assign(ex, live_ips);
    if (it == memo.end()) memo.emplace(ex, Memo{{live_ips.begin(), live_ips.end()}, pa});
    return pa;
  }

  // ---- per-domain result -------------------------------------------------------------------

  DomainResult result_of(std::uint32_t di) {
    const auto& d = domains[di];
    DomainResult r;
    r.domain = std::string(d.name);
    r.line = d.line;
    auto detail = [&](std::string message) {
      if (!d.error.empty()) message += " (" + std::string(d.error) + ")";
      return message;
    };
    switch (d.status) {
      case DnsStatus::invalid_name:
      case DnsStatus::address_literal:
        r.status = DomainOutcome::invalid;
        r.reason = detail("not a valid domain name");
        return r;
      case DnsStatus::nxdomain:
        r.status = DomainOutcome::nxdomain;
        r.reason = detail("domain does not exist");
        return r;
      case DnsStatus::null_mx:
        r.status = DomainOutcome::null_mx;
        r.reason = "domain declares no mail (null MX)";
        return r;
      case DnsStatus::nodata:
        r.status = DomainOutcome::no_mx;
        r.reason = "no MX records";
        return r;
      default:
        break;
    }
    if (dns_failure(d.status)) {
      r.status = DomainOutcome::dns_error;
      r.reason = detail("MX lookup failed: " + std::string(to_string(d.status)));
      return r;
    }
    if (is_null_mx(d)) {
      r.status = DomainOutcome::null_mx;
      r.reason = "domain declares no mail (null MX)";
      return r;
    }
    if (d.mx_count == 0) {
      r.status = DomainOutcome::no_mx;
      r.reason = "no MX records";
      return r;
    }
    auto count = primary_count_[di];
    if (count == 0) {
      std::uint32_t total = 0, blocked = 0;
      for (std::uint32_t i = 0; i < d.mx_count; ++i) {
        const auto& m = mxs[d.mx_begin + i];
        for (std::uint32_t j = 0; j < m.addr_count; ++j) {
          ++total;
          const auto& h = hosts[mx_addrs[m.addr_begin + j]];
          if (h.has(HostState::kPresent) && h.has(HostState::kBlocked)) ++blocked;
        }
      }
      if (total > 0 && blocked == total) {
        r.status = DomainOutcome::blocked;
        r.reason = "every MX address is blocklisted (" + std::to_string(total) + ")";
      } else {
        r.status = DomainOutcome::no_smtp;
        r.reason = total == 0 ? "no MX exchange resolved to an address"
                              : "no SMTP server answered on " + std::to_string(total) + " MX address(es)";
      }
      return r;
    }
    r.status = DomainOutcome::ok;
    double credit = 1.0 / static_cast<double>(count);
    for (std::uint32_t k = 0; k < count; ++k) {
      const auto& p = primaries[primary_begin[di] + k];
      auto pa = assign_cached(
          p.exchange, std::span<const std::uint32_t>(primary_live.data() + p.live_begin, p.live_count));
      pa.credit = credit;
      r.providers.push_back(std::move(pa));
    }
    return r;
  }

  BatchStats run(const std::function<void(const DomainResult&)>& sink) {
    if (spent) throw std::logic_error("Batch::finish called twice");
    spent = true;
    auto order = ordered_domains();
    build_primary_sets(order);
    for (const auto& h : hosts) {
      if (h.has(HostState::kPresent) && !h.has(HostState::kReferenced)) ++stats.unreferenced_hosts;
      if (!h.has(HostState::kPresent) && h.has(HostState::kReferenced)) ++stats.missing_hosts;
    }
    stats.unique_exchanges = exchanges.size();
    stats.unique_addresses = addresses.size();
    for (auto di : order) sink(result_of(di));
    return stats;
  }
};

Batch::Batch(const Catalog& catalog, const PublicSuffixList& psl, Options options)
    : impl_(std::make_unique<Impl>(catalog, psl, options)) {}
Batch::~Batch() = default;
Batch::Batch(Batch&&) noexcept = default;
Batch& Batch::operator=(Batch&&) noexcept = default;

void Batch::add(const DomainObs& domain) {
  if (impl_->spent) throw std::logic_error("Batch::add after finish");
  impl_->add_domain(domain);
}

void Batch::add(const HostObs& host) {
  if (impl_->spent) throw std::logic_error("Batch::add after finish");
  impl_->add_host(host);
}

Results Batch::finish() {
  Results results;
  results.domains.reserve(impl_->domains.size());
  results.stats = impl_->run([&](const DomainResult& r) { results.domains.push_back(r); });
  return results;
}

BatchStats Batch::finish(const std::function<void(const DomainResult&)>& sink) { return impl_->run(sink); }

}  // namespace mxscan::inference
