#include "mxscan/inference/catalog_check.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <optional>

#include "mxscan/common/names.hpp"
#include "scenario.hpp"

using namespace mxscan;

namespace {
const PublicSuffixList& psl() {
  static const PublicSuffixList list;
  return list;
}

std::vector<std::string> lines_of(const std::vector<CatalogProblem>& problems) {
  std::vector<std::string> out;
  out.reserve(problems.size());
  for (const auto& p : problems) {
    out.push_back(std::to_string(p.line) + " " + std::string(to_string(p.kind)) + ": " + p.message);
  }
  return out;
}
}  // namespace

TEST_CASE("the shipped catalog passes its own check") {
  auto catalog = Catalog::load(mxscan::test::source_path("configs/providers.toml"),
                               CatalogLoad::tolerate_shared_ids);
  const auto problems = check_catalog(catalog, psl());
  for (const auto& line : lines_of(problems)) UNSCOPED_INFO(line);
  CHECK(problems.empty());
  // Every company cites a source, and every ID glob has an example behind it.
  for (const auto& c : catalog.companies()) {
    INFO(c.name);
    CHECK_FALSE(c.sources.empty());
  }
}

TEST_CASE("a broken catalog: every kind of problem, each at its entry") {
  auto catalog =
      Catalog::load(mxscan::test::source_path("tests/inference/data/catalog_check_broken.toml"),
                    CatalogLoad::tolerate_shared_ids);
  const auto lines = lines_of(check_catalog(catalog, psl()));
  for (const auto& line : lines) UNSCOPED_INFO(line);
  auto has = [&](const std::string& text) {
    return std::any_of(lines.begin(), lines.end(),
                       [&](const std::string& l) { return l.find(text) != std::string::npos; });
  };
  CHECK(has("shared ID: provider ID 'shared.net' is claimed by Hoster and Filter"));
  CHECK(has("shared ID: provider ID 'hoster.net' of Hoster also matches 'hoster*.net' of Greedy"));
  CHECK(has("no source: Filter has no sources"));
  CHECK(has("pattern matches nothing: ID pattern 'filter-*.net' of Filter matches none"));
  CHECK(has("pattern matches nothing: ID pattern 'hoster*.net' of Greedy matches none"));
  CHECK(has("pattern matches nothing: VPS rule 2 for 'hoster.net' decides none"));
  CHECK(
      has("example not mapped: example 'mx.unknown.net' of Filter has ID 'unknown.net', which "
          "no company claims"));
  CHECK(has("VPS rules of no company: VPS rules for 'nobody.net', which no company claims"));
  CHECK(lines.size() == 8);
  // What is right is not reported: Hoster's glob reaches mx.hoster-eu.net, its
  // first VPS rule decides mx1.hoster.net.
  CHECK_FALSE(has("'hoster-*.net' of Hoster matches none"));
  CHECK_FALSE(has("VPS rule 1 "));
  // Problems come in file order.
  const auto problems = check_catalog(catalog, psl());
  CHECK(std::is_sorted(problems.begin(), problems.end(),
                       [](const auto& a, const auto& b) { return a.line < b.line; }));
}

TEST_CASE("examples under a private suffix are checked as the method sees them") {
  const auto text = R"(
[[company]]
name = "Cloud"
ids = ["inbound-smtp.*.amazonaws.com"]
asns = [64500]
sources = ["https://cloud.example/mx"]
examples = ["inbound-smtp.us-east-1.amazonaws.com", "inbound-smtp.eu-west-1.amazonaws.com"]
)";
  // us-east-1.amazonaws.com is a suffix (the host is its own RD, the glob reaches
  // it); eu-west-1 is not (its RD amazonaws.com is nobody's here: a missing ID).
  const auto lines = lines_of(check_catalog(Catalog::parse(text), psl()));
  REQUIRE(lines.size() == 1);
  CHECK(lines[0].find("example 'inbound-smtp.eu-west-1.amazonaws.com' of Cloud has ID "
                      "'amazonaws.com', which no company claims") != std::string::npos);
}

TEST_CASE("every VPS rule of the shipped catalog is shown both ways by its block's examples") {
  auto catalog = Catalog::load(mxscan::test::source_path("configs/providers.toml"));
  std::size_t rules = 0;
  for (const auto& block : catalog.vps_blocks()) {
    const auto source = block.banner ? NameSource::banner : NameSource::certificate;
    for (std::size_t i = 0; i < block.rule_lines.size(); ++i, ++rules) {
      INFO(block.rd << " rule " << i + 1 << " (line " << block.rule_lines[i] << ")");
      // A name the rule decides, and a name of the other class under the same RD: the
      // rule must flag what it should and leave the provider's own names alone, or the
      // other way round.
      std::optional<NameClass> decided;
      for (const auto& name : block.examples) {
        if (catalog.deciding_rule(name, block.rd, source) == i) {
          decided = catalog.classify(name, block.rd, source);
        }
      }
      REQUIRE(decided.has_value());
      CHECK(std::any_of(block.examples.begin(), block.examples.end(), [&](const std::string& n) {
        return catalog.classify(n, block.rd, source) != *decided;
      }));
    }
  }
  CHECK(rules == catalog.vps_rule_count());
}
