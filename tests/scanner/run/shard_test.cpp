#include "mxscan/scanner/run/shard.hpp"

#include <catch2/catch.hpp>

#include <array>
#include <string>

using namespace mxscan;

TEST_CASE("stable_hash is FNV-1a 64 (fixed across builds)") {
  CHECK(stable_hash("") == 14695981039346656037ULL);
  CHECK(stable_hash("a") == 0xaf63dc4c8601ec8cULL);
  CHECK(stable_hash("foobar") == 0x85944171f73967e8ULL);
}

TEST_CASE("every domain falls in exactly one shard, and shards are balanced") {
  std::array<int, 4> counts{};
  std::array<ShardSpec, 4> shards{{{0, 4}, {1, 4}, {2, 4}, {3, 4}}};
  for (int i = 0; i < 4000; ++i) {
    std::string d = "domain" + std::to_string(i) + ".example";
    int hits = 0;
    for (std::size_t s = 0; s < shards.size(); ++s) {
      if (shards[s].contains(d)) {
        ++hits;
        ++counts[s];
      }
    }
    CHECK(hits == 1);
  }
  for (int c : counts) {
    CHECK(c > 850);
    CHECK(c < 1150);
  }
}

TEST_CASE("shard spec parsing (I/N)") {
  std::string err;
  auto s = parse_shard("2/8", err);
  REQUIRE(s);
  CHECK(s->index == 2);
  CHECK(s->count == 8);
  CHECK(s->to_string() == "2/8");
  CHECK_FALSE(parse_shard("8/8", err));
  CHECK(err.find("0 <= I < N") != std::string::npos);
  CHECK_FALSE(parse_shard("1/0", err));
  CHECK_FALSE(parse_shard("a/2", err));
  CHECK_FALSE(parse_shard("1-2", err));
  CHECK_FALSE(parse_shard("/2", err));
  CHECK(ShardSpec{}.contains("anything.example"));
}
