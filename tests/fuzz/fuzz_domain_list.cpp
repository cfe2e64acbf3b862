// Fuzz harness: the domain list reader (user-supplied files: plain, CSV, gzip)
// over an in-memory file, in each of its three formats.
#include "fuzz_harness.hpp"

#include <algorithm>
#include <set>

#include "memory_file.hpp"
#include "mxscan/common/domain_list.hpp"
#include "mxscan/common/host_name.hpp"

namespace mxscan::fuzz {
namespace {

// Physical lines of an uncompressed input: every one is counted exactly once.
std::uint64_t line_count(std::string_view text) {
  auto newlines = static_cast<std::uint64_t>(std::count(text.begin(), text.end(), '\n'));
  return newlines + ((!text.empty() && text.back() != '\n') ? 1 : 0);
}

bool is_gzip(std::string_view text) {
  return text.size() >= 2 && text[0] == '\x1f' && text[1] == '\x8b';
}

void read_list(const std::string& path, DomainListFormat format, std::string_view text) {
  DomainListReader reader(path, format);
  std::set<std::string> valid;
  std::uint64_t yielded = 0;
  std::uint64_t last_line = 0;
  try {
    while (auto rec = reader.next()) {
      ++yielded;
      MXSCAN_FUZZ_CHECK(rec->line > last_line);
      last_line = rec->line;
      if (rec->valid()) {
        MXSCAN_FUZZ_CHECK(!host_name_problem(rec->domain).has_value());
        MXSCAN_FUZZ_CHECK(valid.insert(rec->domain).second);  // no duplicate yielded
      } else {
        MXSCAN_FUZZ_CHECK(rec->domain.size() <= 65536);
      }
    }
  } catch (const std::runtime_error&) {
    return;  // a corrupt gzip stream: reported with the file name, by contract
  }
  const DomainListStats& s = reader.stats();
  MXSCAN_FUZZ_CHECK(s.valid == valid.size());
  MXSCAN_FUZZ_CHECK(s.valid + s.invalid == yielded);
  MXSCAN_FUZZ_CHECK(s.valid + s.invalid + s.duplicates + s.skipped == s.lines);
  if (!is_gzip(text)) MXSCAN_FUZZ_CHECK(s.lines == line_count(text));
}

}  // namespace

int fuzz_domain_list(const std::uint8_t* data, std::size_t size) {
  MemoryFile file(data, size);
  for (auto format :
       {DomainListFormat::auto_detect, DomainListFormat::plain, DomainListFormat::csv}) {
    read_list(file.path(), format, as_text(data, size));
  }
  return 0;
}

}  // namespace mxscan::fuzz
