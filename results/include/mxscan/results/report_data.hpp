// The figures of `mxscan report`: what a results folder says, aggregated once,
// so the text and HTML renderers only format.
//
// Design note. ReportBuilder is pure (records in, figures out) and streams:
// a folder's providers.jsonl and hosts.jsonl are fed one record at a time and
// never held whole. Companies are summary.csv's (results/company_class.hpp):
// the catalog's company of an ID, else the ID alone; what lies outside the
// catalog is split by CompanyClass, with the IDs not in the catalog ranked as
// candidates to add. Drill-downs keep up to `examples` domain names per status,
// DNS error cause, source, flag, company class and company, and the first
// kDomainSample domains as rows; both bounded, so 1M domains cost no more
// memory than the company and ID tables themselves. Host figures count
// each (address, port) once; rates are over the hosts where they can apply
// (STARTTLS accepted over offered, trusted over completed handshakes).
// load_report_data() is the only part that touches files.
#pragma once

#include "mxscan/common/asn/asn_source.hpp"
#include "mxscan/common/observation.hpp"
#include "mxscan/common/observation_jsonl_reader.hpp"
#include "mxscan/inference/dns_errors.hpp"
#include "mxscan/inference/result.hpp"
#include "mxscan/inference/signal_summary.hpp"
#include "mxscan/results/company_class.hpp"
#include "mxscan/results/results_folder.hpp"

#include <array>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

namespace mxscan {

struct CreditRow {
  std::string key;      // company or provider ID
  std::string company;  // for ID rows: the company, "" when none
  double credit = 0;
  std::uint64_t domains = 0;
  std::vector<std::string> examples;  // first domains counted here
};

struct ClassFigures {
  double credit = 0;
  std::uint64_t assignments = 0;
  std::uint64_t domains = 0;
  std::vector<std::string> examples;
};

// One line of a drill-down: a status, cause, source, flag or company.
struct DrillRow {
  std::string kind;  // "status", "dns_error cause", "source", "flag", "company"
  std::string key;
  std::uint64_t count = 0;  // domains (status, cause, company) or MXes (source, flag)
  std::vector<std::string> examples;
};

// One domain of the per-domain table.
struct DomainRow {
  std::string domain;
  std::string status;
  std::string providers;  // "id (company) credit [source, flag]; ..."
};

inline constexpr std::size_t kDefaultExamples = 5;
inline constexpr std::size_t kDomainSample = 1000;

struct AsRow {
  std::uint32_t asn = 0;
  std::string name;
  std::uint64_t hosts = 0;  // addresses seen in this AS
  std::uint64_t live = 0;   // of which answered SMTP
  std::string address;      // one address of the AS, to name it from an ASN database
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
  std::vector<CreditRow> by_company;  // credit desc, then key (no-ID credit in no company)
  std::vector<CreditRow> by_id;
  std::array<ClassFigures, kCompanyClassCount> by_class{};  // index: CompanyClass
  std::vector<CreditRow> candidates;     // IDs not in the catalog: other domains desc, then key
  std::vector<DrillRow> drill;           // status, cause, source, flag, company class
  std::vector<DomainRow> domain_sample;  // the first kDomainSample domains, input order
  std::size_t examples = kDefaultExamples;
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
  std::optional<SignalSummary> signals;  // when providers.jsonl carried signals
};

class ReportBuilder {
 public:
  explicit ReportBuilder(std::size_t examples = kDefaultExamples) : examples_(examples) {}
  void add(const DomainResult& result);
  void add(const HostObs& host);
  void add_problem(const ReadProblem& problem);
  ReportData build(std::string folder, FlatJson manifest, bool has_hosts) const;

 private:
  struct Acc {
    double credit = 0;
    std::uint64_t domains = 0;
    std::uint64_t foreign_domains = 0;  // domains whose own domain the ID is not
    std::string company;
    std::vector<std::string> examples;
  };
  struct Drill {
    std::uint64_t count = 0;
    std::vector<std::string> examples;
  };
  void example(std::vector<std::string>& list, const std::string& domain) const;
  std::size_t examples_;
  ReportData base_;
  std::map<std::string, Acc> companies_;
  std::map<std::string, Acc> ids_;
  std::map<std::pair<std::string, std::string>, Drill> drill_;
  std::map<std::uint32_t, AsRow> ases_;
  SignalSummaryBuilder signals_;
};

// Reads DIR/providers.jsonl (required), DIR/hosts.jsonl and DIR/manifest.json
// (optional). Throws std::runtime_error when DIR holds no providers.jsonl.
ReportData load_report_data(const std::string& dir, std::size_t examples = kDefaultExamples);

// The whole per-domain table of a folder's providers.jsonl as CSV
// (domain,status,company_class,providers), streamed: report-domains.csv beside
// report.html, the full list behind the HTML's sample.
void write_domains_csv(const std::string& dir, const std::string& out_path);
std::string domain_csv_header();
std::string domain_csv_row(const DomainResult& r);

// Names the ASes that hosts.jsonl left unnamed (imported data, a pfx2as-only
// scan) from `source` (an mmdb knows organisation names), when it places
// their address in the same AS. Returns how many were named.
std::size_t name_ases(ReportData& data, const AsnSource& source);

// "12.34%" of part/whole; "n/a" when whole is 0.
std::string percent(double part, double whole);

}  // namespace mxscan
