// ZDNS TXT answers as signals of a domain (docs/import.md): which signal an
// owner name carries (the domain itself: SPF; _mta-sts., _smtp._tls., _dmarc.)
// and what its answers fill in.
//
// Design note. An import has no DNS: SPF includes are not followed, so
// `reached` holds the record's own include:/redirect= names and `lookups` its
// own DNS-querying terms; `result` says only whether the record itself is one
// well-formed SPF record. Split from importers.cpp because it is record
// semantics, not file plumbing.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "mxscan/common/observation.hpp"

namespace mxscan::detail {

enum class TxtSignal : std::uint8_t { spf, mta_sts, tls_rpt, dmarc };

struct TxtOwner {
  std::string domain;
  TxtSignal signal = TxtSignal::spf;
};

// "_dmarc.example.com" -> {example.com, dmarc}; any other name -> {name, spf}.
TxtOwner txt_owner(std::string_view name);

// Fills the signal's observation from the TXT lookup's status and answers.
void apply_txt(DomainSignals& signals, TxtSignal signal, DnsStatus status,
               const std::vector<std::string>& answers);

}  // namespace mxscan::detail
