// The store of a Batch: the inputs of the method (docs/method.md, "Inputs") as
// add() keeps them, and the per-name facts (registered domain, company) every later
// step asks for.
//
// Design note. add() runs once per record of batches of millions, and the steps
// only need a few facts per record, so the store keeps ids, not text: exchange
// names, addresses and names (FQDNs, certificate names, RDs, IDs) are each
// interned once in a StringPool, a domain and its MX records are ranges into
// flat vectors, and a host record shrinks at add() time to a HostState (liveness,
// ASN, banner/EHLO FQDN and ID, trusted certificate): transcripts and DER are
// never kept. A name's RD (the costly PSL lookup) and company are computed once
// and cached per name id; the cache checks are inline so the steps that ask in
// their inner loops pay one load. A duplicate host record is resolved here by a
// total order on its evidence, so the outcome never depends on arrival order.
#pragma once

#include <cstdint>
#include <limits>
#include <string>
#include <string_view>
#include <vector>

#include "mxscan/common/names.hpp"
#include "mxscan/common/observation.hpp"
#include "mxscan/inference/catalog.hpp"
#include "mxscan/inference/result.hpp"
#include "mxscan/inference/signal_facts.hpp"
#include "string_pool.hpp"

namespace mxscan::detail {

inline constexpr std::uint32_t kNone = std::numeric_limits<std::uint32_t>::max();
inline constexpr std::uint32_t kNotComputed = kNone - 1;

// What the method keeps of one HostObs: ids into the name pool, never text.
struct HostState {
  static constexpr std::uint8_t kPresent = 1, kLive = 2, kBlocked = 4, kHasAsn = 8,
                                kReferenced = 16;

  std::uint32_t banner_fqdn = kNone;  // valid banner FQDN (pattern check, reports)
  std::uint32_t banner_id = kNone;    // its RD or a token override: provider evidence
  std::uint32_t ehlo_fqdn = kNone;
  std::uint32_t ehlo_id = kNone;
  std::uint32_t cert = kNone;  // trusted certificate with at least one named RD
  std::uint32_t asn = 0;
  std::uint8_t bits = 0;

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
  bool dropped = false;           // a duplicate of a kept record
  std::uint32_t signals = kNone;  // index into BatchStore::signals
};

// Plain data read by every step; only add() and the per-name caches write it.
struct BatchStore {
  static constexpr std::uint8_t kSuffixUnknown = 0, kSuffix = 1, kNotSuffix = 2, kNotPlain = 3;

  const Catalog& catalog;
  const PublicSuffixList& psl;

  // Interned strings and what is cached per string.
  StringPool names;                            // FQDNs, certificate names, RDs, IDs
  std::vector<std::uint32_t> rd_of_name;       // names id -> RD names id (kNone: no RD)
  std::vector<std::uint8_t> suffix_of_name;    // names id -> kSuffix, kNotSuffix, kNotPlain
  std::vector<std::uint32_t> company_of_name;  // names id -> company index + 1 (0: none)
  StringPool exchanges;
  std::vector<std::uint32_t> rd_of_exchange;
  StringPool addresses;
  std::vector<HostState> hosts;                   // per address id
  StringPool cert_keys;                           // sorted names joined by '\n' -> certificate id
  std::vector<std::uint32_t> cert_name_begin{0};  // certificate id -> range in cert_names
  std::vector<std::uint32_t> cert_names;
  std::vector<std::uint32_t> cert_rd_begin{0};  // certificate id -> range in cert_rds
  std::vector<std::uint32_t> cert_rds;          // unique RDs of the certificate's names

  // The domain records, their MX records and the MX records' addresses.
  Arena text;
  std::vector<DomainRec> domains;
  std::vector<MxRec> mxs;
  std::vector<std::uint32_t> mx_addrs;
  std::vector<SignalFacts> signals;  // of the domains that carry any (signal_facts.hpp)

  BatchStore(const Catalog& c, const PublicSuffixList& p) : catalog(c), psl(p) {}

  // keep_text false: the record's name and error stay views of `d`, for a
  // record that leaves the store (truncate_domains) before `d` changes.
  void add_domain(const DomainObs& d, BatchStats& stats, bool keep_text = true);
  std::size_t certificates() const { return cert_name_begin.size() - 1; }
  // Frees the certificates' interning keys once no host record can come
  // (StreamingBatch): only add_host() reads them.
  void forget_certificate_keys() { cert_keys = StringPool(); }

  // The host and pool figures of `stats`, once every record is in.
  void count_hosts(BatchStats& stats) const;
  // Forgets domain records `count` and later with their MX records.
  void truncate_domains(std::uint32_t count);
  void add_host(const HostObs& h, BatchStats& stats);

  std::uint32_t intern_name(std::string_view s);
  std::string_view text_of(std::uint32_t name) const { return names.view(name); }

  // RD of a name (kNone: none), computed once per unique name.
  std::uint32_t rd_of(std::uint32_t name) {
    const std::uint32_t cached = rd_of_name[name];
    return cached != kNotComputed ? cached : compute_rd(name);
  }

  // Company index + 1 of an ID (0: none), cached per name.
  std::uint32_t company_plus1(std::uint32_t id) {
    if (id == kNone) return 0;
    const std::uint32_t cached = company_of_name[id];
    return cached != kNotComputed ? cached : compute_company(id);
  }

  // RD of an exchange's name (kNone: none, or an address literal).
  std::uint32_t exchange_rd(std::uint32_t ex) {
    const std::uint32_t cached = rd_of_exchange[ex];
    return cached != kNotComputed ? cached : compute_exchange_rd(ex);
  }

  bool live(std::uint32_t addr) const {
    return hosts[addr].has(HostState::kPresent) && hosts[addr].has(HostState::kLive);
  }

  bool is_null_mx(const DomainRec& d) const {
    if (d.status == DnsStatus::null_mx) return true;
    return d.status == DnsStatus::ok && d.mx_count == 1 && mxs[d.mx_begin].exchange == kNone;
  }

 private:
  std::uint8_t suffix_state(std::uint32_t name);
  std::uint8_t plain_state(std::string_view name) const;
  std::uint32_t compute_rd(std::uint32_t name);
  std::uint32_t rd_of_text(std::string_view spelled, std::uint32_t self);
  std::uint32_t compute_company(std::uint32_t id);
  std::uint32_t compute_exchange_rd(std::uint32_t ex);
  std::uint32_t intern_address(std::string_view a);
  std::uint32_t intern_certificate(const CertificateInfo& leaf);
  void identify(std::string_view reply, std::uint32_t& fqdn, std::uint32_t& id);
  HostState compact(const HostObs& h);
  bool better(const HostState& a, const HostState& b) const;
};

}  // namespace mxscan::detail
