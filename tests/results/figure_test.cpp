#include "mxscan/results/figure.hpp"

#include <catch2/catch.hpp>

#include <regex>
#include <string>

using namespace mxscan;

namespace {

std::size_t count(const std::string& text, const std::string& needle) {
  std::size_t n = 0;
  for (auto pos = text.find(needle); pos != std::string::npos; pos = text.find(needle, pos + 1))
    ++n;
  return n;
}

Figure sample() {
  return {"company",
          "Top <companies> & more",
          "credit",
          {{"Google", 7.5, "7.50 (35.71%)"},
           {"a \"quoted\", long name", 2, "2 (9.52%)"},
           {std::string(200, 'x'), 0, "0"}},
          std::string(kPaletteBlue)};
}

}  // namespace

TEST_CASE("figure: standalone SVG at one- and two-column widths, text escaped and inside") {
  for (const double inches : {kOneColumnInches, kTwoColumnInches}) {
    INFO(inches);
    const auto svg = figure_svg(sample(), inches);
    CHECK(svg.starts_with("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<svg "));
    CHECK(svg.find(inches < 5 ? "width=\"3.50in\"" : "width=\"7.00in\"") != std::string::npos);
    CHECK(svg.find("font-family=\"DejaVu Sans, sans-serif\"") != std::string::npos);
    CHECK(svg.find("<title>Top &lt;companies&gt; &amp; more</title>") != std::string::npos);
    CHECK(count(svg, "<rect x=\"0\"") == 3);
    CHECK(count(svg, "fill=\"#0072B2\"") == 3);
    CHECK(svg.find("a &quot;quoted&quot;, long name") != std::string::npos);
    CHECK(svg.find("7.50 (35.71%)") != std::string::npos);
    // The 200-character label is cut with an ellipsis to what the width holds.
    const double width = inches * 72;
    const double font = inches < 5 ? 7.0 : 8.5;
    const auto cut = static_cast<std::size_t>(width / (font * 0.62));
    CHECK(svg.find(std::string(cut - 1, 'x') + "\u2026") != std::string::npos);
    CHECK(svg.find(std::string(cut, 'x')) == std::string::npos);
    // Every bar plus its value text stays inside the viewBox.
    const std::regex bar(R"re(<rect x="0" y="[0-9.]+" width="([0-9.]+)")re");
    for (std::sregex_iterator it(svg.begin(), svg.end(), bar), end; it != end; ++it) {
      CHECK(std::stod((*it)[1]) + 3 + 13 * font * 0.62 <= width + 0.5);
    }
  }
}

TEST_CASE("figure: CSV of the data behind it") {
  CHECK(
      figure_csv(sample()).starts_with("label,credit,value_text\n"
                                       "Google,7.5,7.50 (35.71%)\n"
                                       "\"a \"\"quoted\"\", long name\",2,2 (9.52%)\n"));
  CHECK(xml_escape("<a href='x'>&\"") == "&lt;a href=&#39;x&#39;&gt;&amp;&quot;");
}
