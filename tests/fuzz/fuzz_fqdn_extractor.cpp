// Fuzz harness: FQDN extraction from SMTP banners and EHLO replies (bytes sent
// by any server on the Internet).
#include "fuzz_harness.hpp"

#include <algorithm>

#include "mxscan/inference/fqdn_extractor.hpp"

namespace mxscan::fuzz {
namespace {

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

}  // namespace

int fuzz_fqdn_extractor(const std::uint8_t* data, std::size_t size) {
  std::string_view reply = as_text(data, size);
  std::optional<std::string> fqdn = extract_fqdn(reply);
  if (fqdn) {
    // What is extracted is a valid, lower-case name taken from the reply.
    MXSCAN_FUZZ_CHECK(is_valid_fqdn(*fqdn));
    MXSCAN_FUZZ_CHECK(
        std::none_of(fqdn->begin(), fqdn->end(), [](char c) { return c >= 'A' && c <= 'Z'; }));
    MXSCAN_FUZZ_CHECK(fqdn->size() <= 253);
    MXSCAN_FUZZ_CHECK(lower(reply).find(*fqdn) != std::string::npos);
  }
  if (is_valid_fqdn(reply)) {
    MXSCAN_FUZZ_CHECK(reply.size() <= 253);
    MXSCAN_FUZZ_CHECK(std::all_of(reply.begin(), reply.end(), [](char c) {
      return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
             c == '-' || c == '_' || c == '.';
    }));
  }
  return 0;
}

}  // namespace mxscan::fuzz
