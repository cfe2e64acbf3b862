#include "scan_signals.hpp"

#include <pthread.h>

#include <ctime>

namespace mxscan {

SignalBlock::SignalBlock() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &set, &old_);
}

SignalBlock::~SignalBlock() { pthread_sigmask(SIG_SETMASK, &old_, nullptr); }

SignalWatcher::SignalWatcher(std::atomic<bool>& stop, std::function<void(int)> on_first,
                             std::function<void()> on_second)
    : stop_(stop), on_first_(std::move(on_first)), on_second_(std::move(on_second)) {
  sigemptyset(&set_);
  sigaddset(&set_, SIGINT);
  sigaddset(&set_, SIGTERM);
  thread_ = std::thread([this] { watch(); });
}

SignalWatcher::~SignalWatcher() {
  done_.store(true);
  thread_.join();
}

void SignalWatcher::watch() {
  const timespec tick{0, 100'000'000};
  while (!done_.load()) {
    int sig = sigtimedwait(&set_, nullptr, &tick);
    if (sig < 0) continue;
    if (received_.fetch_add(1) == 0) {
      stop_.store(true);
      on_first_(sig);
    } else {
      on_second_();
    }
  }
}

}  // namespace mxscan
