#include "mxscan/results/latex_table.hpp"

namespace mxscan {

std::string latex_escape(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
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
