// The ASN source a scan or `mxscan infer` uses, from the files the user named.
//
// Design note. The two kinds answer differently well: an mmdb (MaxMind, IPinfo)
// knows names and is current, a CAIDA pfx2as snapshot matches the paper's era.
// Given both, the mmdb is asked first and pfx2as fills its gaps, so one scan can
// combine them without the caller knowing there are two.
#pragma once

#include <memory>
#include <string>

#include "mxscan/common/asn/asn_source.hpp"

namespace mxscan {

// Opens the ASN sources given (either may be ""); null when neither is. With both,
// the mmdb answers first and pfx2as fills its gaps. Throws std::runtime_error,
// naming the option and the first bad lines, for a file that cannot be read or
// is not of its kind (Pfx2AsSource::problem, MmdbAsnSource::problem).
std::shared_ptr<const AsnSource> open_asn_source(const std::string& mmdb_path,
                                                 const std::string& pfx2as_path);

}  // namespace mxscan
