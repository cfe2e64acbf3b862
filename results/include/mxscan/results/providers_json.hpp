// One line of providers.jsonl per input domain (docs/formats.md).
//
// Design note. A dumb serialiser of DomainResult: every field a provider study asks
// for ("domain", "status", "providers" with mx, id, company, source, score,
// credit, flag, original_id) plus the reasons, the input line and the schema
// name, so a line explains itself. Unset optionals are written as null, an
// empty ID as null (with the reason beside it).
#pragma once

#include "mxscan/inference/result.hpp"

#include <string>
#include <string_view>

namespace mxscan {

inline constexpr std::string_view kProvidersSchema = "mxscan/providers/1";

// Appends one line, newline included.
void append_jsonl(std::string& out, const DomainResult& result);

}  // namespace mxscan
