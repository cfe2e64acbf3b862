#include "mxscan/scanner/dns/signal_lookups.hpp"

#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <algorithm>
#include <optional>
#include <tuple>
#include <vector>

#include "mxscan/scanner/dns/policy_records.hpp"
#include "mxscan/scanner/dns/spf_record.hpp"
#include "shared_lookups.hpp"

namespace mxscan {

using boost::asio::awaitable;

namespace {

// RFC 7208 4.6.4.
constexpr std::uint32_t kMaxLookups = 10;
constexpr std::uint32_t kMaxVoidLookups = 2;

// One name's SPF record as fetched: what the walk needs of it.
struct SpfFetch {
  DnsStatus status = DnsStatus::not_queried;
  std::string dns_error;
  std::size_t records = 0;  // TXT strings that are SPF records
  std::string text;         // the record when there is exactly one
  std::optional<spf::Record> parsed;
  std::string syntax_error;
};

// The resolver gave no usable answer (RFC 7208 temperror).
bool temporary(DnsStatus s) {
  return s == DnsStatus::timeout || s == DnsStatus::servfail || s == DnsStatus::refused ||
         s == DnsStatus::error || s == DnsStatus::cname_loop;
}

bool void_answer(DnsStatus s) { return s == DnsStatus::nxdomain || s == DnsStatus::nodata; }

SpfFetch spf_of(const dns::Answer& a) {
  SpfFetch f;
  f.status = a.status;
  f.dns_error = a.error;
  for (const auto& t : a.texts) {
    if (!spf::is_spf_record(t)) continue;
    if (++f.records == 1) f.text = t;
  }
  if (f.records != 1) {
    f.text.clear();
    return f;
  }
  auto parsed = spf::parse_record(f.text);
  f.parsed = std::move(parsed.record);
  f.syntax_error = std::move(parsed.error);
  return f;
}

std::string several(std::size_t n) {
  return n == 2 ? "two SPF records" : std::to_string(n) + " SPF records";
}

}  // namespace

struct SignalCache::Impl {
  std::shared_ptr<detail::SharedLookups<SpfFetch>> spf =
      std::make_shared<detail::SharedLookups<SpfFetch>>();
  std::shared_ptr<detail::SharedLookups<TlsaObs>> tlsa =
      std::make_shared<detail::SharedLookups<TlsaObs>>();
};

SignalCache::SignalCache() : impl_(std::make_unique<Impl>()) {}
SignalCache::~SignalCache() = default;

SignalCache::Counts SignalCache::counts() const {
  const auto s = impl_->spf->counts();
  const auto t = impl_->tlsa->counts();
  return {s.fetches, s.hits, t.fetches, t.hits};
}

namespace {

awaitable<SpfFetch> ask_spf(Resolver& resolver, std::string name) {
  co_return spf_of(co_await resolver.query(std::move(name), dns::RrType::txt));
}

bool spf_failed(const SpfFetch& f) { return temporary(f.status); }

awaitable<SpfFetch> fetch_spf(Resolver& resolver, SignalCache& cache, std::string name) {
  // Not coroutines themselves, and named (g++ 12: no capturing lambda in a co_await expression).
  auto fetch = [&resolver, name] { return ask_spf(resolver, name); };
  auto failed = &spf_failed;
  co_return co_await cache.impl().spf->get(resolver.io(), name, fetch, failed);
}

// The walk over one domain's SPF record and all it includes or redirects to.
struct Walk {
  Resolver& resolver;
  SignalCache& cache;
  SpfObs& obs;
  std::uint32_t voids = 0;
  std::vector<std::string> path{};  // names being walked, outermost first (loop detection)
  bool stopped = false;

  void fail(std::string result, std::string error) {
    obs.result = std::move(result);
    obs.error = std::move(error);
    stopped = true;
  }

  bool count_lookup() {
    if (++obs.lookups > kMaxLookups) {
      fail("permerror", "more than 10 DNS-querying terms");
      return false;
    }
    return true;
  }

  bool count_void(DnsStatus s) {
    if (void_answer(s) && ++voids > kMaxVoidLookups) {
      fail("permerror", "more than 2 void lookups");
      return false;
    }
    return true;
  }

  // Fetches and walks the record of an include:/redirect= target.
  awaitable<void> follow(std::string target) {
    if (std::find(path.begin(), path.end(), target) != path.end()) {
      fail("permerror", "include loop at " + target);
      co_return;
    }
    if (std::find(obs.reached.begin(), obs.reached.end(), target) == obs.reached.end()) {
      obs.reached.push_back(target);
    }
    const SpfFetch f = co_await fetch_spf(resolver, cache, target);
    if (temporary(f.status)) {
      fail("temperror", target + ": " + std::string(to_string(f.status)));
      co_return;
    }
    if (!count_void(f.status)) co_return;
    if (f.records == 0) {
      // RFC 7208 5.2 and 6.1: an include or redirect to a name without SPF is a permerror.
      fail("permerror", target + ": no SPF record");
      co_return;
    }
    if (f.records > 1) {
      fail("permerror", target + ": " + several(f.records));
      co_return;
    }
    if (!f.parsed) {
      fail("permerror", target + ": " + f.syntax_error);
      co_return;
    }
    path.push_back(target);
    co_await walk(*f.parsed);
    path.pop_back();
  }

  awaitable<void> walk(const spf::Record& record) {
    for (const spf::Term& term : record.terms) {
      if (stopped) co_return;
      if (!spf::queries_dns(term.kind) || term.kind == spf::TermKind::redirect) continue;
      if (!count_lookup()) co_return;
      if (term.has_macro) continue;  // cannot be expanded without a sender
      if (term.kind == spf::TermKind::include) {
        co_await follow(term.target);
      } else if (term.kind == spf::TermKind::exists) {
        // Answered without a sender, and the only term whose void answers count here.
        const dns::Answer a = co_await resolver.query(term.target, dns::RrType::a);
        if (temporary(a.status)) {
          fail("temperror", term.target + ": " + std::string(to_string(a.status)));
          co_return;
        }
        if (!count_void(a.status)) co_return;
      }
    }
    if (stopped) co_return;
    // redirect= applies only when no mechanism matched: never with "all" (RFC 7208 6.1).
    const spf::Term* redirect = record.redirect();
    if (redirect == nullptr || record.has_all()) co_return;
    if (!count_lookup() || redirect->has_macro) co_return;
    co_await follow(redirect->target);
  }
};

awaitable<SpfObs> collect_spf(Resolver& resolver, SignalCache& cache, std::string domain) {
  SpfObs obs;
  const SpfFetch own = spf_of(co_await resolver.query(domain, dns::RrType::txt));
  obs.status = own.status;
  if (temporary(own.status)) {
    obs.result = "temperror";
    obs.error = domain + ": " + std::string(to_string(own.status));
    co_return obs;
  }
  if (own.records == 0) {
    obs.result = "none";
    co_return obs;
  }
  if (own.records > 1) {
    obs.result = "permerror";
    obs.error = several(own.records);
    co_return obs;
  }
  obs.record = own.text;
  if (!own.parsed) {
    obs.result = "permerror";
    obs.error = own.syntax_error;
    co_return obs;
  }
  Walk walk{resolver, cache, obs};
  walk.path.push_back(domain);
  co_await walk.walk(*own.parsed);
  if (!walk.stopped) obs.result = "ok";
  co_return obs;
}

template <typename Obs, typename Read>
awaitable<Obs> collect_policy(Resolver& resolver, std::string name, Read read) {
  const dns::Answer a = co_await resolver.query(std::move(name), dns::RrType::txt);
  Obs obs;
  obs.status = a.status;
  if (a.status == DnsStatus::ok) read(a.texts, obs);
  co_return obs;
}

}  // namespace

awaitable<DomainSignals> collect_signals(Resolver& resolver, SignalCache& cache,
                                         std::string domain) {
  using namespace boost::asio::experimental::awaitable_operators;
  DomainSignals s;
  std::string mta_sts = "_mta-sts." + domain;
  std::string tls_rpt = "_smtp._tls." + domain;
  std::string dmarc = "_dmarc." + domain;
  std::tie(s.spf, s.mta_sts, s.tls_rpt, s.dmarc) =
      co_await (collect_spf(resolver, cache, domain) &&
                collect_policy<MtaStsObs>(resolver, std::move(mta_sts), &dns::read_mta_sts) &&
                collect_policy<TlsRptObs>(resolver, std::move(tls_rpt), &dns::read_tls_rpt) &&
                collect_policy<DmarcObs>(resolver, std::move(dmarc), &dns::read_dmarc));
  co_return s;
}

namespace {

awaitable<TlsaObs> ask_tlsa(Resolver& resolver, std::string name) {
  const dns::Answer a = co_await resolver.query(std::move(name), dns::RrType::tlsa);
  TlsaObs obs;
  obs.status = a.status;
  obs.authenticated = a.authenticated;
  obs.records = a.tlsa;
  co_return obs;
}

bool tlsa_failed(const TlsaObs& t) { return temporary(t.status); }

}  // namespace

awaitable<TlsaObs> lookup_tlsa(Resolver& resolver, SignalCache& cache, std::string exchange) {
  std::string name = "_25._tcp." + exchange;
  auto fetch = [&resolver, name] { return ask_tlsa(resolver, name); };
  auto failed = &tlsa_failed;
  co_return co_await cache.impl().tlsa->get(resolver.io(), std::move(name), fetch, failed);
}

}  // namespace mxscan
