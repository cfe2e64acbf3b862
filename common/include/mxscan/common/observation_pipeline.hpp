// Reading observation files on a background thread while the caller consumes.
//
// Design note. Parsing a line and adding it to an inference batch cost about
// the same, and the batch is single-threaded, so `mxscan infer` parses on a
// second thread and hands records over in chunks (a few thousand records,
// recycled so their buffers are reused) through a short bounded queue. The
// caller's handler still runs on the calling thread, sees every file's
// records and problems in file order, and a per-file callback reports the
// counts. An error on the reader thread (a file that cannot be read) is
// rethrown on the calling thread; an exception from the handler stops the
// reader before it propagates.
#pragma once

#include "mxscan/common/observation_reader.hpp"

#include <functional>
#include <string>
#include <vector>

namespace mxscan {

using FileDone = std::function<void(const std::string& path, const ReadCounts& counts)>;

// Reads `files` in order; returns the total counts.
ReadCounts read_files_in_background(const std::vector<std::string>& files,
                                    const ObservationReadOptions& options,
                                    ObservationHandler& handler, const FileDone& on_file_done);

}  // namespace mxscan
