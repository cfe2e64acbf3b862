// The signals part of summary.json and summary.csv (docs/formats.md): written
// only when the batch observed signals, so a summary without them is what it was.
#pragma once

#include <cstdint>
#include <string>

#include "mxscan/inference/signal_summary.hpp"

namespace mxscan {

// The value of summary.json's "signals" key (an object).
void append_signal_summary_json(std::string& out, const SignalSummary& s);

// summary.csv rows of level `mailbox` (by_mailbox) and `gateway_mailbox` (the
// matrix: key = gateway, company = mailbox), in the file's columns.
void append_signal_summary_csv(std::string& out, const SignalSummary& s,
                               std::uint64_t domains_with_provider, std::uint64_t domains_total);

}  // namespace mxscan
