#include "mxscan/results/report_data.hpp"

#include "mxscan/results/migration.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <filesystem>
#include <set>
#include <stdexcept>

namespace mxscan {

namespace {

constexpr std::size_t kKeptProblems = 20;

std::vector<CreditRow> sorted_rows(const auto& table) {
  std::vector<CreditRow> rows;
  rows.reserve(table.size());
  for (const auto& [key, acc] : table) rows.push_back({key, acc.company, acc.credit, acc.domains});
  std::sort(rows.begin(), rows.end(), [](const CreditRow& a, const CreditRow& b) {
    if (a.credit != b.credit) return a.credit > b.credit;
    return a.key < b.key;
  });
  return rows;
}

bool is_live(const HostObs& h) {
  const bool contacted = h.status != SmtpStatus::blocked && h.status != SmtpStatus::not_contacted;
  return contacted &&
         (!h.banner.empty() || !h.ehlo.empty() || !h.ehlo_tls.empty() || h.tls.has_value());
}

class HostFeeder : public ObservationHandler {
 public:
  explicit HostFeeder(ReportBuilder& builder) : builder_(builder) {}
  void on_domain(DomainObs&) override {}
  void on_host(HostObs& obs) override { builder_.add(obs); }
  void on_malformed(const ReadProblem& problem) override { builder_.add_problem(problem); }

 private:
  ReportBuilder& builder_;
};

}  // namespace

std::string percent(double part, double whole) {
  if (whole <= 0) return "n/a";
  return fmt::format("{:.2f}%", 100.0 * part / whole);
}

void ReportBuilder::add(const DomainResult& r) {
  ++base_.domains_total;
  ++base_.by_status[static_cast<std::size_t>(r.status)];
  if (r.status == DomainOutcome::dns_error) {
    ++base_.dns_error_causes[dns_error_cause(r)];
  }
  if (r.status != DomainOutcome::ok) return;
  ++base_.domains_with_provider;
  std::set<std::string_view> seen_companies;
  std::set<std::string_view> seen_ids;
  for (const auto& a : r.providers) {
    ++base_.assignments;
    const auto source = static_cast<std::size_t>(a.source);
    base_.credit_by_source[source] += a.credit;
    ++base_.assignments_by_source[source];
    if (a.flag) {
      ++base_.flags[static_cast<std::size_t>(*a.flag)];
    } else if (a.original_id) {
      ++base_.relabelled;
    }
    const std::string bucket(bucket_of(a));
    auto& company = companies_[bucket];
    company.credit += a.credit;
    if (seen_companies.insert(bucket_of(a)).second) ++company.domains;
    if (a.id.empty()) {
      ++base_.assignments_without_id;
      continue;
    }
    auto& id = ids_[a.id];
    id.credit += a.credit;
    if (a.company) id.company = *a.company;
    if (seen_ids.insert(a.id).second) ++id.domains;
  }
}

void ReportBuilder::add(const HostObs& h) {
  auto& f = base_.hosts;
  ++f.hosts;
  ++f.by_status[std::string(to_string(h.status))];
  const bool live = is_live(h);
  if (h.status != SmtpStatus::blocked && h.status != SmtpStatus::not_contacted) ++f.contacted;
  if (live) ++f.live;
  if (h.starttls_offered) ++f.starttls_offered;
  if (h.starttls_accepted) ++f.starttls_accepted;
  if (h.tls) {
    ++f.tls_completed;
    if (h.tls->trusted) ++f.trusted;
  }
  if (h.asn) {
    ++f.with_asn;
    auto& row = ases_[*h.asn];
    row.asn = *h.asn;
    if (row.name.empty()) row.name = h.as_name;
    ++row.hosts;
    if (live) ++row.live;
  }
}

void ReportBuilder::add_problem(const ReadProblem& problem) {
  ++base_.malformed_lines;
  if (base_.problems.size() < kKeptProblems) base_.problems.push_back(problem);
}

ReportData ReportBuilder::build(std::string folder, FlatJson manifest, bool has_hosts) const {
  ReportData d = base_;
  d.folder = std::move(folder);
  d.manifest = std::move(manifest);
  d.has_hosts = has_hosts;
  d.by_company = sorted_rows(companies_);
  for (auto& row : d.by_company) row.company.clear();
  d.by_id = sorted_rows(ids_);
  for (const auto& [asn, row] : ases_) d.ases.push_back(row);
  std::sort(d.ases.begin(), d.ases.end(), [](const AsRow& a, const AsRow& b) {
    if (a.hosts != b.hosts) return a.hosts > b.hosts;
    return a.asn < b.asn;
  });
  return d;
}

ReportData load_report_data(const std::string& dir) {
  namespace fs = std::filesystem;
  const fs::path root(dir);
  const fs::path providers = root / "providers.jsonl";
  std::error_code ec;
  if (!fs::is_regular_file(providers, ec)) {
    throw std::runtime_error(dir +
                             " holds no providers.jsonl: give a results folder of a completed scan "
                             "(or of `mxscan infer`)");
  }
  ReportBuilder builder;
  std::vector<ReadProblem> problems;
  read_providers_jsonl(
      providers.string(), [&](DomainResult& r) { builder.add(r); }, problems);
  for (const auto& p : problems) builder.add_problem(p);
  const fs::path hosts = root / "hosts.jsonl";
  const bool has_hosts = fs::is_regular_file(hosts, ec);
  if (has_hosts) {
    HostFeeder feeder(builder);
    ObservationReader reader({.decode_chains = false});
    reader.read_file(hosts.string(), feeder);
  }
  FlatJson manifest;
  const fs::path manifest_path = root / "manifest.json";
  if (fs::is_regular_file(manifest_path, ec)) manifest = flatten_json_file(manifest_path.string());
  return builder.build(dir, std::move(manifest), has_hosts);
}

}  // namespace mxscan
