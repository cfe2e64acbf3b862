#include "mxscan/results/result_writer.hpp"

#include "mxscan/common/chunk_channel.hpp"
#include "mxscan/common/output_file.hpp"
#include "mxscan/results/providers_json.hpp"

#include <exception>
#include <thread>
#include <vector>

namespace mxscan {

namespace {

constexpr std::size_t kChunkResults = 1024;
constexpr std::size_t kChunksInFlight = 6;

struct ResultChunk {
  std::vector<DomainResult> results;  // slots; the first `count` are filled
  std::size_t count = 0;
  bool last = false;
};

}  // namespace

struct ResultWriter::Impl {
  OutputFile out;
  SummaryBuilder summary;
  ChunkChannel<ResultChunk> channel{kChunksInFlight};
  std::unique_ptr<ResultChunk> chunk;
  std::exception_ptr error;  // set by the writer thread before it stops the channel
  std::thread thread;
  bool finished = false;

  Impl(const std::string& path, const Catalog& catalog) : out(path), summary(catalog) {
    chunk = next_chunk();
    thread = std::thread([this] { run(); });
  }

  std::unique_ptr<ResultChunk> next_chunk() {
    auto c = channel.take_free();
    c->count = 0;
    c->last = false;
    return c;
  }

  void run() {
    try {
      for (;;) {
        auto c = channel.receive();
        for (std::size_t i = 0; i < c->count; ++i) {
          append_jsonl(out.buffer(), c->results[i]);
          out.flush_if_full();
          summary.add(c->results[i]);
        }
        const bool last = c->last;
        channel.recycle(std::move(c));
        if (last) break;
      }
      out.close();
    } catch (const ChannelStopped&) {
      // the main thread gave up (its own error is on its way)
    } catch (...) {
      error = std::current_exception();
      channel.stop();
    }
  }

  void rethrow_writer_error() {
    if (thread.joinable()) thread.join();
    if (error) std::rethrow_exception(error);
  }
};

ResultWriter::ResultWriter(const std::string& providers_path, const Catalog& catalog)
    : impl_(std::make_unique<Impl>(providers_path, catalog)) {}

ResultWriter::~ResultWriter() {
  if (!impl_->finished && impl_->thread.joinable()) {
    impl_->channel.stop();
    impl_->thread.join();
  }
}

void ResultWriter::add(const DomainResult& result) {
  auto& c = *impl_->chunk;
  if (c.count == c.results.size()) {
    c.results.push_back(result);
  } else {
    c.results[c.count] = result;  // copy-assignment keeps the slot's buffers
  }
  if (++c.count < kChunkResults) return;
  try {
    impl_->channel.send(std::move(impl_->chunk));
    impl_->chunk = impl_->next_chunk();
  } catch (const ChannelStopped&) {
    impl_->rethrow_writer_error();
    throw;
  }
}

Summary ResultWriter::finish() {
  impl_->finished = true;
  try {
    impl_->chunk->last = true;
    impl_->channel.send(std::move(impl_->chunk));
  } catch (const ChannelStopped&) {
    // the writer failed: its error is rethrown below
  }
  impl_->rethrow_writer_error();
  return impl_->summary.build();
}

}  // namespace mxscan
