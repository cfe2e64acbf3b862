// Fuzz harnesses: one function per parser of untrusted bytes.
//
// Design note. Each harness (tests/fuzz/fuzz_<name>.cpp) is plain C++ built
// twice: into a libFuzzer executable (fuzz_main.cpp, clang, MXSCAN_FUZZ=ON) and
// into its library's Catch2 executable, where the corpus replay test feeds it
// every file under tests/fuzz/<name>/ in the normal and ASan builds. A harness
// catches only the errors its parser documents for bad input
// (std::runtime_error and its kin); anything else escaping it, such as
// InvariantViolation thrown by MXSCAN_FUZZ_CHECK, is a finding: libFuzzer
// reports the uncaught exception as a crash, Catch2 as a failed CHECK_NOTHROW.
#pragma once

#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <string_view>

namespace mxscan::fuzz {

struct InvariantViolation : std::logic_error {
  using std::logic_error::logic_error;
};

[[noreturn]] inline void invariant_failed(const char* expr, const char* file, int line) {
  throw InvariantViolation(std::string(file) + ":" + std::to_string(line) +
                           ": invariant failed: " + expr);
}

inline std::string_view as_text(const std::uint8_t* data, std::size_t size) noexcept {
  return size == 0 ? std::string_view{}
                   : std::string_view(reinterpret_cast<const char*>(data), size);
}

// The harnesses; each returns 0 (libFuzzer's convention) or throws on a finding.
// common
int fuzz_domain_list(const std::uint8_t* data, std::size_t size);
int fuzz_names(const std::uint8_t* data, std::size_t size);
int fuzz_scan_config(const std::uint8_t* data, std::size_t size);
int fuzz_observation_jsonl(const std::uint8_t* data, std::size_t size);
// inference
int fuzz_fqdn_extractor(const std::uint8_t* data, std::size_t size);
int fuzz_provider_catalog(const std::uint8_t* data, std::size_t size);
// scanner
int fuzz_smtp_reply(const std::uint8_t* data, std::size_t size);
int fuzz_dns_message(const std::uint8_t* data, std::size_t size);
int fuzz_blocklist(const std::uint8_t* data, std::size_t size);
int fuzz_pfx2as(const std::uint8_t* data, std::size_t size);
int fuzz_cert_names(const std::uint8_t* data, std::size_t size);

}  // namespace mxscan::fuzz

#define MXSCAN_FUZZ_CHECK(cond) \
  ((cond) ? void(0) : ::mxscan::fuzz::invariant_failed(#cond, __FILE__, __LINE__))
