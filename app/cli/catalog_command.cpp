#include "catalog_command.hpp"

#include "config_search.hpp"
#include "infer_command.hpp"
#include "mxscan/common/names.hpp"
#include "mxscan/inference/catalog.hpp"
#include "mxscan/inference/catalog_check.hpp"

#include <fmt/format.h>
#include <CLI/CLI.hpp>

#include <cstdio>
#include <filesystem>
#include <optional>
#include <stdexcept>

namespace mxscan {

namespace fs = std::filesystem;

CatalogCommand::CatalogCommand(CLI::App& app) : settings_(std::make_unique<CatalogSettings>()) {
  auto& s = *settings_;
  s.psl_file = kDefaultPslFile;
  sub_ = app.add_subcommand("catalog", "Inspect a provider catalog (configs/providers.toml)");
  sub_->require_subcommand(1, 1);
  check_ = sub_->add_subcommand(
      "check",
      "Report IDs claimed by two companies, ID globs and VPS rules that none of the catalog's "
      "example names reach, examples of no or another company, companies without sources; "
      "exit 1 when there is any");
  // Created under `catalog` before main gives each subcommand its own footer, so
  // it would show the scan's examples: it gets its own.
  check_->footer(
      "Exit codes: 0 clean, 1 any problem (a catalog that does not parse included), 2 usage "
      "error. See docs/cli.md and mxscan(1), section \"mxscan catalog check\".");
  check_->add_option("--providers", s.providers,
                     "Provider catalog to check (default: the providers.toml mxscan would use)");
  check_->add_option("--psl-file", s.psl_file, "Public Suffix List file (the examples' IDs)")
      ->capture_default_str();
}

bool CatalogCommand::selected() const { return sub_->parsed(); }

int CatalogCommand::run() const {
  const auto& s = *settings_;
  std::string providers = s.providers;
  if (providers.empty()) {
    const ConfigSearch search = find_config_dir("providers.toml");
    if (search.dir.empty()) {
      std::fprintf(
          stderr, "mxscan catalog check: %s\n",
          config_not_found_message(search, "providers.toml", "give --providers FILE").c_str());
      return kExitUsage;
    }
    providers = (fs::path(search.dir) / "providers.toml").string();
  }
  std::error_code ec;
  if (!fs::is_regular_file(providers, ec)) {
    std::fprintf(stderr, "mxscan catalog check: %s: no such file (--providers)\n",
                 providers.c_str());
    return kExitUsage;
  }
  std::optional<PublicSuffixList> psl;
  try {
    psl.emplace(s.psl_file);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "mxscan catalog check: %s\n", e.what());
    return kExitUsage;
  }
  Catalog catalog;
  try {
    catalog = Catalog::load(providers, CatalogLoad::tolerate_shared_ids);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "mxscan catalog check: %s\n", e.what());
    return kExitFailure;
  }
  const auto problems = check_catalog(catalog, *psl);
  for (const auto& p : problems) {
    std::fprintf(
        stdout, "%s\n",
        fmt::format("{}:{}: {}: {}", catalog.origin(), p.line, to_string(p.kind), p.message)
            .c_str());
  }
  std::size_t examples = 0;
  for (const auto& c : catalog.companies()) examples += c.examples.size();
  for (const auto& b : catalog.vps_blocks()) examples += b.examples.size();
  std::fprintf(stdout, "%s\n",
               fmt::format("{}: {} companies, {} VPS rules, {} example names: {}", catalog.origin(),
                           catalog.companies().size(), catalog.vps_rule_count(), examples,
                           problems.empty() ? std::string("clean")
                                            : fmt::format("{} problem(s)", problems.size()))
                   .c_str());
  return problems.empty() ? kExitOk : kExitFailure;
}

}  // namespace mxscan
