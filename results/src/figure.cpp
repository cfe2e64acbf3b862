#include "mxscan/results/figure.hpp"

#include "mxscan/results/csv_text.hpp"
#include "mxscan/results/report_html.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

namespace mxscan {

namespace {

// DejaVu Sans averages about 0.6 em per character over mixed and upper case:
// a bound used to keep every label and value inside the drawing.
constexpr double kEmPerChar = 0.62;

std::size_t code_points(std::string_view text) {
  std::size_t n = 0;
  for (char c : text) n += (static_cast<unsigned char>(c) & 0xC0U) != 0x80U ? 1 : 0;
  return n;
}

std::string shorten(std::string_view text, std::size_t max) {
  std::size_t points = 0;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if ((static_cast<unsigned char>(text[i]) & 0xC0U) != 0x80U) {
      if (points + 1 == max && code_points(text) > max)
        return std::string(text.substr(0, i)) + "\u2026";
      ++points;
    }
  }
  return std::string(text);
}

}  // namespace

std::string xml_escape(std::string_view text) {
  // XML needs exactly the five entities HTML text and attributes do.
  return html_escape(text);
}

std::string figure_svg(const Figure& f, double width_inches) {
  const double width = width_inches * 72.0;
  const double font = width_inches < 5 ? 7.0 : 8.5;
  const double label_line = font * 1.3;
  const double bar_height = font * 1.2;
  const double row = label_line + bar_height + font * 0.6;
  const double char_width = font * kEmPerChar;
  std::size_t value_chars = 0;
  double max = 0;
  for (const auto& b : f.bars) {
    value_chars = std::max(value_chars, code_points(b.value_text));
    max = std::max(max, b.value);
  }
  const double value_space =
      std::min(width * 0.6, static_cast<double>(value_chars) * char_width + 6);
  const double bar_space = width - value_space - 1;
  const auto label_chars = static_cast<std::size_t>(std::floor(width / char_width));
  const double height = std::max(1.0, static_cast<double>(f.bars.size())) * row + 2;
  std::string out = fmt::format(
      "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
      "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{:.2f}in\" height=\"{:.2f}in\" "
      "viewBox=\"0 0 {:.1f} {:.1f}\" font-family=\"DejaVu Sans, sans-serif\" "
      "font-size=\"{:.1f}\">\n<title>{}</title>\n"
      "<rect width=\"100%\" height=\"100%\" fill=\"#ffffff\"/>\n",
      width_inches, height / 72.0, width, height, font, xml_escape(f.title));
  for (std::size_t i = 0; i < f.bars.size(); ++i) {
    const auto& b = f.bars[i];
    const double y = static_cast<double>(i) * row + 1;
    const double w = max > 0 ? std::max(0.8, bar_space * b.value / max) : 0.8;
    out += fmt::format(
        "<text x=\"1\" y=\"{:.1f}\" fill=\"#000000\">{}</text>"
        "<rect x=\"0\" y=\"{:.1f}\" width=\"{:.1f}\" height=\"{:.1f}\" fill=\"{}\"/>"
        "<text x=\"{:.1f}\" y=\"{:.1f}\" fill=\"#000000\">{}</text>\n",
        y + font, xml_escape(shorten(b.label, label_chars)), y + label_line, w, bar_height,
        f.colour, w + 3, y + label_line + bar_height * 0.8, xml_escape(b.value_text));
  }
  out += "</svg>\n";
  return out;
}

std::string figure_csv(const Figure& f) {
  std::string out = csv_row({"label", f.value_header, "value_text"});
  for (const auto& b : f.bars) {
    out += csv_row({b.label, fmt::format("{}", b.value), b.value_text});
  }
  return out;
}

}  // namespace mxscan
