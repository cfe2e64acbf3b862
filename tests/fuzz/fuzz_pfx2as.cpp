// Fuzz harness: the CAIDA pfx2as reader. Malformed lines are counted, never
// fatal; each well-formed prefix answers lookups for its own addresses.
#include "fuzz_harness.hpp"

#include "mxscan/common/asn/pfx2as_asn_source.hpp"

namespace mxscan::fuzz {

int fuzz_pfx2as(const std::uint8_t* data, std::size_t size) {
  const std::string_view text = as_text(data, size);
  Pfx2AsSource source(text, "fuzz.pfx2as");
  std::size_t lines = 0;
  std::string_view rest = text;
  while (!rest.empty()) {
    const auto nl = rest.find('\n');
    std::string_view line = rest.substr(0, nl);
    rest = nl == std::string_view::npos ? std::string_view{} : rest.substr(nl + 1);
    ++lines;
    // A line with exactly two tabs and a CIDR before its AS field was loaded.
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    const auto t1 = line.find('\t');
    const auto t2 = t1 == std::string_view::npos ? t1 : line.find('\t', t1 + 1);
    if (t2 == std::string_view::npos || line.find('\t', t2 + 1) != std::string_view::npos) continue;
    std::optional<Cidr> cidr = Cidr::parse(std::string(line.substr(0, t1)) + "/" +
                                           std::string(line.substr(t1 + 1, t2 - t1 - 1)));
    if (!cidr || line.front() == '#') continue;
    const std::string_view as_field = line.substr(t2 + 1);
    if (as_field.empty() || as_field.front() < '0' || as_field.front() > '9') continue;
    std::optional<AsnInfo> found = source.lookup(cidr->base);
    if (found) continue;
    // Only a malformed AS field ("12x") may leave a parsed prefix out.
    MXSCAN_FUZZ_CHECK(source.malformed_lines() > 0);
  }
  MXSCAN_FUZZ_CHECK(source.prefixes() + source.malformed_lines() <= lines);
  MXSCAN_FUZZ_CHECK(source.malformed_examples().size() <= 20);
  MXSCAN_FUZZ_CHECK(source.malformed_examples().size() <= source.malformed_lines());
  MXSCAN_FUZZ_CHECK(!source.describe().empty());
  return 0;
}

}  // namespace mxscan::fuzz
