// A bar figure of the report and its standalone forms: the SVG a paper
// includes (through a PDF rendered from it) and the CSV of the data behind it.
//
// Design note. One Figure feeds report.html's inline charts and the exported
// files, so what a reader sees and what a paper prints cannot disagree. The
// layout puts each label on its own line above its bar: a label is never cut
// by a label column, and the same drawing works at one-column (3.5 in) and
// two-column (7 in) widths. Text is in points and uses "DejaVu Sans" (the font
// rsvg-convert embeds; a generic sans-serif elsewhere); every bar carries its
// value as text, and bars are dark Okabe-Ito colours, so a grayscale print or a
// colour-blind reader loses nothing.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace mxscan {

struct Bar {
  std::string label;
  double value = 0;
  std::string value_text;  // what is written beside the bar
};

struct Figure {
  std::string name;          // file stem and data-chart attribute: [a-z0-9_-]
  std::string title;         // one line; the SVG <title>
  std::string value_header;  // CSV column of `value` (e.g. "credit", "domains", "percent")
  std::vector<Bar> bars;
  std::string colour;  // one of kPalette
};

// Okabe-Ito colours dark enough for white space around black text.
inline constexpr std::string_view kPaletteBlue = "#0072B2";
inline constexpr std::string_view kPaletteVermillion = "#D55E00";
inline constexpr std::string_view kPaletteGreen = "#009E73";
inline constexpr std::string_view kPalettePurple = "#CC79A7";
inline constexpr std::string_view kPaletteOrange = "#E69F00";
inline constexpr std::string_view kPaletteSky = "#56B4E9";

inline constexpr double kOneColumnInches = 3.5;
inline constexpr double kTwoColumnInches = 7.0;

// Standalone SVG (XML prologue, width/height in inches, viewBox in points).
std::string figure_svg(const Figure& figure, double width_inches);
// label,value_header,value_text (RFC 4180).
std::string figure_csv(const Figure& figure);

// Escapes & < > " ' for XML text and attributes.
std::string xml_escape(std::string_view text);

}  // namespace mxscan
