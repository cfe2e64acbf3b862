// Corpus replay: every seed and past finding of the inference library's fuzz
// targets (tests/fuzz/<target>/) through its harness, in the normal and ASan builds.
#include "fuzz_harness.hpp"

#include <catch2/catch.hpp>

#include "corpus_replay.hpp"

TEST_CASE("corpus replay: fqdn_extractor", "[fuzz]") {
  mxscan::fuzz::replay_corpus("fqdn_extractor", mxscan::fuzz::fuzz_fqdn_extractor, 12);
}

TEST_CASE("corpus replay: provider_catalog", "[fuzz]") {
  mxscan::fuzz::replay_corpus("provider_catalog", mxscan::fuzz::fuzz_provider_catalog, 5);
}
