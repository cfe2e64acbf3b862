// A file that is not a public suffix list is refused: libpsl would take it and
// every registered domain would come out wrong.
#include <catch2/catch.hpp>

#include <unistd.h>
#include <filesystem>
#include <fstream>
#include <string>

#include "mxscan/common/names.hpp"

using mxscan::PublicSuffixList;

namespace {

std::string write_temp(const std::string& name, const std::string& text) {
  const auto path =
      std::filesystem::temp_directory_path() / (std::to_string(::getpid()) + "-" + name);
  std::ofstream(path, std::ios::binary) << text;
  return path.string();
}

}  // namespace

TEST_CASE("PSL: the system list loads") {
  const PublicSuffixList psl;
  CHECK(psl.registered_domain("mail.example.co.uk") == "example.co.uk");
}

TEST_CASE("PSL: an empty or comment-only file is refused") {
  const std::string path = write_temp("empty.dat", "// nothing but a comment\n");
  CHECK_THROWS_WITH(PublicSuffixList(path),
                    Catch::Contains(path) && Catch::Contains("not a public suffix list"));
  std::filesystem::remove(path);
}

TEST_CASE("PSL: a file of other text is refused") {
  const std::string path = write_temp("junk.dat", "1.0.0.0\t24\t13335\nhello world\n");
  CHECK_THROWS_WITH(PublicSuffixList(path),
                    Catch::Contains(path) && Catch::Contains("not a public suffix list"));
  std::filesystem::remove(path);
}

TEST_CASE("PSL: a small list with the common suffixes loads") {
  const std::string path =
      write_temp("small.dat", "// ===BEGIN ICANN DOMAINS===\ncom\nnet\norg\nco.uk\nuk\n");
  const PublicSuffixList psl(path);
  CHECK(psl.registered_domain("a.b.example.co.uk") == "example.co.uk");
  std::filesystem::remove(path);
}
