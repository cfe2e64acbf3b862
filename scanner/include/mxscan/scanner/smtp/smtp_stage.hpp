// The SMTP/TLS stage: unique addresses in, one HostObs per address out, with the
// conduct gate as the only path to a connect.
//
// Design note. submit() is called with every (address, exchange name) the DNS
// stage finds, from any thread. The stage dedupes per address (the port is
// fixed per scan), rejects blocklisted addresses (reported `blocked` at once,
// never contacted), buffers a window of addresses and shuffles it (randomised
// visiting order), then spreads them by /24 or /48 over lanes (one worker
// thread each; "shard" is kept for the split of the input, --shard I/N), each
// lane running its own event loop and its own gate (the global in-flight cap
// divided evenly between lanes, so per-prefix accounting stays local and
// exact; the global rate one token bucket they share, so they take turns).
// Results go to one callback, called under a lock, from worker threads (or
// from submit() for addresses that are not contacted). Asio stays inside
// smtp_stage.cpp.
#pragma once

#include <cstddef>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "mxscan/common/asn/asn_source.hpp"
#include "mxscan/common/observation.hpp"
#include "mxscan/scanner/conduct/blocklist.hpp"
#include "mxscan/scanner/smtp/smtp_options.hpp"

namespace mxscan {

enum class SubmitResult {
  queued,         // will be contacted; its HostObs comes later
  duplicate,      // already submitted in this scan: share the first result
  blocked,        // blocklisted: HostObs `blocked` delivered now, no packet sent
  invalid,        // not an IP address: HostObs `not-contacted` delivered now
  ipv6_disabled,  // IPv6 without --ipv6: HostObs `not-contacted` delivered now
  closed,         // submit() after close(): ignored
};

struct SmtpStageStats {
  std::size_t submitted = 0, duplicates = 0, blocked = 0, invalid = 0, ipv6_skipped = 0;
  std::size_t sessions = 0;  // sessions started (retries included)
  std::size_t retries = 0;
  std::size_t completed = 0;              // HostObs delivered for contacted addresses
  std::size_t peak_in_flight = 0;         // highest per lane, summed over lanes
  std::size_t peak_prefix_in_flight = 0;  // highest in any one /24 or /48
  std::size_t chains_verified = 0;        // certificate chains verified against the trust store
  std::size_t chain_verdicts_cached = 0;  // handshakes answered from the verdict cache
  // After stop(): addresses dropped before any contact, sessions ended early
  // (QUIT said, or the connect not begun; no HostObs), sessions that ended whole
  // after the stop (HostObs delivered).
  std::size_t dropped = 0, stopped_sessions = 0, finished_after_stop = 0;
};

class SmtpStage {
 public:
  using Callback = std::function<void(HostObs)>;

  // `on_result` must not call back into the stage (submit, close, wait).
  // Validates options, resolves the EHLO name, loads blocklists and the trust
  // store, checks RLIMIT_NOFILE and starts the workers. Throws std::runtime_error
  // with a clear message on any configuration problem. `asn` may be null.
  SmtpStage(SmtpOptions options, std::shared_ptr<const AsnSource> asn, Callback on_result);
  ~SmtpStage();  // close() and wait()
  SmtpStage(const SmtpStage&) = delete;
  SmtpStage& operator=(const SmtpStage&) = delete;

  SubmitResult submit(std::string_view address, std::string_view exchange = {});
  void close();  // no more submissions; queued addresses still run
  // Dispatches the addresses buffered for shuffling now (the window is otherwise
  // flushed when full, after a second, or by close()).
  void flush();
  void wait();  // until every queued address has its HostObs (call close() first)
  // Ctrl-C: no connect is begun from now on. Queued and buffered addresses are
  // dropped, later submissions ignored (none get a HostObs: a resumed scan
  // contacts them); sessions in flight say QUIT at their next step (no HostObs)
  // or end at their deadline. Returns how many sessions were in flight; wait()
  // returns once they are over. Callable from any thread.
  std::size_t stop();
  // Stops the event loops at once (interrupt): sessions in flight and queued
  // addresses get no HostObs; a resumed scan contacts them again.
  void abort();
  std::size_t in_flight() const noexcept;  // sessions running now (retry waits included)

  SmtpStageStats stats() const;
  const std::string& ehlo_name() const;
  const Blocklist& blocklist() const;
  const SmtpOptions& options() const;

  struct Impl;  // opaque: the event loops live in smtp_stage.cpp

 private:
  std::unique_ptr<Impl> impl_;
};

// Builds the blocklist the options describe (default file, --blocklist files, --allow).
Blocklist build_blocklist(const SmtpOptions& options);

// Convenience: scans a list of addresses and returns one HostObs per unique one.
std::vector<HostObs> scan_addresses(const SmtpOptions& options,
                                    const std::vector<std::string>& addresses,
                                    std::shared_ptr<const AsnSource> asn = nullptr);

}  // namespace mxscan
