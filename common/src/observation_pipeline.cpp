#include "mxscan/common/observation_pipeline.hpp"

#include "mxscan/common/chunk_channel.hpp"

#include <exception>
#include <memory>
#include <thread>

namespace mxscan {
namespace {

constexpr std::size_t kChunkRecords = 2048;
constexpr std::size_t kChunksInFlight = 6;

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
  // Set on the chunk that ends a file.
  bool end_of_file = false;
  std::string file;
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
  void end_file(const std::string& file, const ReadCounts& counts) {
    chunk_->end_of_file = true;
    chunk_->file = file;
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
    channel_.send(std::move(chunk_));
    chunk_ = channel_.take_free();
    chunk_->reset();
  }

  Channel& channel_;
  std::unique_ptr<Chunk> chunk_;
};

void reader_thread(const std::vector<std::string>& files, ObservationReadOptions options,
                   Channel& channel) {
  try {
    ChunkingHandler handler(channel);
    ObservationReader reader(options);
    for (const auto& file : files) {
      ReadCounts counts;
      try {
        counts = reader.read_file(file, handler);
      } catch (const ChannelStopped&) {
        throw;
      } catch (...) {
        handler.fail(std::current_exception());
        return;
      }
      handler.end_file(file, counts);
    }
  } catch (const ChannelStopped&) {
    return;  // the consumer stopped early: nothing more to do
  }
}

}  // namespace

ReadCounts read_files_in_background(const std::vector<std::string>& files,
                                    const ObservationReadOptions& options,
                                    ObservationHandler& handler, const FileDone& on_file_done) {
  Channel channel(kChunksInFlight);
  std::thread reader([&files, options, &channel] { reader_thread(files, options, channel); });
  // Stops and joins the reader on every way out, exceptions included.
  struct Joiner {
    Channel& channel;
    std::thread& thread;
    ~Joiner() {
      channel.stop();
      thread.join();
    }
  } joiner{channel, reader};

  ReadCounts total;
  std::size_t files_done = 0;
  while (files_done < files.size()) {
    auto chunk = channel.receive();
    if (chunk->error) std::rethrow_exception(chunk->error);
    std::size_t d = 0;
    std::size_t h = 0;
    std::size_t p = 0;
    for (const auto kind : chunk->kinds) {
      switch (kind) {
        case Chunk::Kind::domain: handler.on_domain(chunk->domains[d++]); break;
        case Chunk::Kind::host: handler.on_host(chunk->hosts[h++]); break;
        case Chunk::Kind::problem: handler.on_malformed(chunk->problems[p++]); break;
      }
    }
    if (chunk->end_of_file) {
      total += chunk->counts;
      if (on_file_done) on_file_done(chunk->file, chunk->counts);
      ++files_done;
    }
    channel.recycle(std::move(chunk));
  }
  return total;
}

}  // namespace mxscan
