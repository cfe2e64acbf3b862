#include "report_export.hpp"

#include "mxscan/common/output_file.hpp"
#include "mxscan/results/report_figures.hpp"

#include <fmt/format.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <stdexcept>

namespace mxscan {

namespace fs = std::filesystem;

namespace {

// Runs `argv` and waits; the child's stderr is ours, so its complaint reaches the user.
void run_program(const std::vector<std::string>& argv) {
  std::vector<char*> args;
  args.reserve(argv.size() + 1);
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  const pid_t pid = fork();
  if (pid < 0) throw std::runtime_error(fmt::format("fork: {}", std::strerror(errno)));
  if (pid == 0) {
    execv(args[0], args.data());
    _exit(127);
  }
  int status = 0;
  while (waitpid(pid, &status, 0) < 0) {
    if (errno != EINTR) throw std::runtime_error(fmt::format("waitpid: {}", std::strerror(errno)));
  }
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    throw std::runtime_error(fmt::format("{} failed (exit status {}) on {}", argv[0],
                                         WIFEXITED(status) ? WEXITSTATUS(status) : -1,
                                         argv.back()));
  }
}

}  // namespace

std::string find_rsvg_convert() {
  if (const char* forced = std::getenv("MXSCAN_RSVG_CONVERT"); forced != nullptr) {
    return access(forced, X_OK) == 0 ? std::string(forced) : std::string();
  }
  const char* path = std::getenv("PATH");
  std::string_view rest = path ? path : "/usr/bin:/bin";
  while (!rest.empty()) {
    const auto colon = rest.find(':');
    const std::string dir(rest.substr(0, colon));
    rest = colon == std::string_view::npos ? std::string_view() : rest.substr(colon + 1);
    if (dir.empty()) continue;
    std::string candidate = dir + "/rsvg-convert";
    if (access(candidate.c_str(), X_OK) == 0) return candidate;
  }
  return {};
}

std::vector<std::string> export_report(const ReportData& data, const std::string& figs,
                                       std::size_t rows, const std::string& rsvg_convert) {
  const fs::path partial = figs + ".partial";
  std::error_code ec;
  fs::remove_all(partial, ec);
  if (!fs::create_directories(partial, ec) || ec) {
    throw std::runtime_error(
        fmt::format("cannot create {}: {}", partial.string(), ec ? ec.message() : "exists"));
  }
  std::vector<std::string> written;
  try {
    auto put = [&](const std::string& name, std::string_view text) {
      write_file((partial / name).string(), text);
      written.push_back(name);
    };
    for (const auto& f : report_figures(data, rows)) {
      if (f.bars.empty()) continue;
      put(f.name + ".csv", figure_csv(f));
      for (const auto& [suffix, inches] :
           {std::pair<std::string_view, double>{"1col", kOneColumnInches},
            {"2col", kTwoColumnInches}}) {
        const std::string stem = fmt::format("{}-{}", f.name, suffix);
        put(stem + ".svg", figure_svg(f, inches));
        run_program({rsvg_convert, "--format=pdf",
                     "--output=" + (partial / (stem + ".pdf")).string(),
                     (partial / (stem + ".svg")).string()});
        written.push_back(stem + ".pdf");
      }
    }
    for (const auto& t : report_tables(data, rows))
      put("table-" + t.name + ".tex", latex_table(t.table));
    fs::rename(partial, figs);
  } catch (...) {
    fs::remove_all(partial, ec);
    throw;
  }
  return written;
}

}  // namespace mxscan
