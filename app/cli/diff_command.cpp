#include "diff_command.hpp"

#include "infer_command.hpp"
#include "mxscan/common/output_file.hpp"
#include "mxscan/results/migration.hpp"
#include "mxscan/results/results_folder.hpp"

#include <fmt/format.h>
#include <CLI/CLI.hpp>

#include <cstdio>
#include <filesystem>

namespace mxscan {

namespace fs = std::filesystem;

DiffCommand::DiffCommand(CLI::App& app) : settings_(std::make_unique<DiffSettings>()) {
  auto& s = *settings_;
  sub_ = app.add_subcommand(
      "diff",
      "Provider migration between two results folders: credit moved between companies, "
      "gains and losses per provider ID, domains that changed");
  sub_->add_option("old", s.old_dir, "Earlier results folder (or its providers.jsonl)")->required();
  sub_->add_option("new", s.new_dir, "Later results folder (or its providers.jsonl)")->required();
  sub_->add_option(
      "-o,--out", s.out_dir,
      "Write migration_matrix.csv, provider_changes.csv, changed_domains.csv and diff.json into "
      "this new folder (never an existing one)");
  sub_->add_option("--top", s.top, "Rows of the printed summary")->capture_default_str();
}

bool DiffCommand::selected() const { return sub_->parsed(); }

int DiffCommand::run() const {
  const auto& s = *settings_;
  std::string files[2];
  const std::string* inputs[2] = {&s.old_dir, &s.new_dir};
  for (int i = 0; i < 2; ++i) {
    std::error_code ec;
    const fs::path in(*inputs[i]);
    files[i] = fs::is_directory(in, ec) ? (in / "providers.jsonl").string() : in.string();
    if (!fs::is_regular_file(files[i], ec)) {
      std::fprintf(stderr,
                   "mxscan diff: %s: no providers.jsonl there; give two results folders of mxscan "
                   "(or of `mxscan infer`)\n",
                   inputs[i]->c_str());
      return kExitUsage;
    }
  }
  std::error_code ec;
  if (!s.out_dir.empty() && fs::exists(s.out_dir, ec)) {
    std::fprintf(stderr,
                 "mxscan diff: output folder %s already exists: choose another -o or remove it "
                 "(nothing was written)\n",
                 s.out_dir.c_str());
    return kExitUsage;
  }
  try {
    std::vector<ReadProblem> problems;
    const auto old_run = read_providers_jsonl(files[0], problems);
    const auto new_run = read_providers_jsonl(files[1], problems);
    for (const auto& p : problems) {
      std::fprintf(stderr, "mxscan diff: malformed line skipped: %s:%llu: %s\n", p.file.c_str(),
                   static_cast<unsigned long long>(p.line), p.reason.c_str());
    }
    const auto migration = compare_runs(old_run, new_run);
    std::fputs(migration_text(migration, s.top).c_str(), stdout);
    if (!s.out_dir.empty()) {
      const fs::path out(s.out_dir);
      if (out.has_parent_path()) fs::create_directories(out.parent_path());
      if (!fs::create_directory(out))
        throw std::runtime_error("output folder " + s.out_dir + " already exists");
      write_file((out / "migration_matrix.csv").string(), migration_matrix_csv(migration));
      write_file((out / "provider_changes.csv").string(), provider_changes_csv(migration));
      write_file((out / "changed_domains.csv").string(), changed_domains_csv(migration));
      write_file((out / "diff.json").string(), migration_json(migration));
      std::fprintf(
          stdout,
          "\nWritten to %s: migration_matrix.csv, provider_changes.csv, changed_domains.csv, "
          "diff.json\n",
          out.string().c_str());
    }
    return kExitOk;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "mxscan diff: %s\n", e.what());
    return kExitFailure;
  }
}

}  // namespace mxscan
