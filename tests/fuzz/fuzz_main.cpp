// libFuzzer's entry point for one harness, chosen at build time
// (MXSCAN_FUZZ_HARNESS=fuzz_<name>, set by tests/fuzz/CMakeLists.txt).
#include "fuzz_harness.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  return mxscan::fuzz::MXSCAN_FUZZ_HARNESS(data, size);
}
