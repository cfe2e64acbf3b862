// Whether the folders of a campaign (docs/distributed.md) make a whole one:
// every shard 0..N-1 of each phase present once, of one N, and complete.
// Used by `mxscan infer` before it writes anything, and by `mxscan status`.
//
// Design note. A merge of a campaign with a shard missing or stopped would
// give providers.jsonl rows that look like results but lack hosts (or
// domains), so the merge refuses it unless told --allow-partial, and then
// says partial in its manifest. Folders of the one-shot scan are left alone
// by the merge: their --shard was never checked, and merging any set of them
// is what `mxscan infer` always did.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "mxscan/scanner/run/manifest.hpp"

namespace mxscan {

using CampaignFolder = std::pair<std::string, Manifest>;  // path, its manifest

// What keeps these folders from being a whole campaign, one line each (e.g.
// "probe shard 2/3 missing", "probe shard 1/3 (P1) is interrupted, not
// complete"); empty when whole. With `both_phases`, resolve folders without
// probe folders (or the reverse) are a problem too.
std::vector<std::string> campaign_problems(const std::vector<CampaignFolder>& folders,
                                           bool both_phases);

// The merge's check over infer's inputs: the resolve and probe folders among
// them must make a whole campaign. Returns the problems (empty when none, or
// when no input is a resolve or probe folder).
std::vector<std::string> check_campaign_inputs(const std::vector<std::string>& inputs);

}  // namespace mxscan
