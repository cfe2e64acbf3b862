// mxscan-smtp-bench: drives the SMTP stage against the test server for scripts/bench smtp.
//   mxscan-smtp-bench --mode tls|hold --port N --count N [--ca-file PEM] [--threads N]
//                     [--hold-seconds S]
// tls:  COUNT unique addresses from 127.1.0.0 upwards, STARTTLS with a trusted chain,
//       rate limits off; prints sessions, sessions/s, CPU per session, peak RSS.
// hold: COUNT sessions held open by a tarpit; prints the RSS per open session.
#include <sys/resource.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <map>
#include <string>
#include <thread>

#include "mxscan/scanner/smtp/smtp_stage.hpp"

namespace {

long status_kb(const char* key) {
  std::ifstream in("/proc/self/status");
  std::string line;
  const std::string k = std::string(key) + ":";
  while (std::getline(in, line))
    if (line.rfind(k, 0) == 0) return std::strtol(line.c_str() + k.size(), nullptr, 10);
  return -1;
}

double cpu_seconds() {
  rusage ru{};
  getrusage(RUSAGE_SELF, &ru);
  return static_cast<double>(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) +
         static_cast<double>(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
}

std::string lab_address(std::size_t i) {
  return "127.1." + std::to_string(i / 250) + "." + std::to_string(1 + i % 250);
}

}  // namespace

int main(int argc, char** argv) {
  std::string mode = "tls", ca_file;
  std::uint16_t port = 0;
  std::size_t count = 20000;
  unsigned threads = 2;
  int hold_seconds = 3;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string a = argv[i], v = argv[i + 1];
    if (a == "--mode")
      mode = v;
    else if (a == "--port")
      port = static_cast<std::uint16_t>(std::stoi(v));
    else if (a == "--count")
      count = std::stoul(v);
    else if (a == "--ca-file")
      ca_file = v;
    else if (a == "--threads")
      threads = static_cast<unsigned>(std::stoi(v));
    else if (a == "--hold-seconds")
      hold_seconds = std::stoi(v);
    else {
      std::fprintf(stderr, "unknown option %s\n", a.c_str());
      return 2;
    }
  }
  mxscan::SmtpOptions o;
  o.ehlo_name = "bench.scanner.lab.example";
  o.port = port;
  o.default_blocklist = MXSCAN_SOURCE_DIR "/configs/blocklist.conf";
  o.allow = {"127.0.0.0/8"};
  o.ca_file = ca_file;
  o.sessions_per_s = 0;
  o.prefix_sessions_per_s = 0;
  o.prefix_max_in_flight = 0;
  o.retries = 0;
  o.threads = threads;
  o.max_in_flight = mode == "hold" ? count + 100 : 1000;
  if (mode == "hold") {
    o.timeouts.greeting = std::chrono::seconds(hold_seconds + 30);
    o.timeouts.session = std::chrono::seconds(hold_seconds + 60);
  }
  std::map<mxscan::SmtpStatus, std::size_t> statuses;
  std::size_t trusted = 0;
  std::atomic<std::size_t> done{0};
  double total_ms = 0;
  const long rss_before = status_kb("VmRSS");
  const double cpu_before = cpu_seconds();
  const auto start = std::chrono::steady_clock::now();
  try {
    mxscan::SmtpStage stage(o, nullptr, [&](mxscan::HostObs h) {
      ++statuses[h.status];
      total_ms += h.duration_ms;
      if (h.tls && h.tls->trusted) ++trusted;
      ++done;
    });
    for (std::size_t i = 0; i < count; ++i) stage.submit(lab_address(i));
    if (mode == "hold") {
      stage.flush();  // dispatch now: the stage stays open while sessions are held
      // Wait until every session is open and waiting for its greeting, then measure.
      for (int i = 0; i < 600 && stage.in_flight() < count; ++i)
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
      std::this_thread::sleep_for(std::chrono::seconds(hold_seconds));
      const std::size_t open = stage.in_flight();
      const long rss_open = status_kb("VmRSS");
      std::printf(
          "hold open_sessions=%zu rss_before_kb=%ld rss_open_kb=%ld rss_kb_per_open_session=%.2f\n",
          open, rss_before, rss_open,
          open ? static_cast<double>(rss_open - rss_before) / static_cast<double>(open) : 0.0);
      std::fflush(stdout);
      stage.abort();
    }
    stage.close();
    stage.wait();
    const auto st = stage.stats();
    std::printf("stage chains_verified=%zu chain_verdicts_cached=%zu peak_in_flight=%zu\n",
                st.chains_verified, st.chain_verdicts_cached, st.peak_in_flight);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "mxscan-smtp-bench: %s\n", e.what());
    return 1;
  }
  const double secs =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  const double cpu = cpu_seconds() - cpu_before;
  std::printf(
      "%s sessions=%zu seconds=%.3f sessions_per_s=%.0f cpu_us_per_session=%.0f peak_rss_mb=%.1f "
      "trusted=%zu",
      mode.c_str(), done.load(), secs, static_cast<double>(done.load()) / secs,
      done.load() ? cpu * 1e6 / static_cast<double>(done.load()) : 0.0,
      static_cast<double>(status_kb("VmHWM")) / 1024.0, trusted);
  std::printf(" mean_session_ms=%.1f",
              done.load() ? total_ms / static_cast<double>(done.load()) : 0.0);
  for (const auto& [s, n] : statuses)
    std::printf(" %s=%zu", std::string(mxscan::to_string(s)).c_str(), n);
  std::printf("\n");
  return 0;
}
