// booktabs tables for a paper: a tabular to \input inside the author's own
// table float (caption and label stay the author's).
//
// Design note. Every cell is text from data (provider IDs, AS names from
// banners and databases), so every cell goes through latex_escape(): the ten
// characters TeX treats specially become their text forms and nothing can
// run a macro. Numeric columns are right-aligned.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace mxscan {

struct LatexTable {
  std::string comment;              // first line, after "% "
  std::vector<std::string> header;  // column titles
  std::string align;                // one of l/r per column
  std::vector<std::vector<std::string>> rows;
};

// # $ % & _ { } ~ ^ \ < > escaped (text forms); control characters dropped;
// accented Latin letters and typographic dashes and quotes kept as UTF-8 (pdflatex
// reads them by default); any other character, or malformed UTF-8, becomes '?'.
std::string latex_escape(std::string_view text);
// \begin{tabular}{...}\toprule ...\midrule ...\bottomrule\end{tabular}; needs
// \usepackage{booktabs}.
std::string latex_table(const LatexTable& table);

}  // namespace mxscan
