// The once-a-second progress report of a scan (stderr).
//
// Design note. Rendering is a pure function of two snapshots and the elapsed
// time, so its content is tested without a clock or a terminal. The report is a
// list of fields, each ranked by importance; a log gets them all, a terminal
// only as many as fit its width (the least important dropped first, none cut
// in the middle), so the line never wraps: a wrapped line is not erased by
// \r and erase-to-end, and stale rows would fill the screen. On a terminal the
// line rewrites itself; elsewhere (CI, nohup, a pipe) each report is a plain,
// full line, as ZDNS and ZMap do.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "mxscan/scanner/run/scan_counters.hpp"

namespace mxscan {

struct ProgressField {
  int rank = 0;  // 0: always shown; higher: dropped sooner when the terminal is narrow
  std::string text;
};

// In display order: elapsed, domains done (and share), DNS rate, SMTP sessions
// opened per second beside the configured limit, in-flight counts, ETA, then the
// DNS and SMTP outcomes so far.
std::vector<ProgressField> progress_fields(const ScanSnapshot& now, const ScanSnapshot& prev,
                                           double elapsed_s, double interval_s);

// "00:01:23 domains 12345/1000000 (1.2%) dns 5432 q/s smtp 1.0/s (limit 1/s) in-flight
// dns 80 smtp 950 eta 00:15:02 | ok 10000 nxdomain 200 | success 900 refused 3"
std::string render_progress(const ScanSnapshot& now, const ScanSnapshot& prev, double elapsed_s,
                            double interval_s);

// The most important fields that fit in `columns` - 1 characters (the last
// column stays free: writing it makes some terminals wrap), shown in display
// order; columns 0 or npos: every field.
std::string fit_progress(const std::vector<ProgressField>& fields, std::size_t columns);

// The width of the terminal on `fd` now (TIOCGWINSZ), or 80 when it does not
// say. Asked before every report, so a resized window is followed within a
// second without a SIGWINCH handler (signals are taken by one thread only).
std::size_t terminal_columns(int fd);

// Wraps a rendered line for a terminal or for a log.
std::string progress_output(const std::string& line, bool terminal);

std::string format_duration(double seconds);

}  // namespace mxscan
