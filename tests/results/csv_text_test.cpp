#include "mxscan/results/csv_text.hpp"

#include <catch2/catch.hpp>

using namespace mxscan;

TEST_CASE("csv text: fields quoted only when RFC 4180 needs it, quotes doubled") {
  CHECK(csv_row({"plain", "a,b", "say \"hi\"", "two\nlines", "cr\r", ""}) ==
        "plain,\"a,b\",\"say \"\"hi\"\"\",\"two\nlines\",\"cr\r\",\n");
  std::string out;
  append_csv_field(out, "100%_&#");
  CHECK(out == "100%_&#");
}
