// What a finished scan must say about itself beyond its counts: notes added to
// manifest.json (`notes`), scan.log and stderr together, so a reader of any of
// them learns that part of the measurement could not be made.
#pragma once

#include <cstdint>
#include <string>

#include "mxscan/common/observation.hpp"
#include "mxscan/common/scan_config.hpp"
#include "mxscan/scanner/run/manifest.hpp"

namespace mxscan {

// Contacted addresses (host records other than blocked and not contacted) and
// how many of them an ASN source annotated.
struct AsnMatches {
  std::uint64_t contacted = 0;
  std::uint64_t with_asn = 0;
  void add(const HostObs& host) {
    if (host.status == SmtpStatus::blocked || host.status == SmtpStatus::not_contacted) return;
    ++contacted;
    with_asn += host.asn ? 1 : 0;
  }
};

// The note when an ASN source was given yet no contacted address is in it
// (data for another address family or another part of the Internet, an old
// file); empty otherwise.
std::string asn_match_note(const ScanConfig& config, const AsnMatches& matches);

// Appends `note` to manifest.notes and rewrites DIR/manifest.json, adds it to
// DIR/scan.log and prints it on stderr.
void record_scan_note(const std::string& dir, Manifest& manifest, const std::string& note);

}  // namespace mxscan
