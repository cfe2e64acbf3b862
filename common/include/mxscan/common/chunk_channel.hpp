// A bounded hand-over of reusable chunks between one producer and one consumer thread.
//
// Design note. Work crosses threads in chunks of a few thousand records, never
// one by one, and chunks are recycled (the producer refills objects whose
// buffers are already allocated), so the steady state neither allocates nor
// takes the lock more than twice per chunk. A fixed number of chunks bounds the
// memory in flight. stop() releases a blocked producer or consumer: they get
// ChannelStopped, which each side turns into its own way out.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <memory>
#include <mutex>

namespace mxscan {

struct ChannelStopped {};

template <typename Chunk>
class ChunkChannel {
 public:
  explicit ChunkChannel(std::size_t chunks) {
    for (std::size_t i = 0; i < chunks; ++i) free_.push_back(std::make_unique<Chunk>());
  }

  // Producer: an empty chunk to fill (blocks while all are in flight).
  std::unique_ptr<Chunk> take_free() {
    std::unique_lock lock(mutex_);
    cv_.wait(lock, [&] { return stopped_ || !free_.empty(); });
    if (stopped_) throw ChannelStopped{};
    auto chunk = std::move(free_.front());
    free_.pop_front();
    return chunk;
  }
  // Producer: hands a filled chunk over.
  void send(std::unique_ptr<Chunk> chunk) {
    {
      std::lock_guard lock(mutex_);
      if (stopped_) throw ChannelStopped{};
      full_.push_back(std::move(chunk));
    }
    cv_.notify_all();
  }
  // Consumer: the next filled chunk (blocks until there is one).
  std::unique_ptr<Chunk> receive() {
    std::unique_lock lock(mutex_);
    cv_.wait(lock, [&] { return stopped_ || !full_.empty(); });
    if (full_.empty()) throw ChannelStopped{};
    auto chunk = std::move(full_.front());
    full_.pop_front();
    return chunk;
  }
  // Consumer: gives a used chunk back for refilling.
  void recycle(std::unique_ptr<Chunk> chunk) {
    {
      std::lock_guard lock(mutex_);
      free_.push_back(std::move(chunk));
    }
    cv_.notify_all();
  }
  void stop() {
    {
      std::lock_guard lock(mutex_);
      stopped_ = true;
    }
    cv_.notify_all();
  }

 private:
  std::mutex mutex_;
  std::condition_variable cv_;
  std::deque<std::unique_ptr<Chunk>> free_;
  std::deque<std::unique_ptr<Chunk>> full_;
  bool stopped_ = false;
};

}  // namespace mxscan
