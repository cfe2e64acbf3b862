// SIGINT/SIGTERM during a scan: the first asks for a clean stop, the second
// stops at once (after flushing).
//
// Design note. No signal handler runs in the middle of the engine: SignalBlock
// blocks both signals in the scanning thread before any worker exists (workers
// inherit the mask), and SignalWatcher takes them on its own thread with
// sigtimedwait, where it may lock, log and write files like any other code. A
// signal that arrives before the watcher starts stays pending until it does.
#pragma once

#include <signal.h>

#include <atomic>
#include <functional>
#include <thread>

namespace mxscan {

// Blocks SIGINT/SIGTERM for this thread and every thread it starts, until
// destroyed.
class SignalBlock {
 public:
  SignalBlock();
  ~SignalBlock();
  SignalBlock(const SignalBlock&) = delete;
  SignalBlock& operator=(const SignalBlock&) = delete;

 private:
  sigset_t old_{};
};

// The first signal sets `stop` and calls on_first(signal); any later one calls
// on_second().
class SignalWatcher {
 public:
  SignalWatcher(std::atomic<bool>& stop, std::function<void(int)> on_first,
                std::function<void()> on_second);
  ~SignalWatcher();
  SignalWatcher(const SignalWatcher&) = delete;
  SignalWatcher& operator=(const SignalWatcher&) = delete;

  int received() const noexcept { return received_.load(); }

 private:
  void watch();

  std::atomic<bool>& stop_;
  std::function<void(int)> on_first_;
  std::function<void()> on_second_;
  sigset_t set_{};
  std::atomic<bool> done_{false};
  std::atomic<int> received_{0};
  std::thread thread_;
};

}  // namespace mxscan
