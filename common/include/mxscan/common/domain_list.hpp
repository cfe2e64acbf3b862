// Domain list input: plain lists, Tranco/Alexa CSV (`rank,domain`), `-` for
// stdin, gzip files; streamed, normalised, checked and de-duplicated.
//
// Design note. A source yields one DomainRecord per distinct input name, valid
// or not: invalid names carry the reason and their line so the caller writes
// them to the results as invalid instead of dropping them. Duplicates are
// counted and skipped. The seen-set keeps a 64-bit hash per name (8-16 bytes a
// name, ~160 MB at 10M names) instead of the strings: two distinct names
// colliding has probability about n^2/2^65 (3e-6 for 10M names), in which case
// the second would be counted as a duplicate. Files are read through zlib's
// gzread, which also reads uncompressed files, so the whole list is never in
// memory.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace mxscan {

struct DomainRecord {
  std::string domain;      // normalised A-label form; the raw (trimmed) text when invalid
  std::uint64_t line = 0;  // 1-based line in the input (0: not from a file)
  std::string problem;     // why the name is invalid; empty when valid
  bool valid() const noexcept { return problem.empty(); }
};

struct DomainListStats {
  std::uint64_t lines = 0;       // lines read
  std::uint64_t skipped = 0;     // blank, comment or header lines
  std::uint64_t valid = 0;       // distinct valid names yielded
  std::uint64_t invalid = 0;     // invalid names yielded
  std::uint64_t duplicates = 0;  // repeated names skipped
};

// Anything that yields domain records one at a time (a file, a vector, a shard).
class DomainSource {
 public:
  virtual ~DomainSource() = default;
  // The next record, or nullopt at the end. May throw std::runtime_error on an
  // input error (unreadable or corrupt file).
  virtual std::optional<DomainRecord> next() = 0;
};

// Normalises one input name and checks it: lower case, trailing dot dropped,
// U-labels converted to A-labels, host name syntax (host_name.hpp). Never throws
// on bad input: the record says what is wrong.
DomainRecord classify_domain(std::string_view text, std::uint64_t line);

// Set of 64-bit name hashes with open addressing (see the design note).
class SeenNames {
 public:
  // True when the name was not seen before (and records it).
  bool insert(std::string_view name);
  std::size_t size() const noexcept { return count_; }

 private:
  void grow();
  std::vector<std::uint64_t> slots_;
  std::size_t count_ = 0;
};

enum class DomainListFormat {
  auto_detect,  // `rank,domain` lines read as CSV, other lines as plain names
  plain,        // one name per line; a comma makes the line invalid
  csv,          // `rank,domain`; a first line without a numeric rank is a header
};

class DomainListReader final : public DomainSource {
 public:
  // path "-" reads standard input. Throws std::runtime_error naming the file
  // when it cannot be opened.
  explicit DomainListReader(const std::string& path,
                            DomainListFormat format = DomainListFormat::auto_detect);
  ~DomainListReader() override;
  DomainListReader(const DomainListReader&) = delete;
  DomainListReader& operator=(const DomainListReader&) = delete;

  std::optional<DomainRecord> next() override;
  const DomainListStats& stats() const noexcept { return stats_; }
  const std::string& path() const noexcept { return path_; }

 private:
  bool read_line(std::string& line);
  struct File;
  std::unique_ptr<File> file_;
  std::string path_;
  DomainListFormat format_;
  DomainListStats stats_;
  SeenNames seen_;
  bool first_data_line_ = true;
  std::string buffer_;
};

// A source over names already in memory (tests, single names from the CLI).
class DomainVectorSource final : public DomainSource {
 public:
  explicit DomainVectorSource(std::vector<std::string> names);
  std::optional<DomainRecord> next() override;
  const DomainListStats& stats() const noexcept { return stats_; }

 private:
  std::vector<std::string> names_;
  std::size_t index_ = 0;
  DomainListStats stats_;
  SeenNames seen_;
};

}  // namespace mxscan
