// What `mxscan infer IN... -o OUT` writes beside the inference outputs so that
// OUT is a results folder of its own (docs/formats.md, "Merged folders"):
// manifest.json naming every input, the SHA-256 of every file read and the
// state each input's own manifest recorded, and hosts.jsonl with the host
// records of all inputs, one per address, so `mxscan report OUT` shows the
// STARTTLS, AS and provenance sections of the merge.
//
// Design note. Host records are copied byte for byte (the first one met for
// an address wins: shards of one scan contact the same exchange addresses), so
// nothing the inputs recorded is lost by re-serialising. A merge of inputs
// that did not all complete says so in its state ("partial") and notes.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace mxscan {

struct MergeInput {
  std::string path;                // as given: a results folder or a file
  std::vector<std::string> files;  // the observation files read from it
};

struct MergeRecord {
  std::vector<MergeInput> inputs;
  std::vector<std::string> imports;  // "KIND:FILE" of --from, digested too
  std::string providers;             // catalog file
  std::string psl_file;
  std::string started;  // ISO 8601 UTC
  // A campaign merged under --allow-partial: what it lacks (the state is then partial).
  std::vector<std::string> campaign_gaps;
};

struct MergeOutcome {
  std::string state;  // complete | partial
  std::uint64_t host_records = 0;
  std::uint64_t unique_addresses = 0;
};

// Writes OUT/hosts.jsonl and then OUT/manifest.json; throws std::runtime_error
// on read or write errors.
MergeOutcome write_merged_folder(const std::string& out_dir, const MergeRecord& record);

}  // namespace mxscan
