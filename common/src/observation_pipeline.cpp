#include "mxscan/common/observation_pipeline.hpp"

#include "mxscan/common/chunk_channel.hpp"

#include <sys/resource.h>

#include <algorithm>
#include <atomic>
#include <exception>
#include <memory>
#include <thread>

namespace mxscan {
namespace {

constexpr std::size_t kChunkRecords = 2048;
constexpr std::size_t kChunksPerReader = 4;

// Records of one stretch of a file, in order; kinds[i] says which vector holds
// the i-th one. Vectors keep their elements between uses (only counters reset).
struct Chunk {
  enum class Kind : std::uint8_t { domain, host, problem };
  std::vector<Kind> kinds;
  std::vector<DomainObs> domains;
  std::vector<HostObs> hosts;
  std::vector<ReadProblem> problems;
  std::size_t n_domains = 0;
  std::size_t n_hosts = 0;
  std::size_t n_problems = 0;
  std::size_t file = 0;  // index in the input list
  // Set on the chunk that ends a file.
  bool end_of_file = false;
  ReadCounts counts;
  std::exception_ptr error;  // the reader failed; nothing follows

  void reset() {
    kinds.clear();
    n_domains = n_hosts = n_problems = 0;
    end_of_file = false;
    error = nullptr;
  }
  bool full() const noexcept { return kinds.size() >= kChunkRecords; }
};

// Swaps the record into a recycled slot: no copy, and the reader's scratch
// object gets the slot's old buffers to parse the next line into.
template <typename T>
void put(std::vector<T>& v, std::size_t& n, T& value) {
  if (n == v.size()) v.emplace_back();
  std::swap(v[n], value);
  ++n;
}

using Channel = ChunkChannel<Chunk>;

// Runs on the reader thread: fills chunks and sends them.
class ChunkingHandler : public ObservationHandler {
 public:
  explicit ChunkingHandler(Channel& channel) : channel_(channel), chunk_(channel.take_free()) {
    chunk_->reset();
  }

  void on_domain(DomainObs& obs) override {
    put(chunk_->domains, chunk_->n_domains, obs);
    added(Chunk::Kind::domain);
  }
  void on_host(HostObs& obs) override {
    put(chunk_->hosts, chunk_->n_hosts, obs);
    added(Chunk::Kind::host);
  }
  void on_malformed(const ReadProblem& problem) override {
    ReadProblem copy = problem;
    put(chunk_->problems, chunk_->n_problems, copy);
    added(Chunk::Kind::problem);
  }
  void start_file(std::size_t file) { chunk_->file = file; }
  void end_file(const ReadCounts& counts) {
    chunk_->end_of_file = true;
    chunk_->counts = counts;
    flush();
  }
  void fail(std::exception_ptr error) {
    chunk_->error = std::move(error);
    flush();
  }

 private:
  void added(Chunk::Kind kind) {
    chunk_->kinds.push_back(kind);
    if (chunk_->full()) flush();
  }
  void flush() {
    const std::size_t file = chunk_->file;
    channel_.send(std::move(chunk_));
    chunk_ = channel_.take_free();
    chunk_->reset();
    chunk_->file = file;
  }

  Channel& channel_;
  std::unique_ptr<Chunk> chunk_;
};

double thread_cpu_seconds() {
  rusage usage{};
  ::getrusage(RUSAGE_THREAD, &usage);
  const auto secs = [](const timeval& tv) {
    return static_cast<double>(tv.tv_sec) + static_cast<double>(tv.tv_usec) / 1e6;
  };
  return secs(usage.ru_utime) + secs(usage.ru_stime);
}

// One reader thread: takes the next unread file until none is left.
void reader_thread(const std::vector<std::string>& files, std::atomic<std::size_t>& next,
                   ObservationReadOptions options, Channel& channel, double& cpu_seconds) {
  try {
    ChunkingHandler handler(channel);
    ObservationReader reader(options);
    for (std::size_t i = next++; i < files.size(); i = next++) {
      handler.start_file(i);
      ReadCounts counts;
      try {
        counts = reader.read_file(files[i], handler);
      } catch (const ChannelStopped&) {
        throw;
      } catch (...) {
        handler.fail(std::current_exception());
        break;
      }
      handler.end_file(counts);
    }
  } catch (const ChannelStopped&) {
    // the consumer stopped early: nothing more to do
  }
  cpu_seconds = thread_cpu_seconds();
}

}  // namespace

BackgroundRead read_files_in_background(const std::vector<std::string>& files,
                                        const ObservationReadOptions& options,
                                        ObservationHandler& handler, std::size_t threads) {
  threads = std::max<std::size_t>(1, std::min(threads, files.size()));
  BackgroundRead result;
  result.files.resize(files.size());
  result.reader_cpu_seconds.assign(files.empty() ? 0 : threads, 0.0);
  if (files.empty()) return result;

  Channel channel(kChunksPerReader * threads);
  std::atomic<std::size_t> next{0};
  std::vector<double> cpu(threads, 0.0);
  {
    std::vector<std::thread> readers;
    // Stops and joins the readers on every way out, exceptions included.
    struct Joiner {
      Channel& channel;
      std::vector<std::thread>& threads;
      ~Joiner() {
        channel.stop();
        for (auto& t : threads) t.join();
      }
    } joiner{channel, readers};
    for (std::size_t t = 0; t < threads; ++t) {
      readers.emplace_back([&files, &next, options, &channel, &seconds = cpu[t]] {
        reader_thread(files, next, options, channel, seconds);
      });
    }

    std::size_t files_done = 0;
    while (files_done < files.size()) {
      auto chunk = channel.receive();
      if (chunk->error) std::rethrow_exception(chunk->error);
      std::size_t d = 0;
      std::size_t h = 0;
      std::size_t p = 0;
      for (const auto kind : chunk->kinds) {
        switch (kind) {
          case Chunk::Kind::domain:
            handler.on_domain(chunk->domains[d++]);
            break;
          case Chunk::Kind::host:
            handler.on_host(chunk->hosts[h++]);
            break;
          case Chunk::Kind::problem:
            handler.on_malformed(chunk->problems[p++]);
            break;
        }
      }
      if (chunk->end_of_file) {
        result.files[chunk->file] = chunk->counts;
        result.total += chunk->counts;
        ++files_done;
      }
      channel.recycle(std::move(chunk));
    }
  }  // the joiner has stopped and joined the readers: their CPU times are final
  result.reader_cpu_seconds = cpu;
  return result;
}

}  // namespace mxscan
