#include "mxscan/inference/catalog_check.hpp"

#include <algorithm>

#include "mxscan/common/names.hpp"
#include "mxscan/inference/glob.hpp"

namespace mxscan {

namespace {

// The ID the method derives from a name: a certificate wildcard stands for the
// names it covers (docs/method.md "Certificate names").
std::string id_of(const PublicSuffixList& psl, std::string_view name) {
  if (name.starts_with("*.")) name.remove_prefix(2);
  return psl.registered_domain(name);
}

struct Checker {
  const Catalog& catalog;
  const PublicSuffixList& psl;
  std::vector<CatalogProblem> problems;

  void add(CatalogProblemKind kind, std::uint32_t line, std::string message) {
    problems.push_back(CatalogProblem{kind, line, std::move(message)});
  }

  const std::string& name_of(std::size_t company) const {
    return catalog.companies()[company].name;
  }

  void shared_ids() {
    for (const auto& s : catalog.shared_ids()) {
      add(CatalogProblemKind::shared_id, catalog.companies()[s.second].line,
          "provider ID '" + s.id + "' is claimed by " + name_of(s.first) + " and " +
              name_of(s.second));
    }
    // A glob of one company that covers an exact ID of another: the exact ID
    // wins the lookup, so the overlap is silent.
    const auto& companies = catalog.companies();
    for (std::size_t g = 0; g < companies.size(); ++g) {
      for (const auto& pattern : companies[g].ids) {
        if (!is_glob(pattern)) continue;
        for (std::size_t e = 0; e < companies.size(); ++e) {
          if (e == g) continue;
          for (const auto& id : companies[e].ids) {
            if (!is_glob(id) && glob_match(pattern, id)) {
              add(CatalogProblemKind::shared_id, companies[g].line,
                  "provider ID '" + id + "' of " + companies[e].name + " also matches '" + pattern +
                      "' of " + companies[g].name);
            }
          }
        }
      }
    }
  }

  void company(std::size_t index) {
    const auto& c = catalog.companies()[index];
    if (c.sources.empty()) {
      add(CatalogProblemKind::no_source, c.line,
          c.name + " has no sources (where its IDs, ASes and names come from)");
    }
    std::vector<std::string> example_ids;
    for (const auto& example : c.examples) {
      std::string id = id_of(psl, example);
      if (id.empty()) {
        add(CatalogProblemKind::unmapped_example, c.line,
            "example '" + example + "' of " + c.name + " has no registered domain");
        continue;
      }
      auto owner = catalog.company_index(id);
      if (!owner) {
        add(CatalogProblemKind::unmapped_example, c.line,
            "example '" + example + "' of " + c.name + " has ID '" + id +
                "', which no company claims");
      } else if (*owner != index) {
        add(CatalogProblemKind::shared_id, c.line,
            "example '" + example + "' of " + c.name + " has ID '" + id + "', which is " +
                name_of(*owner) + "'s");
      }
      example_ids.push_back(std::move(id));
    }
    for (const auto& pattern : c.ids) {
      if (!is_glob(pattern)) continue;
      bool reached = std::any_of(example_ids.begin(), example_ids.end(),
                                 [&](const std::string& id) { return glob_match(pattern, id); });
      if (!reached) {
        add(CatalogProblemKind::unmatched_pattern, c.line,
            "ID pattern '" + pattern + "' of " + c.name + " matches none of its examples");
      }
    }
  }

  void block(const VpsBlock& b) {
    if (!catalog.company_index(b.rd)) {
      add(CatalogProblemKind::orphan_block, b.line,
          "VPS rules for '" + b.rd + "', which no company claims");
    }
    std::vector<bool> reached(b.rule_lines.size(), false);
    for (const auto& example : b.examples) {
      if (id_of(psl, example) != b.rd) {
        add(CatalogProblemKind::unmapped_example, b.line,
            "example '" + example + "' of the VPS rules for '" + b.rd + "' is not under it");
        continue;
      }
      for (auto source : {NameSource::banner, NameSource::certificate}) {
        if ((source == NameSource::banner && !b.banner) ||
            (source == NameSource::certificate && !b.certificate)) {
          continue;
        }
        if (auto rule = catalog.deciding_rule(example, b.rd, source)) reached[*rule] = true;
      }
    }
    for (std::size_t i = 0; i < reached.size(); ++i) {
      if (!reached[i]) {
        add(CatalogProblemKind::unmatched_pattern, b.rule_lines[i],
            "VPS rule " + std::to_string(i + 1) + " for '" + b.rd +
                "' decides none of the block's examples");
      }
    }
  }
};

}  // namespace

std::string_view to_string(CatalogProblemKind kind) noexcept {
  switch (kind) {
    case CatalogProblemKind::shared_id:
      return "shared ID";
    case CatalogProblemKind::unmatched_pattern:
      return "pattern matches nothing";
    case CatalogProblemKind::unmapped_example:
      return "example not mapped";
    case CatalogProblemKind::no_source:
      return "no source";
    case CatalogProblemKind::orphan_block:
      return "VPS rules of no company";
  }
  return "problem";
}

std::vector<CatalogProblem> check_catalog(const Catalog& catalog, const PublicSuffixList& psl) {
  Checker checker{catalog, psl, {}};
  checker.shared_ids();
  for (std::size_t i = 0; i < catalog.companies().size(); ++i) checker.company(i);
  for (const auto& b : catalog.vps_blocks()) checker.block(b);
  std::stable_sort(
      checker.problems.begin(), checker.problems.end(),
      [](const CatalogProblem& a, const CatalogProblem& b) { return a.line < b.line; });
  return std::move(checker.problems);
}

}  // namespace mxscan
