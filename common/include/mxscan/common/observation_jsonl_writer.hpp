// The JSON Lines form of observations: domains.jsonl and hosts.jsonl
// (docs/formats.md is the reference for every field).
//
// Design note. One record per line, each opening with its "schema" field
// ("mxscan/domain/1", "mxscan/host/1"), so any file can hold either kind and
// a reader dispatches per line. The number after the last slash is the major
// version: adding fields keeps it (readers ignore unknown fields); changing the
// meaning or type of a field, or removing one, bumps it. Writers emit every
// field, always in the same order, so files diff well.
#pragma once

#include "mxscan/common/observation.hpp"

#include <string>
#include <string_view>

namespace mxscan {

inline constexpr std::string_view kDomainSchema = "mxscan/domain/1";
inline constexpr std::string_view kHostSchema = "mxscan/host/1";

// Append one line (terminated by '\n') to `out`.
void append_jsonl(std::string& out, const DomainObs& obs);
void append_jsonl(std::string& out, const HostObs& obs);

}  // namespace mxscan
