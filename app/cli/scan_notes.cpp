#include "scan_notes.hpp"

#include <fmt/format.h>

#include <cstdio>
#include <filesystem>
#include <fstream>

namespace mxscan {

std::string asn_match_note(const ScanConfig& config, const AsnMatches& matches) {
  if (config.asn.mmdb.empty() && config.asn.pfx2as.empty()) return {};
  if (matches.contacted == 0 || matches.with_asn > 0) return {};
  std::string sources;
  for (const auto* path : {&config.asn.mmdb, &config.asn.pfx2as}) {
    if (!path->empty()) sources += (sources.empty() ? "" : " and ") + *path;
  }
  return fmt::format(
      "no contacted address matched an entry of the ASN source ({}): all {} ASN fields are "
      "null and the inference's AS checks had nothing to compare; check that the file covers "
      "these addresses",
      sources, matches.contacted);
}

void record_scan_note(const std::string& dir, Manifest& manifest, const std::string& note) {
  manifest.notes.push_back(note);
  write_manifest(dir, manifest);
  std::ofstream log(std::filesystem::path(dir) / "scan.log", std::ios::app);
  log << utc_now_iso8601() << " note: " << note << "\n";
  std::fprintf(stderr, "mxscan: warning: %s\n", note.c_str());
}

}  // namespace mxscan
