// Corpus replay: every seed and past finding of the scanner library's fuzz
// targets (tests/fuzz/<target>/) through its harness, in the normal and ASan builds.
#include "fuzz_harness.hpp"

#include <catch2/catch.hpp>

#include "corpus_replay.hpp"

using mxscan::fuzz::replay_corpus;

TEST_CASE("corpus replay: smtp_reply", "[fuzz]") {
  replay_corpus("smtp_reply", mxscan::fuzz::fuzz_smtp_reply, 12);
}

TEST_CASE("corpus replay: dns_message", "[fuzz]") {
  replay_corpus("dns_message", mxscan::fuzz::fuzz_dns_message, 10);
}

TEST_CASE("corpus replay: blocklist", "[fuzz]") {
  replay_corpus("blocklist", mxscan::fuzz::fuzz_blocklist, 5);
}
