// Reads back what signals_json.hpp writes, for the providers.jsonl reader.
#pragma once

#include <simdjson.h>

#include <optional>

#include "mxscan/inference/signal_facts.hpp"

namespace mxscan::detail {

// nullopt when the line has no "signals" object; throws std::runtime_error
// naming the field when one is malformed.
std::optional<SignalView> parse_signal_fields(simdjson::dom::element line);

}  // namespace mxscan::detail
