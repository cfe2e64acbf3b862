// Everything a scan reads or builds that the user can get wrong, checked before
// its results folder exists: a usage or data-file error then leaves nothing on
// disk and contacts nothing (docs/reliability.md, "Honest failure").
//
// Design note. The checks build the same parts the stages build later (DNS
// options, SMTP options, blocklist, EHLO name, descriptor limit, ASN source,
// trust store), so what passes here cannot fail there for the same reason. The
// ASN source, the one part expensive to load twice, is handed on to the scan.
// Data files must also be what they claim to be: a pfx2as file that is mostly
// not pfx2as, an .mmdb without AS numbers, a CA file without a certificate, a
// blocklist without a range are refused instead of silently turning the
// measurement into nulls.
#pragma once

#include <cstddef>
#include <memory>
#include <stdexcept>
#include <string>

#include "mxscan/common/asn/asn_source.hpp"
#include "mxscan/scanner/run/scan_engine.hpp"

namespace mxscan {

// A setting or data file that makes the scan impossible; nothing was written
// or contacted when it is thrown (exit code 2).
struct ScanSetupError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

struct ScanPreflight {
  std::shared_ptr<const AsnSource> asn;  // null without --asn-db / --pfx2as
};

// Throws ScanSetupError naming the option and what is wrong.
ScanPreflight preflight_scan(const ScanPlan& plan);

// PEM certificates in the file; throws std::runtime_error when it cannot be read.
std::size_t count_pem_certificates(const std::string& path);

}  // namespace mxscan
