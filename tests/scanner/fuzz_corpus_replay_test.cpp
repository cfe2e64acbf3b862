// Corpus replay: every seed and past finding of the scanner library's fuzz
// targets (tests/fuzz/<target>/) through its harness, in the normal and ASan builds.
#include "fuzz_harness.hpp"

#include <catch2/catch.hpp>

#include "corpus_replay.hpp"

TEST_CASE("corpus replay: smtp_reply", "[fuzz]") {
  mxscan::fuzz::replay_corpus("smtp_reply", mxscan::fuzz::fuzz_smtp_reply, 8);
}
