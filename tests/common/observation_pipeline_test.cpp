#include "mxscan/common/observation_pipeline.hpp"

#include "mxscan/common/observation_json.hpp"

#include <catch2/catch.hpp>

#include <cstdio>
#include <fstream>
#include <stdexcept>
#include <string>
#include <vector>

using namespace mxscan;

namespace {

// Remembers what it saw as text, in order.
struct Record : ObservationHandler {
  std::vector<std::string> seen;
  std::size_t throw_at = 0;  // 0: never
  void on_domain(DomainObs& d) override { note("d " + d.domain + " " + std::to_string(d.mx.size())); }
  void on_host(HostObs& h) override { note("h " + h.address + " " + h.banner); }
  void on_malformed(const ReadProblem& p) override {
    note("m " + p.file + ":" + std::to_string(p.line) + " " + p.reason);
  }
  void note(std::string s) {
    seen.push_back(std::move(s));
    if (throw_at != 0 && seen.size() == throw_at) throw std::runtime_error("handler gave up");
  }
};

std::string write_file_of(const std::string& name, std::size_t records, std::size_t bad_every) {
  const std::string path = std::string(MXSCAN_BINARY_DIR) + "/" + name;
  std::ofstream out(path, std::ios::binary);
  std::string line;
  for (std::size_t i = 0; i < records; ++i) {
    line.clear();
    if (bad_every != 0 && i % bad_every == 0) {
      line = "{\"schema\":\"mxscan/domain/1\"}\n";
    } else if (i % 3 == 0) {
      HostObs h;
      h.address = "192.0.2." + std::to_string(i % 250);
      h.banner = "220 mx" + std::to_string(i) + ".example.com";
      append_jsonl(line, h);
    } else {
      DomainObs d;
      d.domain = "d" + std::to_string(i) + ".example";
      d.mx_status = DnsStatus::ok;
      for (std::size_t k = 0; k < i % 4; ++k) {
        d.mx.push_back({"mx" + std::to_string(k) + ".example.net", static_cast<std::uint16_t>(k), DnsStatus::ok, {}, {"198.51.100.1"}});
      }
      append_jsonl(line, d);
    }
    out << line;
  }
  return path;
}

}  // namespace

TEST_CASE("background reading gives the same records, problems and counts in the same order") {
  const std::vector<std::string> files{write_file_of("pipe_a.jsonl", 10007, 997),
                                       write_file_of("pipe_b.jsonl", 3001, 0)};
  Record sequential;
  ReadCounts expected;
  ObservationReader reader;
  for (const auto& f : files) expected += reader.read_file(f, sequential);

  Record background;
  std::vector<std::pair<std::string, std::uint64_t>> done;
  const ReadCounts got = read_files_in_background(
      files, {}, background, [&](const std::string& f, const ReadCounts& c) { done.emplace_back(f, c.lines); });
  CHECK(background.seen == sequential.seen);
  CHECK(got.lines == expected.lines);
  CHECK(got.domains == expected.domains);
  CHECK(got.hosts == expected.hosts);
  CHECK(got.malformed == expected.malformed);
  CHECK(got.malformed == 11);
  REQUIRE(done.size() == 2);
  CHECK(done[0] == std::make_pair(files[0], std::uint64_t{10007}));
  CHECK(done[1] == std::make_pair(files[1], std::uint64_t{3001}));
  for (const auto& f : files) std::remove(f.c_str());
}

TEST_CASE("background reading: a missing file is rethrown, a failing handler stops the reader") {
  const std::string good = write_file_of("pipe_c.jsonl", 50000, 0);
  Record handler;
  CHECK_THROWS_WITH(read_files_in_background({good, "/nonexistent/hosts.jsonl"}, {}, handler, {}),
                    Catch::Contains("/nonexistent/hosts.jsonl"));
  CHECK(handler.seen.size() == 50000);  // the first file was delivered whole

  Record quitter;
  quitter.throw_at = 5000;
  CHECK_THROWS_WITH(read_files_in_background({good, good, good}, {}, quitter, {}),
                    Catch::Contains("handler gave up"));
  CHECK(quitter.seen.size() == 5000);
  std::remove(good.c_str());
}
