// The tag=value TXT records beside SPF: MTA-STS (RFC 8461 3.1), TLS-RPT
// (RFC 8460 3) and DMARC (RFC 7489 6.3), read from the TXT strings of one answer.
//
// Design note. Each RFC says the same: keep the TXT strings that start with the
// version tag; exactly one must remain, else the domain publishes no policy
// (record stays ""). Values are kept as published (URIs untouched); registered
// domains of report receivers are derived later, at inference time. Pure
// functions: strings in, fields of the observation out.
#pragma once

#include <string>
#include <vector>

#include "mxscan/common/observation.hpp"

namespace mxscan::dns {

// Fill record/id, record/rua, record/policy/rua/ruf; status is the caller's.
void read_mta_sts(const std::vector<std::string>& texts, MtaStsObs& out);
void read_tls_rpt(const std::vector<std::string>& texts, TlsRptObs& out);
void read_dmarc(const std::vector<std::string>& texts, DmarcObs& out);

}  // namespace mxscan::dns
