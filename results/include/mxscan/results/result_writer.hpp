// Writes providers.jsonl and accumulates the summary on a second thread.
//
// Design note. Batch::finish() runs on the main thread and hands each
// DomainResult to a sink; serialising it and adding it to the summary cost
// about a third as much as producing it, and the reading thread is idle by
// then. So the sink copies each result into a recycled chunk (copy-assignment
// reuses the slot's buffers) and a writer thread does the rest. Results are
// written in the order they arrive. An error on the writer thread (disk full)
// stops the hand-over and is rethrown by add() or finish().
#pragma once

#include "mxscan/inference/catalog.hpp"
#include "mxscan/inference/result.hpp"

#include <memory>
#include <string>

namespace mxscan {

class ResultWriter {
 public:
  ResultWriter(const std::string& providers_path, const Catalog& catalog);
  ~ResultWriter();  // stops and joins the thread if finish() was not reached
  ResultWriter(const ResultWriter&) = delete;
  ResultWriter& operator=(const ResultWriter&) = delete;

  void add(const DomainResult& result);
  // Writes what is pending, closes providers.jsonl, returns the summary.
  Summary finish();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace mxscan
