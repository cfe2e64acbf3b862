#include "mxscan/results/report_data.hpp"

#include "mxscan/common/output_file.hpp"
#include "mxscan/results/csv_text.hpp"

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
  for (const auto& [key, acc] : table)
    rows.push_back({key, acc.company, acc.credit, acc.domains, acc.examples});
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

std::string providers_text(const DomainResult& r) {
  std::string out;
  for (const auto& a : r.providers) {
    if (!out.empty()) out += "; ";
    out += a.id.empty() ? "(no ID)" : a.id;
    if (a.company) out += " (" + *a.company + ")";
    out += fmt::format(" {:g} [{}", a.credit, to_string(a.source));
    if (a.flag) out += fmt::format(", {}", to_string(*a.flag));
    out += "]";
  }
  return out;
}

// The class of a domain as a whole: its first MX's, the one a reader looks up.
std::string_view domain_class(const DomainResult& r) {
  if (r.status != DomainOutcome::ok || r.providers.empty()) return "";
  return to_string(company_class(r.domain, r.providers.front()));
}

}  // namespace

std::string domain_csv_header() { return "domain,status,company_class,providers\n"; }

std::string domain_csv_row(const DomainResult& r) {
  return csv_row({r.domain, std::string(to_string(r.status)), std::string(domain_class(r)),
                  providers_text(r)});
}

void write_domains_csv(const std::string& dir, const std::string& out_path) {
  OutputFile out(out_path);
  out.write(domain_csv_header());
  std::vector<ReadProblem> problems;
  read_providers_jsonl((std::filesystem::path(dir) / "providers.jsonl").string(),
                       [&](DomainResult& r) { out.write(domain_csv_row(r)); }, problems);
  out.close();
}

void ReportBuilder::example(std::vector<std::string>& list, const std::string& domain) const {
  if (list.size() < examples_) list.push_back(domain);
}

std::size_t name_ases(ReportData& data, const AsnSource& source) {
  std::size_t named = 0;
  for (auto& row : data.ases) {
    if (!row.name.empty()) continue;
    const auto address = IpAddress::parse(row.address);
    if (!address) continue;
    const auto info = source.lookup(*address);
    if (info && info->asn == row.asn && !info->name.empty()) {
      row.name = info->name;
      ++named;
    }
  }
  return named;
}

std::string percent(double part, double whole) {
  if (whole <= 0) return "n/a";
  return fmt::format("{:.2f}%", 100.0 * part / whole);
}

void ReportBuilder::add(const DomainResult& r) {
  signals_.add(r);
  ++base_.domains_total;
  ++base_.by_status[static_cast<std::size_t>(r.status)];
  if (base_.domain_sample.size() < kDomainSample) {
    base_.domain_sample.push_back({r.domain, std::string(to_string(r.status)), providers_text(r)});
  }
  auto drill = [&](std::string kind, std::string key, bool count_domain) {
    auto& row = drill_[{std::move(kind), std::move(key)}];
    ++row.count;
    if (count_domain || row.examples.empty() || row.examples.back() != r.domain)
      example(row.examples, r.domain);
  };
  drill("status", std::string(to_string(r.status)), true);
  if (r.status == DomainOutcome::dns_error) {
    const auto cause = dns_error_cause(r);
    ++base_.dns_error_causes[cause];
    drill("dns_error cause", std::string(cause), true);
  }
  if (r.status != DomainOutcome::ok) return;
  ++base_.domains_with_provider;
  std::set<std::string_view> seen_companies;
  std::set<std::string_view> seen_ids;
  std::set<CompanyClass> seen_classes;
  for (const auto& a : r.providers) {
    ++base_.assignments;
    const auto source = static_cast<std::size_t>(a.source);
    base_.credit_by_source[source] += a.credit;
    ++base_.assignments_by_source[source];
    drill("source", std::string(to_string(a.source)), false);
    if (a.flag) {
      ++base_.flags[static_cast<std::size_t>(*a.flag)];
      drill("flag", std::string(to_string(*a.flag)), false);
    } else if (a.original_id) {
      ++base_.relabelled;
      drill("flag", "relabelled by AS", false);
    }
    const auto cls = company_class(r.domain, a);
    auto& class_figures = base_.by_class[static_cast<std::size_t>(cls)];
    class_figures.credit += a.credit;
    ++class_figures.assignments;
    if (seen_classes.insert(cls).second) {
      ++class_figures.domains;
      example(class_figures.examples, r.domain);
    }
    if (a.id.empty()) {
      ++base_.assignments_without_id;
      continue;
    }
    const auto key = company_key(a);
    auto& company = companies_[std::string(key)];
    company.credit += a.credit;
    if (a.company) company.company = *a.company;
    if (seen_companies.insert(key).second) {
      ++company.domains;
      // A stand-alone company is its ID: its examples are the ID's (kept once).
      if (a.company) example(company.examples, r.domain);
    }
    auto& id = ids_[a.id];
    id.credit += a.credit;
    if (a.company) id.company = *a.company;
    if (seen_ids.insert(a.id).second) {
      ++id.domains;
      if (cls == CompanyClass::not_in_catalog) ++id.foreign_domains;
      if (!a.company) example(id.examples, r.domain);
    }
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
    if (row.address.empty()) row.address = h.address;
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
  d.signals = signals_.build();
  d.folder = std::move(folder);
  d.manifest = std::move(manifest);
  d.has_hosts = has_hosts;
  d.examples = examples_;
  d.by_company = sorted_rows(companies_);
  for (auto& row : d.by_company) {
    if (row.company.empty()) {
      if (auto id = ids_.find(row.key); id != ids_.end()) row.examples = id->second.examples;
    }
  }
  d.by_id = sorted_rows(ids_);
  // Candidates: IDs of no company that serve domains other than their own,
  // most such domains first (a provider serves many; a self-hosted ID one).
  for (const auto& [key, acc] : ids_) {
    if (!acc.company.empty() || acc.foreign_domains == 0) continue;
    d.candidates.push_back({key, "", acc.credit, acc.foreign_domains, acc.examples});
  }
  std::sort(d.candidates.begin(), d.candidates.end(), [](const CreditRow& a, const CreditRow& b) {
    if (a.domains != b.domains) return a.domains > b.domains;
    if (a.credit != b.credit) return a.credit > b.credit;
    return a.key < b.key;
  });
  for (const auto& [key, row] : drill_) {
    d.drill.push_back({key.first, key.second, row.count, row.examples});
  }
  // Reading order: statuses as the method orders them, their causes, then sources and flags.
  const auto rank = [](const DrillRow& r) {
    static constexpr std::array<std::string_view, 4> kKinds = {"status", "dns_error cause",
                                                               "source", "flag"};
    const auto kind =
        static_cast<std::size_t>(std::find(kKinds.begin(), kKinds.end(), r.kind) - kKinds.begin());
    std::size_t within = kDomainOutcomeCount;
    for (std::size_t i = 0; i < kDomainOutcomeCount && r.kind == "status"; ++i) {
      if (to_string(static_cast<DomainOutcome>(i)) == r.key) within = i;
    }
    return std::pair(kind, within);
  };
  std::stable_sort(d.drill.begin(), d.drill.end(),
                   [&](const DrillRow& a, const DrillRow& b) { return rank(a) < rank(b); });
  for (std::size_t i = 0; i < kCompanyClassCount; ++i) {
    const auto& c = d.by_class[i];
    d.drill.push_back({"company class", std::string(to_string(static_cast<CompanyClass>(i))),
                       c.domains, c.examples});
  }
  for (const auto& [asn, row] : ases_) d.ases.push_back(row);
  std::sort(d.ases.begin(), d.ases.end(), [](const AsRow& a, const AsRow& b) {
    if (a.hosts != b.hosts) return a.hosts > b.hosts;
    return a.asn < b.asn;
  });
  return d;
}

ReportData load_report_data(const std::string& dir, std::size_t examples) {
  namespace fs = std::filesystem;
  const fs::path root(dir);
  const fs::path providers = root / "providers.jsonl";
  std::error_code ec;
  if (!fs::is_regular_file(providers, ec)) {
    throw std::runtime_error(dir +
                             " holds no providers.jsonl: give a results folder of a completed scan "
                             "(or of `mxscan infer`)");
  }
  ReportBuilder builder(examples);
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
