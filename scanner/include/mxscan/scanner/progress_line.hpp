// The once-a-second progress report of a scan (stderr).
//
// Design note. Rendering is a pure function of two snapshots and the elapsed
// time, so its content is tested without a clock or a terminal. On a terminal
// the line rewrites itself (\r and erase-to-end); elsewhere (CI, nohup, a pipe)
// each report is a plain line, as ZDNS and ZMap do.
#pragma once

#include <string>

#include "mxscan/scanner/scan_counters.hpp"

namespace mxscan {

// "00:01:23 domains 12345/1000000 (1.2%) dns 5432 q/s smtp 123 s/s in-flight dns 80
// smtp 950 eta 00:15:02 | ok 10000 nxdomain 200 | success 900 refused 3"
std::string render_progress(const ScanSnapshot& now, const ScanSnapshot& prev,
                            double elapsed_s, double interval_s);

// Wraps a rendered line for a terminal or for a log.
std::string progress_output(const std::string& line, bool terminal);

std::string format_duration(double seconds);

}  // namespace mxscan
