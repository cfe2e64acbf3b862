// The opt-in web stage: for each domain that publishes an MTA-STS TXT record
// (v=STSv1), its policy fetched over HTTPS from mta-sts.<domain> and recorded in
// the domain's observation before the domain is handed on.
//
// Design note. The stage holds a domain from the DNS stage until its policy is
// in (or refused), so a domain record is complete when it is journaled; a stop
// drops the held domains that have not been contacted yet, and a resumed scan
// redoes them whole (docs/reliability.md). One event loop on a thread of its
// own, with a Resolver of its own on the scan's resolvers (mta-sts.<domain>
// A/AAAA), the scan's blocklist (a blocked address is `blocked`, never
// contacted) and a conduct gate with the SMTP stage's caps (global rate and
// in-flight, per /24 or /48), so the web contact is paced like the SMTP one.
// One fetch per policy host, on its first address.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <string>

#include "mxscan/common/observation.hpp"
#include "mxscan/common/scan_config.hpp"
#include "mxscan/scanner/conduct/blocklist.hpp"
#include "mxscan/scanner/conduct/gate_policy.hpp"
#include "mxscan/scanner/dns/dns_options.hpp"
#include "mxscan/scanner/web/policy_fetch.hpp"

namespace mxscan {

struct MtaStsStageOptions {
  DnsOptions dns;  // the scan's resolvers (progress and health hooks are not used)
  PolicyFetchOptions fetch;
  GateLimits limits;
  Blocklist blocklist;
};

// From the scan's settings: the DNS settings, the SMTP stage's conduct caps,
// trust store and blocklist (`blocklist` as the SMTP stage built it).
MtaStsStageOptions mta_sts_stage_options(const ScanConfig& config, const DnsOptions& dns,
                                         Blocklist blocklist);

struct MtaStsStageStats {
  std::uint64_t domains = 0;  // handed on with a policy
  std::uint64_t fetches = 0;  // HTTPS contacts begun
  std::uint64_t dropped = 0;  // held when the scan stopped, not handed on
};

// True when the domain publishes an MTA-STS record (the DNS stage found one).
bool wants_mta_sts_policy(const DomainObs& obs) noexcept;

// The policy's fields from a fetch: the file read (malformed when it is not a
// policy) and its mx patterns matched against `exchanges`.
MtaStsPolicy mta_sts_policy_of(const PolicyFetch& fetch, std::span<const std::string> exchanges);

class MtaStsStage {
 public:
  using Done = std::function<void(DomainObs&&)>;
  // Throws std::runtime_error for an unreadable trust store or unusable DNS
  // options; nothing is contacted before start().
  explicit MtaStsStage(MtaStsStageOptions options);
  ~MtaStsStage();  // close() and wait()
  MtaStsStage(const MtaStsStage&) = delete;
  MtaStsStage& operator=(const MtaStsStage&) = delete;

  // Starts the event loop; `done` is called from its thread, one domain at a time.
  // Once `stop` is set (null: never), nothing new is contacted.
  void start(Done done, const std::atomic<bool>* stop);
  // Takes a domain for which wants_mta_sts_policy() holds; thread-safe.
  void submit(DomainObs obs);
  // No more submissions; returns when every held domain is handed on or dropped.
  void finish();
  MtaStsStageStats stats() const;

  struct Impl;

 private:
  std::shared_ptr<Impl> impl_;
};

}  // namespace mxscan
