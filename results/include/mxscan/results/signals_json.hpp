// The signal fields of a providers.jsonl line (docs/formats.md): `gateway`,
// `mailbox`, `agreement` and the `signals` object, written beside the paper's
// fields and only when the domain's signals were observed.
//
// Design note. Split from providers_json so the paper's line stays as it was:
// append_signal_fields writes nothing for a result without signals, which keeps
// providers.jsonl of scans without signals byte for byte what it was. Absent
// facts are absent keys, never false.
#pragma once

#include <string>

#include "mxscan/inference/signal_facts.hpp"

namespace mxscan {

// Appends ,"gateway":..,"mailbox":..,"agreement":..,"signals":{..} (each key only
// when set); nothing when `view` is unset.
void append_signal_fields(std::string& out, const std::optional<SignalView>& view);

}  // namespace mxscan
