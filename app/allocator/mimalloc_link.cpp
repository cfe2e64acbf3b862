// Linked into the scanning executables when MXSCAN_MIMALLOC is on
// (cmake/MxscanDependencies.cmake, docs/dependencies.md). mimalloc replaces malloc
// for the whole process by being loaded before libc. Nothing in mxscan calls it,
// and Debian's linker drops libraries nothing calls (--as-needed), so the
// reference below keeps it in.
#include <mimalloc.h>

namespace mxscan {

int mimalloc_version() { return mi_version(); }

namespace {

// By default mimalloc hands pages it no longer needs back to the kernel after
// 25 ms; every TLS handshake churns the heap, so they came straight back as page
// faults (4.6 per session instead of glibc's 1.3, each a trip through this host's
// paravirtualised kernel) and the client's system time grew by half. A scan's
// heap stays about as large as its sessions in flight, so it keeps its pages.
const bool kKeepsPages = [] {
  mi_option_disable(mi_option_allow_decommit);
  return true;
}();

}  // namespace
}  // namespace mxscan
