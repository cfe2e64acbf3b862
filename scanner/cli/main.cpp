// mxscan's entry point: parses the command line and hands off to a command.
// Commands live in their own files; main only wires them.
#include "mxscan/scanner/build_info.hpp"

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include <cstdio>
#include <string>

namespace {

constexpr const char* kDefaultPslFile = "/usr/share/publicsuffix/public_suffix_list.dat";

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"mxscan: who runs the mail for these domains? (SMTP scanner + IMC'21 inference)",
               "mxscan"};
  app.set_version_flag("--version", [] { return mxscan::build_info_text(kDefaultPslFile); },
                       "Print the version of mxscan and of its libraries, then exit");
  app.require_subcommand(0, 1);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  }
  if (app.get_subcommands().empty()) {
    std::fputs(app.help().c_str(), stdout);
    return 0;
  }
  return 0;
}
