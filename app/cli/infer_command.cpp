#include "infer_command.hpp"

#include "campaign_check.hpp"
#include "config_search.hpp"
#include "mxscan/results/batch_outputs.hpp"
#include "scan_command.hpp"

#include "merged_folder.hpp"
#include "mxscan/common/asn/open_asn_source.hpp"
#include "mxscan/common/names.hpp"
#include "mxscan/common/observation_jsonl_reader.hpp"
#include "mxscan/common/observation_pipeline.hpp"
#include "mxscan/common/output_file.hpp"
#include "mxscan/inference/batch.hpp"
#include "mxscan/inference/catalog.hpp"
#include "mxscan/results/importers.hpp"
#include "mxscan/results/streaming_merge.hpp"
#include "mxscan/results/summary_report.hpp"
#include "mxscan/scanner/run/manifest.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <sys/resource.h>
#include <CLI/CLI.hpp>

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <future>
#include <optional>
#include <stdexcept>
#include <system_error>

namespace mxscan {

namespace fs = std::filesystem;

InferCommand::InferCommand(CLI::App& app) : settings_(std::make_unique<InferSettings>()) {
  auto& s = *settings_;
  s.psl_file = kDefaultPslFile;
  sub_ = app.add_subcommand(
      "infer",
      "Infer the mail provider of every domain from observation files (domains.jsonl, "
      "hosts.jsonl) and write providers.jsonl, summary.csv and summary.json");
  sub_->add_option("inputs", s.inputs,
                   "Observation folders (holding domains.jsonl and/or hosts.jsonl) or files; "
                   "all are merged into one batch");
  sub_->add_option(
          "--from", s.imports,
          "Import another tool's data: KIND FILE, KIND one of zdns (MXLOOKUP JSON lines), zgrab2 "
          "(smtp module JSON lines), censys (port-25 records); repeat to combine (docs/import.md)")
      ->type_name("KIND FILE");
  sub_->add_option("--asn-db", s.asn_db,
                   "ASN database (.mmdb) for imported hosts that carry no AS");
  sub_->add_option("--pfx2as", s.pfx2as,
                   "CAIDA prefix-to-AS file for imported hosts that carry no AS");
  sub_->add_option("-o,--out", s.out_dir, "Output folder to create (never an existing one)")
      ->required();
  auto* providers = sub_->add_option("--providers", s.providers,
                                     "Providers config file (TOML; default: see docs/cli.md)");
  auto* config_dir = sub_->add_option("--config-dir", s.providers,
                                      "Folder holding providers.toml (instead of --providers)");
  providers->excludes(config_dir);
  sub_->add_option("--psl-file", s.psl_file, "Public Suffix List file")->capture_default_str();
  sub_->add_flag("--keep-flagged", s.keep_flagged,
                 "Keep IDs flagged by the misidentification checks instead of falling back");
  sub_->add_flag("--allow-partial", s.allow_partial,
                 "Merge resolve and probe folders even when a shard is missing or not complete");
  sub_->add_option("--threshold", s.threshold,
                   "Run the misidentification checks when the confidence score is below N")
      ->capture_default_str();
  sub_->add_option("--top", s.top, "Rows of the table printed at the end")->capture_default_str();
  auto* in_memory = sub_->add_flag(
      "--in-memory", s.in_memory,
      "Hold every domain record in memory (the default below 2 GiB of input files, and with "
      "--from)");
  sub_->add_flag("--stream", s.stream,
                 "Read the files twice, holding one domain record at a time (the default above "
                 "2 GiB of input files)")
      ->excludes(in_memory);
}

bool InferCommand::selected() const { return sub_->parsed(); }

int InferCommand::run() const { return run_infer(*settings_); }

namespace {

// Every file to read, in order; throws UsageError for paths that are not there.
struct UsageError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

std::vector<MergeInput> expand_inputs(const std::vector<std::string>& inputs) {
  std::vector<MergeInput> out;
  for (const auto& in : inputs) {
    MergeInput input{in, {}};
    std::error_code ec;
    const auto status = fs::status(in, ec);
    if (fs::is_directory(status)) {
      for (const char* name : {"domains.jsonl", "hosts.jsonl"}) {
        const fs::path file = fs::path(in) / name;
        if (fs::is_regular_file(file, ec)) input.files.push_back(file.string());
      }
      if (input.files.empty()) {
        throw UsageError(fmt::format("{}: folder holds neither domains.jsonl nor hosts.jsonl", in));
      }
    } else if (fs::exists(status)) {
      input.files.push_back(in);
    } else {
      throw UsageError(fmt::format("{}: no such file or folder", in));
    }
    out.push_back(std::move(input));
  }
  return out;
}

// Above this much input (about 1.5 million domains of a scan, ~600 MB as one
// batch) the merge streams: below it one batch is faster and keeps input-line order.
constexpr std::uintmax_t kStreamAboveBytes = std::uintmax_t{2} << 30U;

bool large_inputs(const std::vector<std::string>& files) {
  std::uintmax_t total = 0;
  for (const auto& f : files) {
    std::error_code ec;
    const auto size = fs::file_size(f, ec);
    if (!ec) total += size;
  }
  return total > kStreamAboveBytes;
}

std::string output_exists_message(const std::string& out_dir) {
  return "output folder " + out_dir +
         " already exists: choose another -o or remove it (nothing was written)";
}

double seconds_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

// CPU time (user + system) of the process or of the calling thread, so phase
// costs stay readable on a busy machine: the main thread's time bounds the
// wall time on an idle one (the reader thread runs beside it).
double cpu_seconds(int who = RUSAGE_SELF) {
  rusage usage{};
  ::getrusage(who, &usage);
  const auto secs = [](const timeval& tv) {
    return static_cast<double>(tv.tv_sec) + static_cast<double>(tv.tv_usec) / 1e6;
  };
  return secs(usage.ru_utime) + secs(usage.ru_stime);
}

// Feeds the batch; reports malformed lines to stderr (up to a limit) and to
// OUT/malformed.txt (all of them).
class BatchFeeder : public ObservationHandler {
 public:
  BatchFeeder(Batch& batch, fs::path malformed_path, std::size_t max_reported)
      : batch_(batch), malformed_path_(std::move(malformed_path)), max_reported_(max_reported) {}

  void on_domain(DomainObs& obs) override { batch_.add(obs); }
  void on_host(HostObs& obs) override { batch_.add(obs); }
  void on_malformed(const ReadProblem& p) override {
    const std::string text = fmt::format("{}:{}: {}\n", p.file, p.line, p.reason);
    if (reported_ < max_reported_) {
      std::fputs(("mxscan infer: malformed line skipped: " + text).c_str(), stderr);
    } else if (reported_ == max_reported_) {
      std::fputs(
          fmt::format("mxscan infer: more malformed lines: see {}\n", malformed_path_.string())
              .c_str(),
          stderr);
    }
    ++reported_;
    if (!malformed_) malformed_.emplace(malformed_path_.string());
    malformed_->write(text);
  }
  void close() {
    if (malformed_) malformed_->close();
  }

 private:
  Batch& batch_;
  fs::path malformed_path_;
  std::size_t max_reported_;
  std::size_t reported_ = 0;
  std::optional<OutputFile> malformed_;
};

}  // namespace

int run_infer(const InferSettings& s) {
  const auto start = std::chrono::steady_clock::now();
  const std::string started = utc_now_iso8601();
  std::vector<MergeInput> merge_inputs;
  std::vector<std::string> files;
  std::vector<std::pair<ImportFormat, std::string>> imports;
  std::vector<std::string> campaign_gaps;  // what --allow-partial lets through
  try {
    if (s.inputs.empty() && s.imports.empty()) {
      throw UsageError(
          "give observation folders or files, or --from KIND FILE (see mxscan infer --help)");
    }
    merge_inputs = expand_inputs(s.inputs);
    for (const auto& input : merge_inputs)
      files.insert(files.end(), input.files.begin(), input.files.end());
    for (const auto& [kind, file] : s.imports) {
      const auto format = parse_import_format(kind);
      if (!format)
        throw UsageError(fmt::format("--from {}: unknown kind; use zdns, zgrab2 or censys", kind));
      std::error_code ec;
      if (!fs::is_regular_file(file, ec))
        throw UsageError(fmt::format("--from {} {}: no such file", kind, file));
      imports.emplace_back(*format, file);
    }
    if (s.stream && !imports.empty())
      throw UsageError("--stream reads files twice; --from imports are read once, in memory");
    std::error_code ec;
    if (fs::exists(s.out_dir, ec)) throw UsageError(output_exists_message(s.out_dir));
    campaign_gaps = check_campaign_inputs(s.inputs);
    if (!campaign_gaps.empty() && !s.allow_partial) {
      throw UsageError(
          fmt::format("refusing to merge an incomplete campaign (nothing was written):\n  {}\n"
                      "(--allow-partial merges what is there; its manifest then says partial)",
                      fmt::join(campaign_gaps, "\n  ")));
    }
  } catch (const UsageError& e) {
    std::fprintf(stderr, "mxscan infer: %s\n", e.what());
    return kExitUsage;
  }
  // Data files that are not what they claim are usage errors, found before OUT exists.
  std::string providers = s.providers;
  if (providers.empty()) {
    // The same search as the scan's configuration (config_search.hpp).
    const ConfigSearch search = find_config_dir("providers.toml");
    if (search.dir.empty()) {
      std::fprintf(stderr, "mxscan infer: %s\n",
                   config_not_found_message(search, "providers.toml",
                                            "give --providers FILE or --config-dir DIR")
                       .c_str());
      return kExitUsage;
    }
    providers = (fs::path(search.dir) / "providers.toml").string();
  }
  Catalog catalog;
  std::optional<PublicSuffixList> psl_file;
  std::shared_ptr<const AsnSource> asn;
  try {
    catalog = Catalog::load(providers);
    psl_file.emplace(s.psl_file);
    asn = open_asn_source(s.asn_db, s.pfx2as);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "mxscan infer: %s\n", e.what());
    return kExitUsage;
  }
  try {
    const PublicSuffixList& psl = *psl_file;
    Options options;
    options.misidentification_threshold = s.threshold;
    options.keep_flagged = s.keep_flagged;

    const fs::path out(s.out_dir);
    if (out.has_parent_path()) fs::create_directories(out.parent_path());
    // Never into an existing folder: it may hold another run's manifest and observations.
    if (!fs::create_directory(out)) throw std::runtime_error(output_exists_message(s.out_dir));
    const fs::path malformed_path = out / "malformed.txt";

    Batch batch(catalog, psl, options);
    RunReport run;
    run.options = options;
    run.catalog_origin = catalog.origin();
    run.psl_file = psl.path();
    run.psl_sha256 = psl.sha256();
    BackgroundRead read;
    std::vector<InputReport> imported;
    std::optional<StreamingMerge> streaming;
    if (s.stream || (!s.in_memory && imports.empty() && large_inputs(files)))
      streaming.emplace(files, catalog, psl, options);
    {
      // Parsing runs on reader threads; the batch is fed here.
      BatchFeeder feeder(batch, malformed_path, s.max_reported);
      read = streaming ? streaming->read(feeder)
                       : read_files_in_background(files, {.decode_chains = false}, feeder);
      if (!imports.empty()) {
        for (const auto& [format, file] : imports) {
          const ReadCounts c = import_file(format, file, feeder, asn.get());
          imported.push_back({std::string(to_string(format)) + ":" + file, c.lines, c.domains,
                              c.hosts, c.malformed});
        }
      }
      feeder.close();
      for (std::size_t i = 0; i < files.size(); ++i) {
        const ReadCounts& c = read.files[i];
        run.inputs.push_back({files[i], c.lines, c.domains, c.hosts, c.malformed});
      }
      run.inputs.insert(run.inputs.end(), imported.begin(), imported.end());
    }
    const double read_s = seconds_since(start);
    const double read_cpu = cpu_seconds();
    const double read_main_cpu = cpu_seconds(RUSAGE_THREAD);

    // OUT's manifest.json and hosts.jsonl (digests and a copy of the host
    // records) on a thread of their own, beside the inference's outputs.
    MergeRecord merge{merge_inputs, {}, catalog.origin(), psl.path(), started, campaign_gaps};
    for (const auto& [format, file] : imports)
      merge.imports.push_back(std::string(to_string(format)) + ":" + file);
    double merge_cpu = 0;
    auto merging = std::async(std::launch::async, [&] {
      MergeOutcome outcome = write_merged_folder(out.string(), merge);
      merge_cpu = cpu_seconds(RUSAGE_THREAD);
      return outcome;
    });
    // Shared with the live scan: providers.jsonl (writer thread), summary.csv/json.
    const Summary summary = streaming ? streaming->write_outputs(out.string(), run)
                                      : write_batch_outputs(batch, catalog, out.string(), run);
    const MergeOutcome merged = merging.get();
    if (merged.state != "complete") {
      std::fprintf(stderr,
                   "mxscan infer: note: not every input is a complete scan; see %s/manifest.json\n",
                   out.string().c_str());
    }

    // What an idle 2-core machine would take: while reading, the busiest thread
    // or half of all the work, whichever is more; then the main thread alone
    // (the writer thread runs beside it).
    double read_bound = std::max(read_main_cpu, read_cpu / 2);
    for (double reader_cpu : read.reader_cpu_seconds) read_bound = std::max(read_bound, reader_cpu);
    const double finish_main_cpu = std::max(cpu_seconds(RUSAGE_THREAD) - read_main_cpu, merge_cpu);
    InputReport totals;
    for (const auto& in : run.inputs) {
      totals.malformed_lines += in.malformed_lines;
      totals.domain_records += in.domain_records;
      totals.host_records += in.host_records;
    }
    std::fputs(
        fmt::format(
            "mxscan infer: {} domain and {} host records from {} files, {} malformed "
            "lines skipped{}; reading {:.2f} s (cpu {:.2f} s, main thread {:.2f} s, "
            "readers {:.2f} s), inferring and writing {:.2f} s (cpu {:.2f} s, main "
            "thread {:.2f} s); on two free cores about {:.2f} s\n",
            totals.domain_records, totals.host_records, run.inputs.size(), totals.malformed_lines,
            totals.malformed_lines ? fmt::format(" (list: {})", malformed_path.string()) : "",
            read_s, read_cpu, read_main_cpu, fmt::join(read.reader_cpu_seconds, " + "),
            seconds_since(start) - read_s, cpu_seconds() - read_cpu, finish_main_cpu,
            read_bound + finish_main_cpu)
            .c_str(),
        stderr);
    print_summary(summary, catalog, out.string(), s.top);
    return kExitOk;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "mxscan infer: %s\n", e.what());
    return kExitFailure;
  }
}

}  // namespace mxscan
