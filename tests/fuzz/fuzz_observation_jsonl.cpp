// Fuzz harness: the observation JSONL reader (domains.jsonl, hosts.jsonl: files
// a scan wrote, possibly truncated or edited, or handed over by someone else).
// Reading in memory and from a file agree, and what is read writes back to a
// line that reads to the same record (the round trip of docs/formats.md).
#include "fuzz_harness.hpp"

#include <algorithm>
#include <variant>
#include <vector>

#include "memory_file.hpp"
#include "mxscan/common/observation_jsonl_reader.hpp"
#include "mxscan/common/observation_jsonl_writer.hpp"

namespace mxscan::fuzz {
namespace {

// Keeps each record in its written form: the round trip promises the same bytes.
struct Collector final : ObservationHandler {
  std::vector<std::string> written;
  std::uint64_t malformed = 0;
  std::uint64_t last_line = 0;
  void on_domain(DomainObs& obs) override { append_jsonl(written.emplace_back(), obs); }
  void on_host(HostObs& obs) override { append_jsonl(written.emplace_back(), obs); }
  void on_malformed(const ReadProblem& problem) override {
    ++malformed;
    MXSCAN_FUZZ_CHECK(problem.line > last_line && !problem.reason.empty());
    last_line = problem.line;
  }
};

std::string rewrite(const ParsedLine& parsed) {
  std::string out;
  if (const auto* d = std::get_if<DomainObs>(&parsed)) append_jsonl(out, *d);
  if (const auto* h = std::get_if<HostObs>(&parsed)) append_jsonl(out, *h);
  return out;
}

}  // namespace

int fuzz_observation_jsonl(const std::uint8_t* data, std::size_t size) {
  const std::string_view text = as_text(data, size);
  ObservationReader reader;
  Collector in_memory;
  const ReadCounts counts = reader.read_text(text, "fuzz.jsonl", in_memory);
  const auto newlines = static_cast<std::uint64_t>(std::count(text.begin(), text.end(), '\n'));
  MXSCAN_FUZZ_CHECK(counts.lines == newlines + ((!text.empty() && text.back() != '\n') ? 1 : 0));
  MXSCAN_FUZZ_CHECK(counts.blank + counts.domains + counts.hosts + counts.malformed ==
                    counts.lines);
  MXSCAN_FUZZ_CHECK(counts.domains + counts.hosts == in_memory.written.size());
  MXSCAN_FUZZ_CHECK(counts.malformed == in_memory.malformed);
  MXSCAN_FUZZ_CHECK(counts.bytes == size);

  // Reading a file allocates its 8 MB chunk each time, which would be nearly the
  // whole cost of an input: compare with it for one input size in eight only.
  if (size % 8 == 0) {
    MemoryFile file(data, size);
    Collector from_file;
    const ReadCounts file_counts = reader.read_file(file.path(), from_file);
    MXSCAN_FUZZ_CHECK(file_counts.lines == counts.lines &&
                      file_counts.malformed == counts.malformed);
    MXSCAN_FUZZ_CHECK(from_file.written == in_memory.written);
  }

  for (const std::string& line : in_memory.written) {
    MXSCAN_FUZZ_CHECK(!line.empty() && line.back() == '\n');
    MXSCAN_FUZZ_CHECK(std::count(line.begin(), line.end(), '\n') == 1);
    const ParsedLine again = reader.parse_line(std::string_view(line).substr(0, line.size() - 1));
    if (const auto* bad = std::get_if<MalformedLine>(&again)) {
      throw InvariantViolation("a written record does not read back: " + bad->reason);
    }
    MXSCAN_FUZZ_CHECK(rewrite(again) == line);
  }
  return 0;
}

}  // namespace mxscan::fuzz
