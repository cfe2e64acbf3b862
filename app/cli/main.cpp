// mxscan's entry point: parses the command line and hands off to a command.
// Commands live in their own files; main only wires them.
#include "catalog_command.hpp"
#include "diff_command.hpp"
#include "infer_command.hpp"
#include "mxscan/scanner/run/build_info.hpp"
#include "probe_command.hpp"
#include "report_command.hpp"
#include "resolve_command.hpp"
#include "scan_command.hpp"
#include "status_command.hpp"

#include <fmt/format.h>
#include <CLI/CLI.hpp>

#include <cstdio>
#include <string>

namespace {

constexpr const char* kDefaultPslFile = "/usr/share/publicsuffix/public_suffix_list.dat";

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"mxscan: who runs the mail for these domains? (SMTP scanner + IMC'21 inference)",
               "mxscan"};
  app.set_version_flag(
      "--version", [] { return mxscan::build_info_text(kDefaultPslFile); },
      "Print the version of mxscan (and its git commit) and of its libraries, then exit");
  app.require_subcommand(0, 1);
  const mxscan::InferCommand infer(app);
  const mxscan::ScanCommand scan(app);
  const mxscan::ReportCommand report(app);
  const mxscan::DiffCommand diff(app);
  const mxscan::CatalogCommand catalog(app);
  const mxscan::ResolveCommand resolve(app);
  const mxscan::ProbeCommand probe(app);
  const mxscan::StatusCommand status(app);
  // A subcommand created after the scan's options inherits the app's footer,
  // whose examples and defaults are the scan's; each gets its own, so that
  // `mxscan SUB --help` shows only what applies to SUB.
  for (CLI::App* sub : app.get_subcommands([](CLI::App*) { return true; })) {
    sub->footer(
        fmt::format("Exit codes: 0 done, 1 failure while running, 2 usage error. "
                    "See docs/cli.md and mxscan(1), section \"mxscan {}\".",
                    sub->get_name()));
  }
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    // --help and --version exit 0; every usage error exits 2 (docs/cli.md).
    return app.exit(e) == 0 ? mxscan::kExitOk : mxscan::kExitUsage;
  }
  if (infer.selected()) return infer.run();
  if (scan.selected()) return scan.run(argc, argv);
  if (report.selected()) return report.run();
  if (diff.selected()) return diff.run();
  if (catalog.selected()) return catalog.run();
  if (resolve.selected()) return resolve.run(argc, argv);
  if (probe.selected()) return probe.run(argc, argv);
  if (status.selected()) return status.run();
  if (app.get_subcommands().empty()) {
    std::fputs(app.help().c_str(), stdout);
    return 0;
  }
  return 0;
}
