// A file that is not a public suffix list is refused: libpsl would take it and
// every registered domain would come out wrong.
#include <catch2/catch.hpp>

#include <string>

#include "mxscan/common/names.hpp"
#include "temp_dir.hpp"

using mxscan::PublicSuffixList;
using mxscan::test::TempDir;

TEST_CASE("PSL: the system list loads") {
  const PublicSuffixList psl;
  CHECK(psl.registered_domain("mail.example.co.uk") == "example.co.uk");
}

TEST_CASE("PSL: an empty or comment-only file is refused") {
  const TempDir dir;
  const std::string path = dir.file("empty.dat", "// nothing but a comment\n");
  CHECK_THROWS_WITH(PublicSuffixList(path),
                    Catch::Contains(path) && Catch::Contains("not a public suffix list"));
}

TEST_CASE("PSL: a file of other text is refused") {
  const TempDir dir;
  const std::string path = dir.file("junk.dat", "1.0.0.0\t24\t13335\nhello world\n");
  CHECK_THROWS_WITH(PublicSuffixList(path),
                    Catch::Contains(path) && Catch::Contains("not a public suffix list"));
}

TEST_CASE("PSL: a small list with the common suffixes loads") {
  const TempDir dir;
  const std::string path =
      dir.file("small.dat", "// ===BEGIN ICANN DOMAINS===\ncom\nnet\norg\nco.uk\nuk\n");
  const PublicSuffixList psl(path);
  CHECK(psl.registered_domain("a.b.example.co.uk") == "example.co.uk");
}
