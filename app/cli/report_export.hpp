// `mxscan report DIR --export FIGS`: the report's figures and tables as files
// a paper includes (docs/report.md).
//
// Design note. The SVG, CSV and LaTeX are written by the results library's
// pure writers; each PDF is the SVG rendered by rsvg-convert (librsvg and
// cairo, Debian librsvg2-bin): a real renderer that embeds the fonts, so
// there is no PDF writer here. Everything goes to FIGS.partial first and is
// renamed to FIGS at the end: an export either is complete or is not there.
#pragma once

#include "mxscan/results/report_data.hpp"

#include <cstddef>
#include <string>
#include <vector>

namespace mxscan {

// The rsvg-convert program to run: $MXSCAN_RSVG_CONVERT when set, else
// rsvg-convert found on PATH; empty when none.
std::string find_rsvg_convert();

// Writes FIGS (which must not exist); returns the files written, relative to
// FIGS. Throws std::runtime_error (FIGS left absent) on failure.
std::vector<std::string> export_report(const ReportData& data, const std::string& figs,
                                       std::size_t rows, const std::string& rsvg_convert);

}  // namespace mxscan
