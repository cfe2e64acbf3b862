#include "progress_ticker.hpp"

#include <unistd.h>

#include <cstdio>
#include <string>

#include "mxscan/scanner/run/progress_line.hpp"

namespace mxscan {

ProgressTicker::ProgressTicker(const ScanCounters& counters, bool quiet, ScanLog& log,
                               std::function<void()> flush)
    : counters_(counters),
      quiet_(quiet),
      terminal_(isatty(STDERR_FILENO) == 1),
      log_(log),
      flush_(std::move(flush)),
      start_(Clock::now()),
      thread_([this] { run(); }) {}

void ProgressTicker::stop() {
  {
    std::lock_guard lock(mutex_);
    if (stopped_) return;
    stopped_ = true;
  }
  cv_.notify_all();
  thread_.join();
  report(true);  // the final figures
  if (!quiet_ && terminal_) std::fputs("\n", stderr);
}

void ProgressTicker::run() {
  std::unique_lock lock(mutex_);
  while (!cv_.wait_for(lock, std::chrono::seconds(1), [this] { return stopped_; })) {
    lock.unlock();
    flush_();
    report();
    lock.lock();
  }
}

void ProgressTicker::report(bool final) {
  auto now = counters_.snapshot();
  auto t = Clock::now();
  double elapsed = std::chrono::duration<double>(t - start_).count();
  double interval = std::chrono::duration<double>(t - last_time_).count();
  if (last_time_ == Clock::time_point{} || final) interval = elapsed;
  if (final) last_ = ScanSnapshot{};
  const auto fields = progress_fields(now, last_, elapsed, interval);
  const std::string line = fit_progress(fields, 0);
  last_ = now;
  last_time_ = t;
  log_.line(line);
  if (!quiet_) {
    const std::string shown =
        terminal_ ? fit_progress(fields, terminal_columns(STDERR_FILENO)) : line;
    std::fputs(progress_output(shown, terminal_).c_str(), stderr);
    std::fflush(stderr);
  }
}

}  // namespace mxscan
