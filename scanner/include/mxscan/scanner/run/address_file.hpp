// addresses.tsv of a resolve folder (`mxscan resolve`): the addresses its
// domains lead to, one line per unique address, `ADDRESS<TAB>EXCHANGE`,
// sorted by address (docs/formats.md).
//
// Design note. The file is what `mxscan probe` contacts, so it must not
// depend on the order in which DNS answers arrived: when several exchanges
// lead to one address the smallest name is kept (the exchange is only the SNI
// name a probe may send), and the lines are sorted. It is written whole, to a
// temporary file then renamed, when the resolve completes: a reader sees the
// whole file or none.
#pragma once

#include <cstddef>
#include <map>
#include <mutex>
#include <stdexcept>
#include <string>
#include <vector>

namespace mxscan {

inline constexpr const char* kAddressesFile = "addresses.tsv";

struct AddressEntry {
  std::string address;
  std::string exchange;
  bool operator==(const AddressEntry&) const = default;
};

// A line that is not `ADDRESS<TAB>EXCHANGE` with an IP address, or a file that
// cannot be read: the message names the file and the line.
struct AddressFileError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// The unique addresses met, each with the smallest exchange leading to it.
// add() may be called from several threads.
class AddressBook {
 public:
  void add(const std::string& address, const std::string& exchange);
  std::size_t size() const;
  std::vector<AddressEntry> entries() const;  // sorted by address

 private:
  mutable std::mutex mutex_;
  std::map<std::string, std::string> by_address_;
};

// The file's text for these entries (sorted by address, as entries() gives them).
std::string address_file_text(const std::vector<AddressEntry>& entries);

// Writes PATH whole (temporary file, then rename); throws std::runtime_error.
void write_address_file(const std::string& path, const std::vector<AddressEntry>& entries);

// Reads PATH; throws AddressFileError for an unreadable file or a bad line.
std::vector<AddressEntry> read_address_file(const std::string& path);

}  // namespace mxscan
