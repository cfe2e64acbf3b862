// Reading observation files on background threads while the caller consumes.
//
// Design note. Parsing a line costs about twice as much as adding it to an
// inference batch, and the batch is single-threaded, so `mxscan infer` parses
// on reader threads (one file at a time each, files taken in order) and hands
// records over in chunks (a few thousand records, recycled so their buffers
// are reused) through a short bounded queue. The caller's handler still runs
// on the calling thread; it sees each file's records and problems in that
// file's order (records of different files interleave when several threads
// read). An error on a reader thread (a file that cannot be read) is rethrown
// on the calling thread; an exception from the handler stops the readers
// before it propagates.
#pragma once

#include "mxscan/common/observation_jsonl_reader.hpp"

#include <string>
#include <vector>

namespace mxscan {

struct BackgroundRead {
  std::vector<ReadCounts> files;  // per input file, in the order given
  ReadCounts total;
  std::vector<double> reader_cpu_seconds;  // CPU time of each reader thread
};

// Reads `files` with up to `threads` reader threads (at least one).
BackgroundRead read_files_in_background(const std::vector<std::string>& files,
                                        const ObservationReadOptions& options,
                                        ObservationHandler& handler, std::size_t threads = 2);

}  // namespace mxscan
