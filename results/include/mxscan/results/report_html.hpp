// report.html and the plain-text summary of `mxscan report`.
//
// Design note. Pure functions: figures in, text out; no files, no clock. The
// HTML is one self-contained document (inline CSS and SVG; no font, no
// image or link fetched from anywhere), readable without JavaScript and
// printable. Its one script, the domain table's filter, is a constant the
// Content-Security-Policy allows by its SHA-256: no other script can run. Every string that comes
// from data (banners end up in AS names, domain and provider names, manifest values, file paths)
// goes through html_escape(), in text and in attributes alike, so nothing from a scanned server can
// inject markup.
#pragma once

#include "mxscan/results/migration.hpp"
#include "mxscan/results/report_data.hpp"

#include <string>
#include <string_view>

namespace mxscan {

// Escapes & < > " ' (safe in text and in double- or single-quoted attributes).
std::string html_escape(std::string_view text);

struct Comparison {
  std::string old_folder;
  Migration migration;
};

// `rows`: bars per market-share chart (20 by default: the head of the market, still legible).
std::string render_html(const ReportData& data, const Comparison* comparison = nullptr,
                        std::size_t rows = 20);
std::string render_text(const ReportData& data, std::size_t rows = 10);

}  // namespace mxscan
