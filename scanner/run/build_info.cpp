#include "mxscan/scanner/run/build_info.hpp"

#include <ares.h>
#include <dlfcn.h>
#include <libpsl.h>
#include <maxminddb.h>
#include <openssl/crypto.h>

#include <fmt/chrono.h>
#include <fmt/format.h>
#include <boost/version.hpp>
#include <cstring>
#include <filesystem>
#include <system_error>

namespace mxscan {
namespace {

// The list's date is not inside the file; the package installs it with its
// release date as modification time, which is what we report.
std::string psl_list_date(const std::string& path) {
  std::error_code ec;
  auto mtime = std::filesystem::last_write_time(path, ec);
  if (ec) return "unavailable (" + path + ": " + ec.message() + ")";
  auto sys = std::chrono::file_clock::to_sys(mtime);
  return fmt::format("{:%Y-%m-%d} ({})", std::chrono::floor<std::chrono::seconds>(sys), path);
}

// mimalloc, when the executable was linked with it (MXSCAN_MIMALLOC), has
// replaced malloc for the whole process; looked up at run time so that this
// library does not depend on it.
std::string allocator_name() {
  void* symbol = dlsym(RTLD_DEFAULT, "mi_version");
  if (!symbol) return "glibc malloc";
  int (*version)() = nullptr;
  static_assert(sizeof symbol == sizeof version);
  std::memcpy(&version, &symbol, sizeof version);  // object to function pointer, as POSIX allows
  const int v = version();
  return fmt::format("mimalloc {}.{}.{}", v / 100, v / 10 % 10, v % 10);
}

}  // namespace

std::vector<std::pair<std::string, std::string>> build_info(const std::string& psl_file) {
  std::vector<std::pair<std::string, std::string>> info;
  info.emplace_back("mxscan", fmt::format("{} (git {})", MXSCAN_VERSION, git_revision()));
  info.emplace_back("c-ares", ares_version(nullptr));
  info.emplace_back("OpenSSL", OpenSSL_version(OPENSSL_VERSION_STRING));
  info.emplace_back("libpsl", psl_get_version());
  info.emplace_back("public suffix list", psl_list_date(psl_file));
  info.emplace_back("libmaxminddb", MMDB_lib_version());
  info.emplace_back("Boost", fmt::format("{}.{}.{}", BOOST_VERSION / 100000,
                                         BOOST_VERSION / 100 % 1000, BOOST_VERSION % 100));
  info.emplace_back("fmt", fmt::format("{}.{}.{}", FMT_VERSION / 10000, FMT_VERSION / 100 % 100,
                                       FMT_VERSION % 100));
  info.emplace_back("allocator", allocator_name());
  return info;
}

std::string build_info_text(const std::string& psl_file) {
  std::string out;
  for (const auto& [name, version] : build_info(psl_file)) {
    out += fmt::format("{:<19} {}\n", name, version);
  }
  return out;
}

}  // namespace mxscan
