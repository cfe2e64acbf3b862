#include "mxscan/results/latex_table.hpp"

#include <catch2/catch.hpp>

using namespace mxscan;

TEST_CASE("latex: the characters TeX treats specially become text") {
  CHECK(latex_escape("50% & more_ids #1") == "50\\% \\& more\\_ids \\#1");
  CHECK(latex_escape("$x^2$ {a} ~b \\c") ==
        "\\$x\\textasciicircum{}2\\$ \\{a\\} \\textasciitilde{}b \\textbackslash{}c");
  CHECK(latex_escape("<script>") == "\\textless{}script\\textgreater{}");
  CHECK(latex_escape(std::string("bell\a tab\t end", 15)) == "bell tab end");
  CHECK(latex_escape("Zürich GmbH – Łódź") == "Zürich GmbH – Łódź");
  // What pdflatex cannot typeset without packages the author may not have.
  CHECK(latex_escape("日本 Ħ €") == "?? ? ?");
  CHECK(latex_escape(std::string("bad\xff\xc3 end")) == "bad?? end");
  CHECK(latex_escape(std::string("cut\xe6\x97")) == "cut??");
}

TEST_CASE("latex: a booktabs tabular with escaped cells") {
  const LatexTable t{"Top IDs, 100% of them",
                     {"#", "ID", "Share"},
                     "rlr",
                     {{"1", "my_host.example", "50%"}, {"2", "a&b.example", "25%"}}};
  CHECK(latex_table(t) ==
        "% Top IDs, 100\\% of them\n"
        "\\begin{tabular}{rlr}\n\\toprule\n"
        "\\# & ID & Share \\\\\n"
        "\\midrule\n"
        "1 & my\\_host.example & 50\\% \\\\\n"
        "2 & a\\&b.example & 25\\% \\\\\n"
        "\\bottomrule\n\\end{tabular}\n");
}
