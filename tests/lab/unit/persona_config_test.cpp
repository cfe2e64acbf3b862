#include "persona_config.hpp"

#include "conduct_record.hpp"

#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

namespace {

using namespace mxscan::lab;

std::string write_temp(const std::string& name, const std::string& text) {
  const auto path = std::filesystem::temp_directory_path() /
                    ("mxscan-lab-test-" + std::to_string(::getpid()) + "-" + name);
  std::ofstream(path) << text;
  return path.string();
}

std::string load_error(const std::string& toml) {
  const auto path = write_temp("bad.toml", toml);
  try {
    PersonaMap::load(path);
  } catch (const std::exception& e) {
    std::filesystem::remove(path);
    return e.what();
  }
  std::filesystem::remove(path);
  return "";
}

}  // namespace

TEST_CASE("address ranges: single address, CIDR and dash forms, bad forms rejected") {
  auto r = parse_address_range("127.1.2.3");
  REQUIRE(r);
  CHECK(r->first == r->last);
  r = parse_address_range("127.40.0.0/22");
  REQUIRE(r);
  CHECK(format_ipv4(r->first) == "127.40.0.0");
  CHECK(format_ipv4(r->last) == "127.40.3.255");
  r = parse_address_range("127.100.0.1-127.103.255.254");
  REQUIRE(r);
  CHECK(r->last - r->first + 1 == (1u << 18) - 2);
  CHECK_FALSE(parse_address_range("127.40.0.1/22"));  // host bits set
  CHECK_FALSE(parse_address_range("127.0.0.9-127.0.0.1"));
  CHECK_FALSE(parse_address_range("127.0.0"));
  CHECK_FALSE(parse_address_range("127.0.0.256"));
  CHECK_FALSE(parse_address_range("127.0.0.1/33"));
  CHECK_FALSE(parse_address_range("127.0.0.1 "));
}

TEST_CASE("persona map: exact addresses override ranges, misses are null") {
  const auto path = write_temp("ok.toml", R"(
[[persona]]
name = "tail"
addresses = ["127.100.0.0/16"]
banner = "220 mail.sh-%ipdash%.com ESMTP"

[[persona]]
name = "special"
addresses = ["127.100.0.7", "127.15.169.1"]
banner = "220 mx.google.com ESMTP"
ehlo = ["mx.google.com"]
fault = "drip"
drip_ms = 5

[[persona]]
name = "pf"
addresses = ["127.80.75.10"]
forward = "127.80.75.10:2525"
)");
  // "drip" is not a fault (drip_ms is a setting): the file must be refused.
  CHECK_THROWS_WITH(PersonaMap::load(path), Catch::Contains("unknown fault drip"));
  std::filesystem::remove(path);

  const auto good = write_temp("good.toml", R"(
[[persona]]
name = "tail"
addresses = ["127.100.0.0/16"]
banner = "220 mail.sh-%ipdash%.com ESMTP"

[[persona]]
name = "special"
addresses = ["127.100.0.7", "127.15.169.1"]
banner = "220 mx.google.com ESMTP"
drip_ms = 5

[[persona]]
name = "pf"
addresses = ["127.80.75.10"]
forward = "127.80.75.10:2525"
)");
  const auto map = PersonaMap::load(good);
  std::filesystem::remove(good);
  CHECK(map.personas().size() == 3);
  CHECK(map.address_count() == 65536 + 3);
  CHECK(map.find(*parse_ipv4("127.100.0.7"))->name == "special");
  CHECK(map.find(*parse_ipv4("127.100.0.8"))->name == "tail");
  CHECK(map.find(*parse_ipv4("127.100.255.255"))->name == "tail");
  CHECK(map.find(*parse_ipv4("127.101.0.0")) == nullptr);
  CHECK(map.find(*parse_ipv4("127.99.255.255")) == nullptr);
  CHECK(map.find(*parse_ipv4("127.80.75.10"))->forward == "127.80.75.10:2525");
  CHECK(map.find(*parse_ipv4("127.15.169.1"))->drip_ms == 5);
}

TEST_CASE("persona map: configuration errors are named") {
  CHECK_THAT(
      load_error("[[persona]]\nname = \"a\"\naddresses = [\"10.0.0.1\"]\nbanner = \"220 x\"\n"),
      Catch::Contains("outside 127.0.0.0/8"));
  CHECK_THAT(
      load_error("[[persona]]\nname = \"a\"\naddresses = [\"127.1.0.0/16\"]\nbanner = \"220 x\"\n"
                 "[[persona]]\nname = \"b\"\naddresses = [\"127.1.2.0/24\"]\nbanner = \"220 y\"\n"),
      Catch::Contains("overlap"));
  CHECK_THAT(
      load_error("[[persona]]\nname = \"a\"\naddresses = [\"127.1.0.1\"]\nbanner = \"220 x\"\n"
                 "[[persona]]\nname = \"b\"\naddresses = [\"127.1.0.1\"]\nbanner = \"220 y\"\n"),
      Catch::Contains("already has a persona"));
  CHECK_THAT(
      load_error("[[persona]]\nname = \"a\"\naddresses = [\"127.1.0.1\"]\nbanner = \"220 x\"\n"
                 "starttls = \"offer\"\n"),
      Catch::Contains("needs a chain"));
  CHECK_THAT(
      load_error(
          "[[persona]]\nname = \"a\"\naddresses = [\"127.1.0.1\"]\nforward = \"10.0.0.1:25\"\n"),
      Catch::Contains("forward must be"));
  CHECK_THAT(
      load_error("[[persona]]\nname = \"a\"\naddresses = [\"127.1.0.1\"]\nbanner = \"220 x\"\n"
                 "greting_delay_ms = 5\n"),
      Catch::Contains("unknown key greting_delay_ms"));
  CHECK_THAT(load_error("[[persona]]\nname = \"a\"\naddresses = [\"127.1.0.1\"]\n"),
             Catch::Contains("needs a banner"));
  CHECK_THAT(load_error("[[persona\n"), Catch::Contains("TOML error"));
}

TEST_CASE("conduct record: connections and peak concurrency per address and /24") {
  const auto stats = write_temp("stats.tsv", "");
  const auto log = write_temp("commands.log", "");
  {
    ConductRecord rec(stats, log);
    const auto a = *parse_ipv4("127.65.2.1");
    const auto b = *parse_ipv4("127.65.2.9");
    rec.opened(a);
    rec.opened(a);
    rec.opened(b);  // three at once in the /24, two on a
    rec.closed(a);
    rec.closed(a);
    rec.opened(a);  // a: 3 connections, peak still 2
    rec.command(a, 1, "plain", "EHLO scanner.lab.example\r\n");
    rec.command(b, 2, "tls",
                std::string("bad\x01"
                            "byte"));
    rec.flush();
  }
  std::ifstream in(stats);
  std::stringstream text;
  text << in.rdbuf();
  CHECK_THAT(text.str(), Catch::Contains("total\t-\t4\t3\n"));
  CHECK_THAT(text.str(), Catch::Contains("commands\t-\t2\t0\n"));
  CHECK_THAT(text.str(), Catch::Contains("net24\t127.65.2.0/24\t4\t3\n"));
  CHECK_THAT(text.str(), Catch::Contains("addr\t127.65.2.1\t3\t2\n"));
  CHECK_THAT(text.str(), Catch::Contains("addr\t127.65.2.9\t1\t1\n"));
  std::ifstream lin(log);
  std::stringstream lines;
  lines << lin.rdbuf();
  CHECK(lines.str() ==
        "127.65.2.1\t1\tplain\tEHLO scanner.lab.example\n127.65.2.9\t2\ttls\tbad?byte\n");
  std::filesystem::remove(stats);
  std::filesystem::remove(log);
}
