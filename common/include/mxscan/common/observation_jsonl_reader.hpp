// Reading domains.jsonl / hosts.jsonl (docs/formats.md) with simdjson on-demand.
//
// Design note. Files are read in large chunks and split into lines here, and
// each line is parsed on its own: a malformed line (bad JSON, invalid UTF-8,
// a missing required field, an unknown status, a bad address, a line too
// long) is reported as file:line with a reason, counted and skipped; nothing
// else is lost. Each line names its record kind in its "schema" field, so a
// file may hold either kind. Unknown fields are ignored, so additive changes
// to the format keep old readers working. Certificate DER is decoded only when
// asked (the inference needs the leaf fields, not the DER, and the chains are
// most of the bytes). simdjson stays out of this header.
#pragma once

#include "mxscan/common/observation.hpp"

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <variant>

namespace mxscan {

struct ReadProblem {
  std::string file;        // as given to the reader
  std::uint64_t line = 0;  // 1-based
  std::string reason;
};

struct ReadCounts {
  std::uint64_t lines = 0;  // physical lines seen, blank ones included
  std::uint64_t blank = 0;
  std::uint64_t domains = 0;
  std::uint64_t hosts = 0;
  std::uint64_t malformed = 0;
  std::uint64_t bytes = 0;

  ReadCounts& operator+=(const ReadCounts& other) noexcept;
};

// Which lines a read looks at. A two-pass reader (the streaming merge) reads
// the domain records as mxscan writes them (schema first) several times and
// everything else once: the two filters split every non-blank line between
// them, so each line is parsed, counted and reported in exactly one of them.
enum class LineFilter : std::uint8_t {
  all,
  mxscan_domains,  // only lines starting {"schema":"mxscan/domain/1", (blank lines not counted)
  all_but_mxscan_domains,
};

struct ObservationReadOptions {
  bool decode_chains = true;  // false: TlsObs::chain_der left empty (chain not decoded)
  std::size_t max_line_bytes = std::size_t{64} << 20U;
  LineFilter filter = LineFilter::all;
};

// Receives what a reader finds, in file order. Records are the reader's
// scratch objects, valid only during the call: a handler copies what it keeps,
// or takes the contents (swap or move); the reader resets every field before
// reusing the object, and a swapped-in object lends it its buffers.
class ObservationHandler {
 public:
  virtual ~ObservationHandler() = default;
  virtual void on_domain(DomainObs& obs) = 0;
  virtual void on_host(HostObs& obs) = 0;
  virtual void on_malformed(const ReadProblem& problem) = 0;
};

// A line's outcome: a record, or why it is malformed.
struct MalformedLine {
  std::string reason;
};
using ParsedLine = std::variant<DomainObs, HostObs, MalformedLine>;

class ObservationReader {
 public:
  explicit ObservationReader(ObservationReadOptions options = {});
  ~ObservationReader();
  ObservationReader(const ObservationReader&) = delete;
  ObservationReader& operator=(const ObservationReader&) = delete;

  // Reads a whole file. Throws std::runtime_error (naming the file) only when it
  // cannot be opened or read; bad content goes to handler.on_malformed.
  ReadCounts read_file(const std::string& path, ObservationHandler& handler);

  // Same over text already in memory (`name` is used in problems).
  ReadCounts read_text(std::string_view text, const std::string& name, ObservationHandler& handler);

  // One line without its newline; blank lines are malformed here.
  ParsedLine parse_line(std::string_view line);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace mxscan
