#include "mxscan/common/domain_list.hpp"

#include <zlib.h>
#include <catch2/catch.hpp>

#include <unistd.h>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>

#include "mxscan/common/host_name.hpp"

namespace {

std::string temp_path(const std::string& name) {
  auto dir = std::filesystem::temp_directory_path() / ("mxscan-dl-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  return (dir / name).string();
}

std::string write_file(const std::string& name, const std::string& text) {
  std::string path = temp_path(name);
  std::ofstream(path, std::ios::binary) << text;
  return path;
}

std::vector<mxscan::DomainRecord> read_all(mxscan::DomainSource& src) {
  std::vector<mxscan::DomainRecord> out;
  while (auto rec = src.next()) out.push_back(std::move(*rec));
  return out;
}

}  // namespace

TEST_CASE("host_name_problem accepts host names and names each defect", "[domain_list]") {
  using mxscan::host_name_problem;
  CHECK_FALSE(host_name_problem("example.com"));
  CHECK_FALSE(host_name_problem("xn--bcher-kva.example"));
  CHECK_FALSE(host_name_problem("a-b.c0.de"));
  CHECK_FALSE(host_name_problem(std::string(63, 'a') + ".com"));
  CHECK(*host_name_problem("") == "empty name");
  CHECK(*host_name_problem("a..com") == "empty label");
  CHECK(*host_name_problem(".com") == "empty label");
  CHECK(*host_name_problem(std::string(64, 'a') + ".com") == "label longer than 63 octets");
  std::string long_name;
  for (int i = 0; i < 5; ++i) long_name += std::string(60, 'a') + ".";
  long_name += "com";
  CHECK(*host_name_problem(long_name) == "name longer than 253 octets");
  CHECK(*host_name_problem("ex_ample.com") == "character not allowed in a host name");
  CHECK(*host_name_problem("exa mple.com") == "character not allowed in a host name");
  CHECK(*host_name_problem("-a.com") == "label starts or ends with '-'");
  CHECK(*host_name_problem("192.0.2.1") == "an IP address literal, not a domain name");
  CHECK(*host_name_problem("2001:db8::1") == "an IP address literal, not a domain name");
  CHECK(*host_name_problem("1.2.3") == "all-numeric top-level label");
  CHECK(*host_name_problem("http://example.com") == "a URL, not a domain name");
}

TEST_CASE("classify_domain normalises case, trailing dot and U-labels", "[domain_list]") {
  auto rec = mxscan::classify_domain("  Example.COM.\r", 7);
  CHECK(rec.valid());
  CHECK(rec.domain == "example.com");
  CHECK(rec.line == 7);
  auto idn = mxscan::classify_domain(
      "B\xC3\xBC"
      "cher.example",
      1);
  CHECK(idn.valid());
  CHECK(idn.domain == "xn--bcher-kva.example");
  auto url = mxscan::classify_domain("https://example.com/x", 3);
  CHECK_FALSE(url.valid());
  CHECK(url.domain == "https://example.com/x");
  CHECK(url.problem == "a URL, not a domain name");
  CHECK_FALSE(mxscan::classify_domain("example..com", 1).valid());
  CHECK_FALSE(mxscan::classify_domain("\xFF\xFE.com", 1).valid());
}

TEST_CASE("plain list: comments, blanks, duplicates and invalid lines", "[domain_list]") {
  std::string path = write_file("plain.txt",
                                "# a comment\n"
                                "\n"
                                "example.com\n"
                                "EXAMPLE.com.\n"  // duplicate after normalisation
                                "bad..name\n"
                                "192.0.2.7\n"
                                "other.org\r\n"
                                "   \t\n"
                                "last.net");  // no final newline
  mxscan::DomainListReader reader(path);
  auto recs = read_all(reader);
  REQUIRE(recs.size() == 5);
  CHECK(recs[0].domain == "example.com");
  CHECK(recs[0].line == 3);
  CHECK(recs[1].line == 5);
  CHECK_FALSE(recs[1].valid());
  CHECK(recs[1].problem == "empty label");
  CHECK(recs[2].line == 6);
  CHECK(recs[2].problem == "an IP address literal, not a domain name");
  CHECK(recs[3].domain == "other.org");
  CHECK(recs[4].domain == "last.net");
  CHECK(recs[4].line == 9);
  const auto& st = reader.stats();
  CHECK(st.lines == 9);
  CHECK(st.skipped == 3);
  CHECK(st.valid == 3);
  CHECK(st.invalid == 2);
  CHECK(st.duplicates == 1);
}

TEST_CASE("Tranco CSV with and without header; gzip input", "[domain_list]") {
  std::string text = "rank,domain\n1,google.com\n2,Facebook.com\n3,google.com\n4,\n";
  SECTION("plain file") {
    mxscan::DomainListReader reader(write_file("tranco.csv", text));
    auto recs = read_all(reader);
    REQUIRE(recs.size() == 3);
    CHECK(recs[0].domain == "google.com");
    CHECK(recs[0].line == 2);
    CHECK(recs[1].domain == "facebook.com");
    CHECK_FALSE(recs[2].valid());
    CHECK(recs[2].line == 5);
    CHECK(reader.stats().duplicates == 1);
    CHECK(reader.stats().skipped == 1);
  }
  SECTION("gzip file") {
    std::string path = temp_path("tranco.csv.gz");
    gzFile gz = gzopen(path.c_str(), "wb");
    REQUIRE(gz != nullptr);
    gzwrite(gz, text.data(), static_cast<unsigned>(text.size()));
    gzclose(gz);
    mxscan::DomainListReader reader(path);
    auto recs = read_all(reader);
    REQUIRE(recs.size() == 3);
    CHECK(recs[1].domain == "facebook.com");
  }
  SECTION("explicit csv rejects lines without a rank") {
    mxscan::DomainListReader reader(write_file("bad.csv", "1,a.com\nb.com\n"),
                                    mxscan::DomainListFormat::csv);
    auto recs = read_all(reader);
    REQUIRE(recs.size() == 2);
    CHECK(recs[1].problem == "CSV line is not `rank,domain`");
  }
  SECTION("explicit plain rejects commas") {
    mxscan::DomainListReader reader(write_file("bad.txt", "1,a.com\n"),
                                    mxscan::DomainListFormat::plain);
    auto recs = read_all(reader);
    REQUIRE(recs.size() == 1);
    CHECK_FALSE(recs[0].valid());
  }
}

TEST_CASE("errors: missing file, corrupt gzip, overlong line", "[domain_list]") {
  CHECK_THROWS_WITH(mxscan::DomainListReader(temp_path("does-not-exist")),
                    Catch::Contains("cannot open domain list"));
  // A gzip header followed by garbage: zlib reports a data error after the header.
  std::string corrupt("\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\x03garbage-garbage-garbage", 31);
  mxscan::DomainListReader bad(write_file("corrupt.gz", corrupt));
  CHECK_THROWS_WITH(read_all(bad), Catch::Contains("error reading domain list"));
  mxscan::DomainListReader longline(write_file("long.txt", std::string(70000, 'a') + "\nok.com\n"));
  auto recs = read_all(longline);
  REQUIRE(recs.size() == 2);
  CHECK(recs[0].problem == "line longer than 65536 characters");
  CHECK(recs[1].domain == "ok.com");
  CHECK(recs[1].line == 2);
}

TEST_CASE("seen-set scales and keeps distinct names distinct", "[domain_list]") {
  mxscan::SeenNames seen;
  auto name = [](int i) {
    std::string n = std::to_string(i);
    n += ".com";
    return n;
  };
  for (int i = 0; i < 200000; ++i) REQUIRE(seen.insert(name(i)));
  for (int i = 0; i < 200000; i += 997) CHECK_FALSE(seen.insert(name(i)));
  CHECK(seen.size() == 200000);
  mxscan::DomainVectorSource src({"a.com", "A.com", "b..com", "b.com"});
  auto recs = read_all(src);
  REQUIRE(recs.size() == 3);
  CHECK(src.stats().duplicates == 1);
}

TEST_CASE("stdin as '-' and a UTF-8 byte order mark", "[domain_list]") {
  std::string path = write_file("stdin.txt",
                                "\xEF\xBB\xBF"
                                "1,first.com\n2,second.com\n");
  int saved = ::dup(STDIN_FILENO);
  REQUIRE(saved >= 0);
  FILE* f = std::fopen(path.c_str(), "rb");
  REQUIRE(f != nullptr);
  REQUIRE(::dup2(::fileno(f), STDIN_FILENO) == STDIN_FILENO);
  std::vector<mxscan::DomainRecord> recs;
  {
    mxscan::DomainListReader reader("-");
    recs = read_all(reader);
  }
  ::dup2(saved, STDIN_FILENO);
  ::close(saved);
  std::fclose(f);
  REQUIRE(recs.size() == 2);
  CHECK(recs[0].domain == "first.com");
  CHECK(recs[1].domain == "second.com");
}
