// The figures of `mxscan report`: what a results folder says, aggregated once,
// so the text and HTML renderers only format.
//
// Design note. ReportBuilder is pure (records in, figures out) and streams:
// a folder's providers.jsonl and hosts.jsonl are fed one record at a time and
// never held whole. Company shares group IDs the way `mxscan diff` does
// (inference/migration.hpp): a known company, else "other" (self-hosted or not
// in the catalog), and "(no ID)" for MXes without an ID. Host figures count
// each (address, port) once; rates are over the hosts where they can apply
// (STARTTLS accepted over offered, trusted over completed handshakes).
// load_report_data() is the only part that touches files.
#pragma once

#include "mxscan/common/observation.hpp"
#include "mxscan/common/observation_jsonl_reader.hpp"
#include "mxscan/inference/dns_errors.hpp"
#include "mxscan/inference/result.hpp"
#include "mxscan/results/results_folder.hpp"

#include <array>
#include <cstdint>
#include <map>
#include <string>
#include <unordered_map>
#include <vector>

namespace mxscan {

struct CreditRow {
  std::string key;      // company (or bucket) or provider ID
  std::string company;  // for ID rows: the company, "" when none
  double credit = 0;
  std::uint64_t domains = 0;
};

struct AsRow {
  std::uint32_t asn = 0;
  std::string name;
  std::uint64_t hosts = 0;  // addresses seen in this AS
  std::uint64_t live = 0;   // of which answered SMTP
};

struct HostFigures {
  std::uint64_t hosts = 0;
  std::uint64_t contacted = 0;  // not blocked, not skipped
  std::uint64_t live = 0;       // sent a banner or EHLO reply
  std::uint64_t starttls_offered = 0;
  std::uint64_t starttls_accepted = 0;
  std::uint64_t tls_completed = 0;
  std::uint64_t trusted = 0;
  std::uint64_t with_asn = 0;
  std::map<std::string, std::uint64_t> by_status;  // SmtpStatus text
};

inline constexpr std::size_t kSourceCount = 3;  // Source
inline constexpr std::size_t kFlagCount = 2;    // Flag

struct ReportData {
  std::string folder;
  FlatJson manifest;  // empty when the folder has no manifest.json
  std::uint64_t domains_total = 0;
  std::uint64_t domains_with_provider = 0;
  std::array<std::uint64_t, kDomainOutcomeCount> by_status{};
  DnsErrorCauses dns_error_causes;    // dns_error domains by cause
  std::vector<CreditRow> by_company;  // credit desc, then key
  std::vector<CreditRow> by_id;
  std::uint64_t assignments = 0;
  std::array<double, kSourceCount> credit_by_source{};
  std::array<std::uint64_t, kSourceCount> assignments_by_source{};
  std::array<std::uint64_t, kFlagCount> flags{};
  std::uint64_t relabelled = 0;  // original_id set without a flag (AS relabelling)
  std::uint64_t assignments_without_id = 0;
  HostFigures hosts;
  std::vector<AsRow> ases;            // hosts desc, then asn
  bool has_hosts = false;             // hosts.jsonl was there
  std::vector<ReadProblem> problems;  // malformed lines (first ones kept)
  std::uint64_t malformed_lines = 0;
};

class ReportBuilder {
 public:
  void add(const DomainResult& result);
  void add(const HostObs& host);
  void add_problem(const ReadProblem& problem);
  ReportData build(std::string folder, FlatJson manifest, bool has_hosts) const;

 private:
  struct Acc {
    double credit = 0;
    std::uint64_t domains = 0;
    std::string company;
  };
  ReportData base_;
  std::map<std::string, Acc> companies_;
  std::map<std::string, Acc> ids_;
  std::map<std::uint32_t, AsRow> ases_;
};

// Reads DIR/providers.jsonl (required), DIR/hosts.jsonl and DIR/manifest.json
// (optional). Throws std::runtime_error when DIR holds no providers.jsonl.
ReportData load_report_data(const std::string& dir);

// "12.34%" of part/whole; "n/a" when whole is 0.
std::string percent(double part, double whole);

}  // namespace mxscan
