#include "report_command.hpp"

#include "infer_command.hpp"
#include "mxscan/common/asn/open_asn_source.hpp"
#include "mxscan/common/output_file.hpp"
#include "mxscan/results/report_data.hpp"
#include "mxscan/results/report_html.hpp"
#include "mxscan/results/results_folder.hpp"
#include "report_export.hpp"

#include <fmt/format.h>
#include <CLI/CLI.hpp>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <optional>

namespace mxscan {

namespace fs = std::filesystem;

namespace {

// Rows of the exported figures and tables: as many as a paper's figure holds legibly.
constexpr std::size_t kExportRows = 10;

std::string providers_file(const std::string& dir_or_file) {
  std::error_code ec;
  if (fs::is_directory(dir_or_file, ec))
    return (fs::path(dir_or_file) / "providers.jsonl").string();
  return dir_or_file;
}

std::optional<Comparison> load_comparison(const std::string& old_dir, const std::string& new_dir) {
  if (old_dir.empty()) return std::nullopt;
  std::vector<ReadProblem> problems;
  const auto old_run = read_providers_jsonl(providers_file(old_dir), problems);
  const auto new_run = read_providers_jsonl(providers_file(new_dir), problems);
  for (const auto& p : problems) {
    std::fprintf(stderr, "mxscan report: malformed line skipped: %s:%llu: %s\n", p.file.c_str(),
                 static_cast<unsigned long long>(p.line), p.reason.c_str());
  }
  return Comparison{old_dir, compare_runs(old_run, new_run)};
}

// A given --asn-db must open (a usage mistake is an error); the scan's own
// mmdb, named by manifest.json, is used only when it is still there.
void name_unnamed_ases(ReportData& data, const std::string& asn_db) {
  std::string mmdb = asn_db;
  if (mmdb.empty()) {
    const auto recorded = flat_value(data.manifest, "configuration.asn.mmdb");
    std::error_code ec;
    if (recorded.empty() || !fs::is_regular_file(std::string(recorded), ec)) return;
    mmdb = recorded;
  }
  const bool unnamed = std::any_of(data.ases.begin(), data.ases.end(),
                                   [](const AsRow& row) { return row.name.empty(); });
  if (!unnamed) return;
  const auto source = open_asn_source(mmdb, "");
  if (source) name_ases(data, *source);
}

void print_problems(const ReportData& data) {
  for (const auto& p : data.problems) {
    std::fprintf(stderr, "mxscan report: malformed line skipped: %s:%llu: %s\n", p.file.c_str(),
                 static_cast<unsigned long long>(p.line), p.reason.c_str());
  }
}

}  // namespace

ReportCommand::ReportCommand(CLI::App& app) : settings_(std::make_unique<ReportSettings>()) {
  auto& s = *settings_;
  sub_ = app.add_subcommand(
      "report",
      "Summarise a results folder on stdout and write DIR/report.html (charts of provider "
      "market share, statuses, STARTTLS and trust, ASes, the manifest)");
  sub_->add_option("dir", s.dir,
                   "Results folder (holding providers.jsonl; hosts.jsonl and manifest.json used "
                   "when present)")
      ->required();
  sub_->add_option(
      "--compare", s.compare,
      "Earlier results folder: add a provider-migration section (as `mxscan diff OLD DIR`)");
  sub_->add_option("--top", s.top, "Rows of the printed tables")->capture_default_str();
  sub_->add_flag("--no-html", s.no_html, "Only print the summary; do not write report.html");
  sub_->add_option("--export", s.export_dir,
                   "Write the figures (SVG, PDF, CSV) and LaTeX tables for a paper to this new "
                   "folder (refused if it exists)");
  sub_->add_option("--asn-db", s.asn_db,
                   "MaxMind-schema .mmdb naming the ASes hosts.jsonl left unnamed (default: the "
                   "scan's --asn-db, from manifest.json, when the file is there)");
  sub_->add_option("--examples", s.examples,
                   "Example domains per status, source, flag and company in report.html")
      ->capture_default_str();
}

bool ReportCommand::selected() const { return sub_->parsed(); }

std::string write_report_html(const std::string& dir, const std::string& compare_dir) {
  const auto data = load_report_data(dir);
  print_problems(data);
  const auto comparison = load_comparison(compare_dir, dir);
  std::string path = (fs::path(dir) / "report.html").string();
  write_file(path, render_html(data, comparison ? &*comparison : nullptr));
  write_domains_csv(dir, (fs::path(dir) / "report-domains.csv").string());
  return path;
}

bool report_after_scan(const std::string& dir) {
  try {
    const std::string path = write_report_html(dir);
    std::fprintf(stdout, "\nReport: %s (summary: mxscan report %s)\n", path.c_str(), dir.c_str());
    return true;
  } catch (const std::exception& e) {
    std::fprintf(stderr,
                 "mxscan: warning: report.html not written: %s (retry with: mxscan report %s)\n",
                 e.what(), dir.c_str());
    return false;
  }
}

int ReportCommand::run() const {
  const auto& s = *settings_;
  std::error_code ec;
  if (!fs::is_directory(s.dir, ec)) {
    std::fprintf(stderr,
                 "mxscan report: %s: no such folder; give the results folder of a scan (-o DIR)\n",
                 s.dir.c_str());
    return kExitUsage;
  }
  if (!s.compare.empty() && !fs::exists(s.compare, ec)) {
    std::fprintf(stderr, "mxscan report: --compare %s: no such folder\n", s.compare.c_str());
    return kExitUsage;
  }
  if (!fs::is_regular_file(fs::path(s.dir) / "providers.jsonl", ec)) {
    std::fprintf(stderr,
                 "mxscan report: %s holds no providers.jsonl: give a results folder of a completed "
                 "scan (or of `mxscan infer`)\n",
                 s.dir.c_str());
    return kExitUsage;
  }
  if (!s.asn_db.empty() && !fs::is_regular_file(s.asn_db, ec)) {
    std::fprintf(stderr, "mxscan report: --asn-db %s: no such file\n", s.asn_db.c_str());
    return kExitUsage;
  }
  std::string rsvg_convert;
  // "figs/" names the folder figs: FIGS.partial must be its sibling, not inside it.
  std::string figs = s.export_dir;
  while (figs.size() > 1 && figs.back() == '/') figs.pop_back();
  if (!figs.empty()) {
    if (fs::exists(figs, ec) || fs::exists(figs + ".partial", ec)) {
      std::fprintf(stderr,
                   "mxscan report: --export %s already exists: choose another folder or remove "
                   "it\n",
                   s.export_dir.c_str());
      return kExitUsage;
    }
    rsvg_convert = find_rsvg_convert();
    if (rsvg_convert.empty()) {
      std::fprintf(stderr,
                   "mxscan report: --export needs rsvg-convert to render the PDFs (Debian package "
                   "librsvg2-bin; scripts/setup installs it)\n");
      return kExitFailure;
    }
  }
  try {
    auto data = load_report_data(s.dir, s.examples);
    print_problems(data);
    name_unnamed_ases(data, s.asn_db);
    std::fputs(render_text(data, s.top).c_str(), stdout);
    if (!s.no_html) {
      const auto comparison = load_comparison(s.compare, s.dir);
      if (comparison) {
        std::fputs(
            ("\nCompared with " + s.compare + ":\n" + migration_text(comparison->migration, s.top))
                .c_str(),
            stdout);
      }
      const std::string path = (fs::path(s.dir) / "report.html").string();
      write_file(path, render_html(data, comparison ? &*comparison : nullptr));
      write_domains_csv(s.dir, (fs::path(s.dir) / "report-domains.csv").string());
      std::fprintf(stdout, "\nReport written to %s\n", path.c_str());
    }
    if (!figs.empty()) {
      const auto files = export_report(data, figs, kExportRows, rsvg_convert);
      std::fprintf(stdout, "Figures and tables written to %s (%zu files)\n", s.export_dir.c_str(),
                   files.size());
    }
    return kExitOk;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "mxscan report: %s\n", e.what());
    return kExitFailure;
  }
}

}  // namespace mxscan
