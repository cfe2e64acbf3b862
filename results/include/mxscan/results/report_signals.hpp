// The report's part beside the paper's result (docs/report.md, "Beyond the MX"):
// the share of domains behind a filtering gateway, the gateway x mailbox matrix,
// market share by mailbox next to by MX, and per inbound company SPF agreement and
// MTA-STS, TLS-RPT and DANE adoption; as an HTML section and as exported tables.
// Both are empty when the results carry no signals, so such reports are unchanged.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "mxscan/results/report_data.hpp"
#include "mxscan/results/report_figures.hpp"

namespace mxscan {

std::string signals_section(const ReportData& data, std::size_t rows);

// Appends the tables "mailbox", "gateway_mailbox" and "inbound_signals".
void append_signal_tables(const ReportData& data, std::size_t rows, std::vector<NamedTable>& out);

}  // namespace mxscan
