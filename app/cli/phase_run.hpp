// Runs one phase of a campaign (`mxscan resolve`, `mxscan probe`, or
// `mxscan --resume` of their folders) and maps its outcome to the scan's exit
// codes: 0 complete; 1 failure while running (the folder is resumable) or the
// resolvers stopped answering; 2 usage, configuration or campaign-input error
// (nothing written or contacted); 3 interrupted, resumable with --resume.
#pragma once

#include <string>

#include "mxscan/scanner/run/scan_engine.hpp"

namespace mxscan {

int run_phase(const ScanPlan& plan);

// The output folder (refused when it exists), the shard ("" keeps 0/1) and the
// command line of a new phase; throws ScanUsageError with the message to say.
void set_phase_output(ScanPlan& plan, const std::string& output, const std::string& shard, int argc,
                      char** argv);

}  // namespace mxscan
