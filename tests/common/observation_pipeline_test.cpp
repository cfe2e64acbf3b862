#include "mxscan/common/observation_pipeline.hpp"

#include "mxscan/common/observation_jsonl_writer.hpp"

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
  void on_domain(DomainObs& d) override {
    note("d " + d.domain + " " + std::to_string(d.mx.size()));
  }
  void on_host(HostObs& h) override { note("h " + h.address + " " + h.banner); }
  void on_malformed(const ReadProblem& p) override {
    note("m " + p.file + ":" + std::to_string(p.line) + " " + p.reason);
  }
  void note(std::string s) {
    seen.push_back(std::move(s));
    if (throw_at != 0 && seen.size() == throw_at) throw std::runtime_error("handler gave up");
  }
};

std::string write_file_of(const std::string& name, std::size_t records, std::size_t bad_every,
                          const std::string& tag = "d") {
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
      h.banner = "220 " + tag + std::to_string(i) + ".example.com";
      append_jsonl(line, h);
    } else {
      DomainObs d;
      d.domain = tag + std::to_string(i) + ".example";
      d.mx_status = DnsStatus::ok;
      for (std::size_t k = 0; k < i % 4; ++k) {
        d.mx.push_back({"mx" + std::to_string(k) + ".example.net",
                        static_cast<std::uint16_t>(k),
                        DnsStatus::ok,
                        {},
                        {"198.51.100.1"}});
      }
      append_jsonl(line, d);
    }
    out << line;
  }
  return path;
}

}  // namespace

// The records of one file, in the order seen (each file tags its records).
std::vector<std::string> of_file(const std::vector<std::string>& seen, const std::string& tag,
                                 const std::string& path) {
  std::vector<std::string> out;
  for (const auto& s : seen) {
    if (s.rfind("d " + tag, 0) == 0 || s.find(" 220 " + tag) != std::string::npos ||
        s.rfind("m " + path, 0) == 0) {
      out.push_back(s);
    }
  }
  return out;
}

TEST_CASE("background reading gives the same records, problems and counts, each file in order") {
  const std::vector<std::string> files{write_file_of("pipe_a.jsonl", 10007, 997, "a"),
                                       write_file_of("pipe_b.jsonl", 3001, 0, "b"),
                                       write_file_of("pipe_c.jsonl", 5003, 1000, "c")};
  Record sequential;
  std::vector<ReadCounts> expected;
  ObservationReader reader;
  for (const auto& f : files) expected.push_back(reader.read_file(f, sequential));

  for (std::size_t threads : {1, 2, 3}) {
    INFO("threads " << threads);
    Record background;
    const BackgroundRead got = read_files_in_background(files, {}, background, threads);
    CHECK(background.seen.size() == sequential.seen.size());
    if (threads == 1) CHECK(background.seen == sequential.seen);
    const std::vector<std::string> tags{"a", "b", "c"};
    for (std::size_t i = 0; i < files.size(); ++i) {
      CHECK(of_file(background.seen, tags[i], files[i]) ==
            of_file(sequential.seen, tags[i], files[i]));
      CHECK(got.files[i].lines == expected[i].lines);
      CHECK(got.files[i].domains == expected[i].domains);
      CHECK(got.files[i].hosts == expected[i].hosts);
      CHECK(got.files[i].malformed == expected[i].malformed);
    }
    CHECK(got.total.malformed == 11 + 6);
    CHECK(got.total.lines == 10007 + 3001 + 5003);
    CHECK(got.reader_cpu_seconds.size() == threads);
  }
  for (const auto& f : files) std::remove(f.c_str());
}

TEST_CASE("background reading: a missing file is rethrown, a failing handler stops the readers") {
  const std::string good = write_file_of("pipe_d.jsonl", 50000, 0);
  {
    Record handler;
    CHECK_THROWS_WITH(read_files_in_background({good, "/nonexistent/hosts.jsonl"}, {}, handler, 1),
                      Catch::Contains("/nonexistent/hosts.jsonl"));
    CHECK(handler.seen.size() == 50000);  // one reader: the first file was delivered whole
  }
  {
    Record handler;
    CHECK_THROWS_WITH(
        read_files_in_background({good, "/nonexistent/hosts.jsonl", good}, {}, handler, 2),
        Catch::Contains("/nonexistent/hosts.jsonl"));
  }
  Record quitter;
  quitter.throw_at = 5000;
  CHECK_THROWS_WITH(read_files_in_background({good, good, good}, {}, quitter, 2),
                    Catch::Contains("handler gave up"));
  CHECK(quitter.seen.size() == 5000);
  Record none;
  CHECK(read_files_in_background({}, {}, none).files.empty());
  std::remove(good.c_str());
}
