#include "mxscan/scanner/run/record_log.hpp"

#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <sstream>

using namespace mxscan;
namespace fs = std::filesystem;

namespace {

fs::path temp_dir() {
  auto dir = fs::temp_directory_path() / ("mxscan-record-log-" + std::to_string(::getpid()) + "-" +
                                          std::to_string(std::rand()));
  fs::create_directories(dir);
  return dir;
}

std::string slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

}  // namespace

TEST_CASE("records are appended whole, one per line") {
  auto dir = temp_dir();
  {
    RecordLog log((dir / "a.jsonl").string(), RecordLog::Mode::create_new, 8);
    log.append("{\"n\":1}");
    log.append("{\"n\":2}");
    CHECK(log.records_written() == 2);
  }
  CHECK(slurp(dir / "a.jsonl") == "{\"n\":1}\n{\"n\":2}\n");
  fs::remove_all(dir);
}

TEST_CASE("create_new refuses an existing file") {
  auto dir = temp_dir();
  { RecordLog log((dir / "a.jsonl").string(), RecordLog::Mode::create_new); }
  CHECK_THROWS_AS(RecordLog((dir / "a.jsonl").string(), RecordLog::Mode::create_new),
                  RecordLogError);
  fs::remove_all(dir);
}

TEST_CASE("resume cuts a partial last line and appends after it") {
  auto dir = temp_dir();
  auto path = dir / "a.jsonl";
  std::ofstream(path) << "{\"n\":1}\n{\"n\":2}\n{\"n\":3, \"trunc";
  {
    RecordLog log(path.string(), RecordLog::Mode::resume);
    CHECK(log.truncated_bytes() == 14);
    log.append("{\"n\":3}");
  }
  CHECK(slurp(path) == "{\"n\":1}\n{\"n\":2}\n{\"n\":3}\n");
  fs::remove_all(dir);
}

TEST_CASE("resume of a file without any newline empties it") {
  auto dir = temp_dir();
  auto path = dir / "a.jsonl";
  std::ofstream(path) << "partial";
  { RecordLog log(path.string(), RecordLog::Mode::resume); }
  CHECK(slurp(path).empty());
  fs::remove_all(dir);
}

TEST_CASE("a write error names the file and says how to continue") {
  if (!fs::exists("/dev/full")) return;
  // /dev/full fails every write with ENOSPC, like a full disk.
  RecordLog log("/dev/full", RecordLog::Mode::resume, 1024);
  log.append("0123456789");
  CHECK_THROWS_WITH(log.flush(), Catch::Contains("/dev/full") && Catch::Contains("--resume"));
}
