#include "mxscan/results/streaming_merge.hpp"

#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "mxscan/common/names.hpp"
#include "mxscan/results/batch_outputs.hpp"
#include "temp_dir.hpp"

using namespace mxscan;

namespace {

const std::string kSample = MXSCAN_SOURCE_DIR "/tests/data/sample/";

const Catalog& catalog() {
  static const Catalog c = Catalog::load(MXSCAN_SOURCE_DIR "/configs/providers.toml");
  return c;
}

const PublicSuffixList& psl() {
  static const PublicSuffixList p;
  return p;
}

std::string slurp(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

// Counts malformed lines; no record reaches it from StreamingMerge.
struct Problems : ObservationHandler {
  std::vector<std::string> lines;
  int records = 0;
  void on_domain(DomainObs&) override { ++records; }
  void on_host(HostObs&) override { ++records; }
  void on_malformed(const ReadProblem& p) override {
    lines.push_back(p.file + ":" + std::to_string(p.line));
  }
};

}  // namespace

TEST_CASE("the streaming merge writes the in-memory outputs of the sample") {
  const std::vector<std::string> files = {kSample + "domains.jsonl", kSample + "hosts.jsonl"};
  test::TempDir dir;
  std::filesystem::create_directories(dir.path / "stream");
  std::filesystem::create_directories(dir.path / "memory");

  StreamingMerge merge(files, catalog(), psl(), {});
  Problems problems;
  const BackgroundRead read = merge.read(problems);
  CHECK(problems.records == 0);
  CHECK(problems.lines.empty());
  REQUIRE(read.files.size() == 2);
  CHECK(read.files[0].domains == 29);
  CHECK(read.files[1].hosts == 21);
  RunReport streamed_run;
  const Summary streamed = merge.write_outputs((dir.path / "stream").string(), streamed_run);

  Batch batch(catalog(), psl());
  ObservationReader reader;
  struct Feed : ObservationHandler {
    Batch& b;
    explicit Feed(Batch& batch) : b(batch) {}
    void on_domain(DomainObs& d) override { b.add(d); }
    void on_host(HostObs& h) override { b.add(h); }
    void on_malformed(const ReadProblem&) override {}
  } feed(batch);
  for (const auto& f : files) reader.read_file(f, feed);
  RunReport memory_run;
  const Summary in_memory =
      write_batch_outputs(batch, catalog(), (dir.path / "memory").string(), memory_run);

  CHECK(streamed_run.batch == memory_run.batch);
  CHECK(streamed.domains_total == in_memory.domains_total);
  for (const char* name : {"providers.jsonl", "summary.csv", "summary.json"}) {
    INFO(name);
    CHECK(slurp(dir.path / "stream" / name) == slurp(dir.path / "memory" / name));
  }
}

TEST_CASE("each malformed line is reported once across the passes") {
  test::TempDir dir;
  const std::string file = dir.file(
      "mixed.jsonl", slurp(kSample + "hosts.jsonl") + "not json\n" +
                         "{\"schema\":\"mxscan/domain/1\",\"domain\":\"cut.example\",\"mx\":[\n" +
                         slurp(kSample + "domains.jsonl"));
  StreamingMerge merge({file}, catalog(), psl(), {});
  Problems problems;
  const BackgroundRead read = merge.read(problems);
  CHECK(problems.lines.size() == 2);
  CHECK(read.files.at(0).malformed == 2);
  CHECK(read.files.at(0).domains == 29);
  CHECK(read.files.at(0).hosts == 21);
  CHECK(read.files.at(0).lines == 29 + 21 + 2);
}

TEST_CASE("a file whose domain records change between the passes stops the merge") {
  test::TempDir dir;
  const std::string domains = dir.file("domains.jsonl", slurp(kSample + "domains.jsonl"));
  StreamingMerge merge({domains, kSample + "hosts.jsonl"}, catalog(), psl(), {});
  Problems problems;
  merge.read(problems);
  // One record fewer when the results pass reads it again.
  std::string text = slurp(domains);
  text.erase(0, text.find('\n') + 1);
  dir.file("domains.jsonl", text);
  std::filesystem::create_directories(dir.path / "out");
  RunReport run;
  CHECK_THROWS_WITH(merge.write_outputs((dir.path / "out").string(), run),
                    Catch::Contains("domains.jsonl changed while the merge read it") &&
                        Catch::Contains("29 domain records, then 28"));
}
