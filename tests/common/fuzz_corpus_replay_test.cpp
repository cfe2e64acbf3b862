// Corpus replay: every seed and past finding of the common library's fuzz
// targets (tests/fuzz/<target>/) through its harness, in the normal and ASan builds.
#include "fuzz_harness.hpp"

#include <catch2/catch.hpp>

#include "corpus_replay.hpp"

using mxscan::fuzz::replay_corpus;

TEST_CASE("corpus replay: domain_list", "[fuzz]") {
  replay_corpus("domain_list", mxscan::fuzz::fuzz_domain_list, 6);
}

TEST_CASE("corpus replay: names", "[fuzz]") {
  replay_corpus("names", mxscan::fuzz::fuzz_names, 15);
}

TEST_CASE("corpus replay: scan_config", "[fuzz]") {
  replay_corpus("scan_config", mxscan::fuzz::fuzz_scan_config, 4);
}

TEST_CASE("corpus replay: observation_jsonl", "[fuzz]") {
  replay_corpus("observation_jsonl", mxscan::fuzz::fuzz_observation_jsonl, 5);
}

TEST_CASE("corpus replay: pfx2as", "[fuzz]") {
  replay_corpus("pfx2as", mxscan::fuzz::fuzz_pfx2as, 3);
}

TEST_CASE("corpus replay: cert_names", "[fuzz]") {
  replay_corpus("cert_names", mxscan::fuzz::fuzz_cert_names, 10);
}
