#include "mxscan/scanner/run/probe_shard.hpp"

#include <catch2/catch.hpp>

#include <fmt/format.h>

#include <array>
#include <set>
#include <string>

using namespace mxscan;

namespace {

std::uint32_t shard_of(const std::string& address, std::uint32_t count) {
  std::uint32_t found = count;
  for (std::uint32_t i = 0; i < count; ++i) {
    if (in_probe_shard(address, {i, count})) {
      REQUIRE(found == count);  // in exactly one shard
      found = i;
    }
  }
  REQUIRE(found < count);
  return found;
}

}  // namespace

TEST_CASE("probe shards are keyed by the /24 or /48 as text") {
  CHECK(probe_prefix("192.0.2.77") == "192.0.2.0/24");
  CHECK(probe_prefix("2001:db8:1:2::25") == "2001:db8:1::/48");
  CHECK(probe_prefix("not an address") == std::nullopt);
  CHECK(stable_hash("192.0.2.0/24") % 7 == shard_of("192.0.2.1", 7));
}

TEST_CASE("every address of an IPv4 /24 is in the same probe shard") {
  for (std::uint32_t count : {2U, 3U, 5U}) {
    for (int net = 0; net < 40; ++net) {
      const std::string base = fmt::format("10.{}.{}.", net % 7, net * 5);
      const std::uint32_t first = shard_of(base + "0", count);
      for (int host = 1; host < 256; ++host) {
        CHECK(shard_of(base + std::to_string(host), count) == first);
      }
    }
  }
}

TEST_CASE("every address of an IPv6 /48 is in the same probe shard") {
  for (int net = 0; net < 40; ++net) {
    const std::string prefix = fmt::format("2001:db8:{:x}:", net);
    const std::uint32_t first = shard_of(prefix + ":1", 3);
    for (const char* rest : {"0::25", "ffff::1", "1234:5678::9", "abcd:ef01:2345:6789:abcd"}) {
      CHECK(shard_of(prefix + rest, 3) == first);
    }
  }
}

TEST_CASE("/24s and /48s spread over the probe shards") {
  constexpr std::uint32_t kCount = 3;
  std::array<int, kCount> v4{}, v6{};
  for (int net = 0; net < 3000; ++net) {
    ++v4[shard_of(fmt::format("198.{}.{}.25", net / 256, net % 256), kCount)];
    ++v6[shard_of(fmt::format("2001:db8:{:x}::25", net), kCount)];
  }
  for (std::uint32_t i = 0; i < kCount; ++i) {
    INFO("shard " << i << ": " << v4[i] << " IPv4 /24s, " << v6[i] << " IPv6 /48s");
    CHECK(v4[i] > 800);  // 1000 each when even
    CHECK(v4[i] < 1200);
    CHECK(v6[i] > 800);
    CHECK(v6[i] < 1200);
  }
}

TEST_CASE("one probe shard holds everything; text that is no address goes to shard 0") {
  CHECK(in_probe_shard("192.0.2.1", {0, 1}));
  CHECK(in_probe_shard("garbage", {0, 4}));
  CHECK_FALSE(in_probe_shard("garbage", {1, 4}));
}
