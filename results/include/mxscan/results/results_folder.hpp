// Reading back what a results folder holds, for `mxscan report` and `mxscan diff`:
// providers.jsonl (docs/formats.md) as DomainResult values, and any JSON file
// (manifest.json) as a flat list of "dotted.path" = text pairs.
//
// Design note. The inference writes providers.jsonl and nothing else reads it
// inside mxscan, so the reader lives beside the other consumers of finished
// results rather than in the inference (which has no JSON parser). A malformed
// line is a ReadProblem (file:line, reason), counted and skipped; the file not
// being readable at all throws, naming it. Flattening the manifest keeps the
// report independent of the manifest's exact fields: whatever is written there
// is shown.
#pragma once

#include "mxscan/common/observation_jsonl_reader.hpp"
#include "mxscan/inference/result.hpp"

#include <functional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace mxscan {

// One line of providers.jsonl; nullopt with `reason` set when malformed.
std::optional<DomainResult> parse_providers_line(std::string_view line, std::string& reason);

// Calls `sink` for every well-formed line, in file order; malformed lines go to
// `problems`. Throws std::runtime_error when the file cannot be read.
void read_providers_jsonl(const std::string& path, const std::function<void(DomainResult&)>& sink,
                          std::vector<ReadProblem>& problems);
std::vector<DomainResult> read_providers_jsonl(const std::string& path,
                                               std::vector<ReadProblem>& problems);

using FlatJson = std::vector<std::pair<std::string, std::string>>;

// Every scalar of a JSON document as (path, text): objects join keys with '.',
// arrays append [i]; strings unquoted, null as "null". Throws on bad JSON.
FlatJson flatten_json(std::string_view json_text);
FlatJson flatten_json_file(const std::string& path);

// Looks a path up in a flattened document; "" when absent.
std::string_view flat_value(const FlatJson& flat, std::string_view path);

}  // namespace mxscan
