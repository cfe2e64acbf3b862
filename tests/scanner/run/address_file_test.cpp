#include "mxscan/scanner/run/address_file.hpp"

#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "temp_dir.hpp"

using namespace mxscan;

namespace {

std::string slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream os;
  os << in.rdbuf();
  return os.str();
}

std::string error_of(const std::string& path) {
  try {
    read_address_file(path);
  } catch (const AddressFileError& e) {
    return e.what();
  }
  return "";
}

}  // namespace

TEST_CASE("the address book keeps each address once, with its smallest exchange, sorted") {
  AddressBook book;
  book.add("192.0.2.9", "mx2.example.org");
  book.add("192.0.2.10", "mx.example.net");
  book.add("192.0.2.9", "mx1.example.org");
  book.add("192.0.2.9", "mx3.example.org");
  book.add("2001:db8::25", "mx.example.com");
  REQUIRE(book.size() == 3);
  CHECK(address_file_text(book.entries()) ==
        "192.0.2.10\tmx.example.net\n192.0.2.9\tmx1.example.org\n2001:db8::25\tmx.example.com\n");
}

TEST_CASE("addresses.tsv is written whole and read back as written") {
  test::TempDir dir;
  AddressBook book;
  book.add("192.0.2.1", "mx.example.org");
  book.add("2001:db8::1", "mx6.example.org");
  const std::string path = (dir.path / kAddressesFile).string();
  write_address_file(path, book.entries());
  CHECK_FALSE(std::filesystem::exists(path + ".tmp"));
  CHECK(slurp(path) == "192.0.2.1\tmx.example.org\n2001:db8::1\tmx6.example.org\n");
  CHECK(read_address_file(path) == book.entries());
  write_address_file(path, {});  // a shard whose domains name no address
  CHECK(slurp(path).empty());
  CHECK(read_address_file(path).empty());
}

TEST_CASE("a malformed addresses.tsv is refused, naming the file and the line") {
  test::TempDir dir;
  const auto no_tab = dir.file("a.tsv", "192.0.2.1\tmx.example.org\n192.0.2.2 mx.example.org\n");
  CHECK(error_of(no_tab) == no_tab +
                                ":2: not ADDRESS<TAB>EXCHANGE with an IP address: '192.0.2.2 "
                                "mx.example.org'");
  const auto bad_ip = dir.file("b.tsv", "mx.example.org\t192.0.2.1\n");
  CHECK(error_of(bad_ip).rfind(bad_ip + ":1: ", 0) == 0);
  const auto two_tabs = dir.file("c.tsv", "192.0.2.1\tmx.example.org\textra\n");
  CHECK(error_of(two_tabs).rfind(two_tabs + ":1: ", 0) == 0);
  const auto missing = (dir.path / "none.tsv").string();
  CHECK(error_of(missing) == "cannot read " + missing);
}

TEST_CASE("writing addresses.tsv where it cannot be written throws") {
  test::TempDir dir;
  CHECK_THROWS_WITH(write_address_file((dir.path / "no" / "such" / kAddressesFile).string(), {}),
                    Catch::Contains("cannot write"));
}
