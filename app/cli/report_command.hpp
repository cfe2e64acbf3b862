// `mxscan report DIR [--compare OLD]`: the plain-text summary of a results
// folder on stdout, and DIR/report.html (docs/report.md).
//
// Design note. Wiring only: load_report_data() reads the folder, the pure
// renderers of scanner/report_html.hpp format it. `mxscan --domains` calls
// write_report_html() at the end of a completed scan.
//
// Exit codes: 0 done, 1 the folder cannot be read or the report not written,
// 2 usage error (no such folder, a folder without providers.jsonl, an --export
// folder that already exists: refused before anything is written).
#pragma once

#include <cstddef>
#include <memory>
#include <string>

namespace CLI {
class App;
}

namespace mxscan {

struct ReportSettings {
  std::string dir;
  std::string compare;  // earlier results folder; empty: no comparison
  std::size_t top = 10;
  bool no_html = false;
  std::string export_dir;  // empty: no export
  std::size_t examples = 5;
  std::string asn_db;  // mmdb naming the ASes hosts.jsonl left unnamed; empty: the scan's
};

class ReportCommand {
 public:
  explicit ReportCommand(CLI::App& app);
  bool selected() const;
  int run() const;

 private:
  CLI::App* sub_ = nullptr;
  std::unique_ptr<ReportSettings> settings_;
};

// Writes DIR/report.html (comparison section when `compare_dir` is not empty)
// and DIR/report-domains.csv, and returns the HTML's path. Throws std::runtime_error on failure.
std::string write_report_html(const std::string& dir, const std::string& compare_dir = {});

// The end of `mxscan --domains`: writes DIR/report.html and says where; a
// failure is a warning (the scan's results are already complete) and returns false.
bool report_after_scan(const std::string& dir);

}  // namespace mxscan
