// Fuzz harness: the scan configuration reader (configs/mxscan.toml and the
// config.toml a resumed scan reads back), then the written forms of what it read.
#include "fuzz_harness.hpp"

#include <cmath>

#include "mxscan/common/scan_config.hpp"

namespace mxscan::fuzz {

int fuzz_scan_config(const std::uint8_t* data, std::size_t size) {
  ScanConfig config;
  try {
    config = parse_scan_config(as_text(data, size), "fuzz.toml");
  } catch (const std::runtime_error&) {
    return 0;  // rejected with file:line, by contract
  }
  // Accepted numbers are usable: finite and not negative.
  MXSCAN_FUZZ_CHECK(std::isfinite(config.smtp.per24_rate) && config.smtp.per24_rate >= 0);
  MXSCAN_FUZZ_CHECK(config.dns.timeout_ms >= 0 && config.smtp.port >= 0);
  // What is written (the manifest's config.toml) reads back to the same settings.
  std::string written = to_toml(config);
  ScanConfig reread;
  try {
    reread = parse_scan_config(written, "written.toml");
  } catch (const std::runtime_error& e) {
    throw InvariantViolation(std::string("written configuration rejected: ") + e.what());
  }
  MXSCAN_FUZZ_CHECK(to_toml(reread) == written);
  MXSCAN_FUZZ_CHECK(!to_json(config).empty());
  return 0;
}

}  // namespace mxscan::fuzz
