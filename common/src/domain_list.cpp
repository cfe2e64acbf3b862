#include "mxscan/common/domain_list.hpp"

#include <zlib.h>

#include <unistd.h>
#include <algorithm>
#include <cerrno>
#include <cstring>
#include <functional>
#include <stdexcept>
#include <vector>

#include "mxscan/common/host_name.hpp"
#include "mxscan/common/names.hpp"

namespace mxscan {
namespace {

constexpr std::size_t kMaxLine = std::size_t{64} * 1024;

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t' || s.front() == '\r')) {
    s.remove_prefix(1);
  }
  while (!s.empty() &&
         (s.back() == ' ' || s.back() == '\t' || s.back() == '\r' || s.back() == '\n')) {
    s.remove_suffix(1);
  }
  return s;
}

bool all_digits(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

std::uint64_t name_hash(std::string_view name) {
  std::uint64_t h = std::hash<std::string_view>{}(name);
  return h == 0 ? 1 : h;  // 0 marks an empty slot
}

}  // namespace

DomainRecord classify_domain(std::string_view text, std::uint64_t line) {
  DomainRecord rec;
  rec.line = line;
  text = trim(text);
  rec.domain = std::string(text);
  if (text.empty()) {
    rec.problem = "empty name";
    return rec;
  }
  if (text.find("://") != std::string_view::npos || text.find('/') != std::string_view::npos) {
    rec.problem = "a URL, not a domain name";
    return rec;
  }
  std::optional<std::string> alabel = to_a_label(text);
  if (!alabel) {
    rec.problem = "not a valid internationalised name (IDNA 2008)";
    return rec;
  }
  if (auto problem = host_name_problem(*alabel)) {
    rec.problem = std::string(*problem);
    return rec;
  }
  rec.domain = std::move(*alabel);
  return rec;
}

bool SeenNames::insert(std::string_view name) {
  if (slots_.empty() || (count_ + 1) * 2 > slots_.size()) grow();
  std::uint64_t h = name_hash(name);
  std::size_t mask = slots_.size() - 1;
  for (std::size_t i = static_cast<std::size_t>(h) & mask;; i = (i + 1) & mask) {
    if (slots_[i] == h) return false;
    if (slots_[i] == 0) {
      slots_[i] = h;
      ++count_;
      return true;
    }
  }
}

void SeenNames::grow() {
  std::vector<std::uint64_t> old = std::move(slots_);
  slots_.assign(old.empty() ? 1024 : old.size() * 2, 0);
  std::size_t mask = slots_.size() - 1;
  for (std::uint64_t h : old) {
    if (h == 0) continue;
    std::size_t i = static_cast<std::size_t>(h) & mask;
    while (slots_[i] != 0) i = (i + 1) & mask;
    slots_[i] = h;
  }
}

// Lines are split here, over gzread's bytes, not by gzgets: a NUL byte inside a
// line would end gzgets' C string early and join the rest of the line to the next.
struct DomainListReader::File {
  gzFile gz = nullptr;
  std::vector<char> chunk = std::vector<char>(std::size_t{64} * 1024);
  std::size_t pos = 0;  // next unread byte of chunk
  std::size_t end = 0;  // bytes of chunk filled
  ~File() {
    if (gz != nullptr) gzclose(gz);
  }
};

DomainListReader::DomainListReader(const std::string& path, DomainListFormat format)
    : file_(std::make_unique<File>()), path_(path), format_(format) {
  if (path == "-") {
    int fd = dup(STDIN_FILENO);
    if (fd >= 0) file_->gz = gzdopen(fd, "rb");
    if (file_->gz == nullptr && fd >= 0) close(fd);
  } else {
    file_->gz = gzopen(path.c_str(), "rb");
  }
  if (file_->gz == nullptr) {
    throw std::runtime_error("cannot open domain list " + path + ": " +
                             (errno != 0 ? std::strerror(errno) : "out of memory"));
  }
  gzbuffer(file_->gz, 256 * 1024);
}

DomainListReader::~DomainListReader() = default;

bool DomainListReader::read_line(std::string& line) {
  line.clear();
  File& f = *file_;
  bool got_any = false;
  while (true) {
    if (f.pos == f.end) {
      int n = gzread(f.gz, f.chunk.data(), static_cast<unsigned>(f.chunk.size()));
      if (n <= 0) {
        int err = 0;
        const char* msg = gzerror(f.gz, &err);
        if (n < 0 || (err != Z_OK && err != Z_BUF_ERROR)) {
          throw std::runtime_error("error reading domain list " + path_ + " after line " +
                                   std::to_string(stats_.lines) + ": " + msg);
        }
        return got_any;
      }
      f.pos = 0;
      f.end = static_cast<std::size_t>(n);
    }
    got_any = true;
    const char* start = f.chunk.data() + f.pos;
    std::size_t avail = f.end - f.pos;
    const void* nl = std::memchr(start, '\n', avail);
    std::size_t take =
        nl == nullptr ? avail : static_cast<std::size_t>(static_cast<const char*>(nl) - start) + 1;
    if (line.size() <= kMaxLine) line.append(start, std::min(take, kMaxLine + 1 - line.size()));
    f.pos += take;
    if (nl != nullptr) return true;
  }
}

namespace {

// A name as both sources hand it out: classified (an invalid one is returned
// to be reported), counted, and dropped (nullopt) when it came before.
std::optional<DomainRecord> admit(std::string_view text, std::uint64_t line_no,
                                  DomainListStats& stats, SeenNames& seen) {
  DomainRecord rec = classify_domain(text, line_no);
  if (!rec.valid()) {
    ++stats.invalid;
    return rec;
  }
  if (!seen.insert(rec.domain)) {
    ++stats.duplicates;
    return std::nullopt;
  }
  ++stats.valid;
  return rec;
}

}  // namespace

std::optional<DomainRecord> DomainListReader::next() {
  while (read_line(buffer_)) {
    std::uint64_t line_no = ++stats_.lines;
    std::string_view text = trim(buffer_);
    if (line_no == 1 && text.substr(0, 3) == "\xEF\xBB\xBF")
      text = trim(text.substr(3));  // UTF-8 BOM
    if (text.empty() || text.front() == '#') {
      ++stats_.skipped;
      continue;
    }
    bool first = first_data_line_;
    first_data_line_ = false;
    if (buffer_.size() > kMaxLine) {
      ++stats_.invalid;
      DomainRecord rec;
      rec.domain = std::string(text.substr(0, 256));
      rec.line = line_no;
      rec.problem = "line longer than 65536 characters";
      return rec;
    }
    std::size_t comma = text.find(',');
    bool as_csv = false;
    if (comma != std::string_view::npos && format_ != DomainListFormat::plain) {
      std::string_view rank = trim(text.substr(0, comma));
      if (all_digits(rank)) {
        as_csv = true;
      } else if (first && (format_ == DomainListFormat::csv ||
                           text.substr(comma + 1).find('.') == std::string_view::npos)) {
        ++stats_.skipped;  // a header such as "rank,domain"
        continue;
      }
    }
    if (format_ == DomainListFormat::csv && !as_csv) {
      ++stats_.invalid;
      DomainRecord rec;
      rec.domain = std::string(text);
      rec.line = line_no;
      rec.problem = "CSV line is not `rank,domain`";
      return rec;
    }
    if (as_csv) {
      text = text.substr(comma + 1);
      text = text.substr(0, text.find(','));
    }
    if (auto rec = admit(text, line_no, stats_, seen_)) return rec;
  }
  return std::nullopt;
}

DomainVectorSource::DomainVectorSource(std::vector<std::string> names) : names_(std::move(names)) {}

std::optional<DomainRecord> DomainVectorSource::next() {
  while (index_ < names_.size()) {
    std::uint64_t line_no = ++index_;
    ++stats_.lines;
    if (auto rec = admit(names_[line_no - 1], line_no, stats_, seen_)) return rec;
  }
  return std::nullopt;
}

}  // namespace mxscan
