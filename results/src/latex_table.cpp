#include "mxscan/results/latex_table.hpp"

#include <array>
#include <cstdint>
#include <utility>

namespace mxscan {

namespace {

// Letters and punctuation beyond ASCII that pdflatex typesets out of the box, in
// its default OT1 encoding and in T1 alike (checked by compiling each range with
// both): accented Latin letters and typographic dashes and quotes. Anything else
// (Greek, Cyrillic, CJK, symbols) would stop the author's build with "Unicode
// character not set up", so it prints as '?'.
constexpr std::array<std::pair<std::uint32_t, std::uint32_t>, 20> kTypesetRanges = {{
    {0xC0, 0xCF},   {0xD1, 0xD6},   {0xD8, 0xDD},     {0xDF, 0xEF},     {0xF1, 0xF6},
    {0xF8, 0xFD},   {0xFF, 0x103},  {0x106, 0x10F},   {0x112, 0x117},   {0x11A, 0x125},
    {0x128, 0x12D}, {0x130, 0x137}, {0x139, 0x13E},   {0x141, 0x148},   {0x14C, 0x165},
    {0x168, 0x171}, {0x174, 0x17E}, {0x2013, 0x2014}, {0x2018, 0x2019}, {0x201C, 0x201D},
}};

bool typesets(std::uint32_t cp) {
  for (const auto& [low, high] : kTypesetRanges) {
    if (cp >= low && cp <= high) return true;
  }
  return false;
}

// Length of the UTF-8 sequence at text[i] and its code point; 0 when malformed.
std::size_t utf8_at(std::string_view text, std::size_t i, std::uint32_t& cp) {
  const auto byte = [&](std::size_t k) { return static_cast<unsigned char>(text[k]); };
  const unsigned char lead = byte(i);
  std::size_t len = 0;
  if ((lead & 0xE0U) == 0xC0U) {
    len = 2;
    cp = lead & 0x1FU;
  } else if ((lead & 0xF0U) == 0xE0U) {
    len = 3;
    cp = lead & 0x0FU;
  } else if ((lead & 0xF8U) == 0xF0U) {
    len = 4;
    cp = lead & 0x07U;
  } else {
    return 0;
  }
  if (i + len > text.size()) return 0;
  for (std::size_t k = 1; k < len; ++k) {
    if ((byte(i + k) & 0xC0U) != 0x80U) return 0;
    cp = (cp << 6U) | (byte(i + k) & 0x3FU);
  }
  return len;
}

}  // namespace

std::string latex_escape(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if ((static_cast<unsigned char>(c) & 0x80U) != 0) {
      std::uint32_t cp = 0;
      const std::size_t len = utf8_at(text, i, cp);
      if (len != 0 && typesets(cp)) {
        out.append(text.substr(i, len));
      } else {
        out.push_back('?');
      }
      if (len != 0) i += len - 1;
      continue;
    }
    switch (c) {
      case '#':
      case '$':
      case '%':
      case '&':
      case '_':
      case '{':
      case '}':
        out.push_back('\\');
        out.push_back(c);
        break;
      case '~':
        out += "\\textasciitilde{}";
        break;
      case '^':
        out += "\\textasciicircum{}";
        break;
      case '\\':
        out += "\\textbackslash{}";
        break;
      case '<':
        out += "\\textless{}";
        break;
      case '>':
        out += "\\textgreater{}";
        break;
      default:
        if (static_cast<unsigned char>(c) >= 0x20 && c != 0x7f) out.push_back(c);
    }
  }
  return out;
}

std::string latex_table(const LatexTable& t) {
  std::string out = "% " + latex_escape(t.comment) + "\n";
  out += "\\begin{tabular}{" + t.align + "}\n\\toprule\n";
  auto line = [&](const std::vector<std::string>& cells) {
    for (std::size_t i = 0; i < cells.size(); ++i) {
      if (i) out += " & ";
      out += latex_escape(cells[i]);
    }
    out += " \\\\\n";
  };
  line(t.header);
  out += "\\midrule\n";
  for (const auto& r : t.rows) line(r);
  out += "\\bottomrule\n\\end{tabular}\n";
  return out;
}

}  // namespace mxscan
