// Which domain records the method runs on, in which order: one record per
// domain name (docs/method.md, "Interpretations", Duplicates), results ordered
// by input line, then name.
//
// Design note. A batch may hold several records of one domain (a scan resumed,
// several folders merged). The kept one is chosen by a total order on the
// records' content (lowest line, then the most informative, then the content),
// so the choice never depends on arrival order. Duplicates are found by sorting
// (hash of name, index) pairs and comparing names only within runs of equal
// hash, which is cheaper than sorting millions of names; the hash only groups,
// the choice inside a run compares names and content, so its values never
// reach an output.
#pragma once

#include <cstdint>
#include <vector>

#include "batch_store.hpp"

namespace mxscan::detail {

// Marks duplicate records `dropped` (counted in stats.duplicate_domains) and
// returns the kept ones' indices in (line, name) order.
std::vector<std::uint32_t> ordered_domains(BatchStore& store, BatchStats& stats);

}  // namespace mxscan::detail
