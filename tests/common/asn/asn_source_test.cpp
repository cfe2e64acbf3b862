#include "mxscan/common/asn/asn_source.hpp"

#include <catch2/catch.hpp>

#include "mxscan/common/asn/pfx2as_asn_source.hpp"

using mxscan::IpAddress;
using mxscan::Pfx2AsSource;

namespace {

IpAddress ip(const char* text) {
  auto a = IpAddress::parse(text);
  REQUIRE(a);
  return *a;
}

}  // namespace

TEST_CASE("pfx2as: longest prefix, multi-origin, AS sets, malformed lines counted") {
  const Pfx2AsSource src(
      "1.0.0.0\t24\t13335\n"
      "1.0.0.0\t16\t64500\n"
      "8.8.8.0\t24\t15169_36040\n"
      "9.9.9.0\t24\t19281,64512\n"
      "2001:4860::\t32\t15169\n"
      "bad line without tabs\n"
      "10.0.0.0\t40\t1\n"
      "11.0.0.0\t8\tAS12\n"
      "12.0.0.0\t8\t7018\textra\n"
      "\n",
      "t.pfx2as");
  CHECK(src.prefixes() == 5);
  CHECK(src.lookup(ip("1.0.0.77"))->asn == 13335);
  CHECK(src.lookup(ip("1.0.1.1"))->asn == 64500);
  CHECK(src.lookup(ip("8.8.8.8"))->asn == 15169);
  CHECK(src.lookup(ip("9.9.9.9"))->asn == 19281);
  CHECK(src.lookup(ip("2001:4860:4860::8888"))->asn == 15169);
  CHECK(src.lookup(ip("::ffff:8.8.8.8"))->asn == 15169);
  CHECK_FALSE(src.lookup(ip("1.1.1.1")));
  CHECK(src.lookup(ip("1.0.0.1"))->name.empty());
  CHECK(src.malformed_lines() == 4);
  REQUIRE(src.malformed_examples().size() == 4);
  CHECK(src.malformed_examples()[0].rfind("t.pfx2as:6:", 0) == 0);
  CHECK(src.malformed_examples()[1].rfind("t.pfx2as:7:", 0) == 0);
  CHECK(src.malformed_examples()[3].rfind("t.pfx2as:9:", 0) == 0);
  CHECK_THROWS_WITH(Pfx2AsSource(std::string("/nonexistent.pfx2as")),
                    Catch::Contains("/nonexistent.pfx2as"));
}
