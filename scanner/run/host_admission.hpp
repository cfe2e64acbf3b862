// The addresses a scan's domains name, each handed on once: to the SMTP stage
// or, in a dry run, to the dry-run report.
//
// Design note. An address shared by many domains (a provider's MX) is
// contacted once per scan, resumes included: the hosts already recorded in the
// journal start out as seen, and so do the re-queued ones once submitted. The
// seen set is touched only by the DNS stage's callback thread and, before it
// starts, by the re-queue, so it needs no lock. Counting happens here because
// only here is it known whether an address became a session.
#pragma once

#include <cstddef>
#include <string>
#include <unordered_set>

#include "dry_run_report.hpp"
#include "mxscan/scanner/run/scan_counters.hpp"
#include "mxscan/scanner/smtp/smtp_stage.hpp"

namespace mxscan {

class HostAdmission {
 public:
  // Exactly one of `smtp` and `dry` is set; both outlive this.
  HostAdmission(std::unordered_set<std::string> done_hosts, SmtpStage* smtp, DryRunReport* dry,
                ScanCounters& counters)
      : seen_(std::move(done_hosts)), smtp_(smtp), dry_(dry), counters_(counters) {}

  void submit(const std::string& address, const std::string& exchange);
  std::size_t unique() const noexcept { return seen_.size(); }  // done before, too

 private:
  std::unordered_set<std::string> seen_;
  SmtpStage* smtp_;
  DryRunReport* dry_;
  ScanCounters& counters_;
};

}  // namespace mxscan
