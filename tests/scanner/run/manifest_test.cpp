#include "mxscan/scanner/run/manifest.hpp"

#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <sstream>

using namespace mxscan;
namespace fs = std::filesystem;

TEST_CASE("manifest holds versions, configuration, digests and counts") {
  Manifest m;
  m.started = "2026-11-29T10:00:00Z";
  m.domains_file = "top1m.txt";
  m.ehlo_name = "scanner.example.org";
  m.file_digests["configs/blocklist.conf"] = "ab12";
  ScanCounters c;
  c.domain_done(DnsStatus::nxdomain);
  c.smtp_done(SmtpStatus::greeting_4xx);
  m.counts = c.snapshot();
  auto json = manifest_json(m);
  CHECK(json.find("\"schema\" : \"mxscan/manifest/1\"") != std::string::npos);
  CHECK(json.find("\"c-ares\"") != std::string::npos);
  CHECK(json.find("\"configs/blocklist.conf\" : \"ab12\"") != std::string::npos);
  CHECK(json.find("\"nxdomain\" : 1") != std::string::npos);
  CHECK(json.find("\"greeting-4xx\" : 1") != std::string::npos);
  CHECK(json.find("\"per24_in_flight\"") != std::string::npos);
}

TEST_CASE("a written manifest reads back for --resume") {
  auto dir = fs::temp_directory_path() / ("mxscan-manifest-" + std::to_string(::getpid()));
  fs::create_directories(dir);
  Manifest m;
  m.state = mxscan::ScanState::interrupted;
  m.command_line = "mxscan --domains \"a b.txt\"";
  m.started = "2026-11-29T10:00:00Z";
  m.domains_file = "/data/a b.txt";
  m.shard = "1/4";
  m.ehlo_name = "scanner.example.org";
  m.config.smtp.port = 2525;
  m.config.dns.resolvers = {"127.0.0.1:5300"};
  m.resumes = 2;
  write_manifest(dir.string(), m);
  CHECK_FALSE(fs::exists(dir / "manifest.json.tmp"));
  auto back = read_manifest(dir.string());
  CHECK(back.state == mxscan::ScanState::interrupted);
  CHECK(back.command_line == m.command_line);
  CHECK(back.domains_file == "/data/a b.txt");
  CHECK(back.shard == "1/4");
  CHECK(back.resumes == 2);
  CHECK(back.config.smtp.port == 2525);
  CHECK(to_toml(back.config) == to_toml(m.config));
  fs::remove_all(dir);
}

TEST_CASE("a folder without a manifest is a clear error") {
  CHECK_THROWS_WITH(read_manifest("/nonexistent-dir"), Catch::Contains("results folder"));
}
