#include "mxscan/inference/catalog_check.hpp"

#include <fmt/format.h>

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
          fmt::format("provider ID '{}' is claimed by {} and {}", s.id, name_of(s.first),
                      name_of(s.second)));
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
                  fmt::format("provider ID '{}' of {} also matches '{}' of {}", id,
                              companies[e].name, pattern, companies[g].name));
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
          fmt::format("{} has no sources (where its IDs, ASes and names come from)", c.name));
    }
    std::vector<std::string> example_ids;
    for (const auto& example : c.examples) {
      std::string id = id_of(psl, example);
      if (id.empty()) {
        add(CatalogProblemKind::unmapped_example, c.line,
            fmt::format("example '{}' of {} has no registered domain", example, c.name));
        continue;
      }
      auto owner = catalog.company_index(id);
      if (!owner) {
        add(CatalogProblemKind::unmapped_example, c.line,
            fmt::format("example '{}' of {} has ID '{}', which no company claims", example, c.name,
                        id));
      } else if (*owner != index) {
        add(CatalogProblemKind::shared_id, c.line,
            fmt::format("example '{}' of {} has ID '{}', which is {}'s", example, c.name, id,
                        name_of(*owner)));
      }
      example_ids.push_back(std::move(id));
    }
    for (const auto& pattern : c.ids) {
      if (!is_glob(pattern)) continue;
      bool reached = std::any_of(example_ids.begin(), example_ids.end(),
                                 [&](const std::string& id) { return glob_match(pattern, id); });
      if (!reached) {
        add(CatalogProblemKind::unmatched_pattern, c.line,
            fmt::format("ID pattern '{}' of {} matches none of its examples", pattern, c.name));
      }
    }
  }

  void block(const VpsBlock& b) {
    if (!catalog.company_index(b.rd)) {
      add(CatalogProblemKind::orphan_block, b.line,
          fmt::format("VPS rules for '{}', which no company claims", b.rd));
    }
    std::vector<bool> reached(b.rule_lines.size(), false);
    for (const auto& example : b.examples) {
      if (id_of(psl, example) != b.rd) {
        add(CatalogProblemKind::unmapped_example, b.line,
            fmt::format("example '{}' of the VPS rules for '{}' is not under it", example, b.rd));
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
            fmt::format("VPS rule {} for '{}' decides none of the block's examples", i + 1, b.rd));
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
