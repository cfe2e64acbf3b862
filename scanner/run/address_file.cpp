#include "mxscan/scanner/run/address_file.hpp"

#include <filesystem>
#include <fstream>

#include "mxscan/common/ip_address.hpp"

namespace mxscan {

void AddressBook::add(const std::string& address, const std::string& exchange) {
  std::lock_guard lock(mutex_);
  auto [it, fresh] = by_address_.emplace(address, exchange);
  if (!fresh && exchange < it->second) it->second = exchange;
}

std::size_t AddressBook::size() const {
  std::lock_guard lock(mutex_);
  return by_address_.size();
}

std::vector<AddressEntry> AddressBook::entries() const {
  std::lock_guard lock(mutex_);
  std::vector<AddressEntry> out;
  out.reserve(by_address_.size());
  for (const auto& [address, exchange] : by_address_) out.push_back({address, exchange});
  return out;
}

std::string address_file_text(const std::vector<AddressEntry>& entries) {
  std::string text;
  for (const auto& e : entries) text += e.address + "\t" + e.exchange + "\n";
  return text;
}

void write_address_file(const std::string& path, const std::vector<AddressEntry>& entries) {
  const std::string tmp = path + ".tmp";
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    out << address_file_text(entries);
    out.flush();
    if (!out) throw std::runtime_error("cannot write " + tmp);
  }
  std::error_code ec;
  std::filesystem::rename(tmp, path, ec);
  if (ec) throw std::runtime_error("cannot write " + path + ": " + ec.message());
}

std::vector<AddressEntry> read_address_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw AddressFileError("cannot read " + path);
  std::vector<AddressEntry> out;
  std::string line;
  std::uint64_t number = 0;
  while (std::getline(in, line)) {
    ++number;
    const auto tab = line.find('\t');
    const std::string address = line.substr(0, tab);
    if (tab == std::string::npos || !IpAddress::parse(address) ||
        line.find('\t', tab + 1) != std::string::npos) {
      throw AddressFileError(path + ":" + std::to_string(number) +
                             ": not ADDRESS<TAB>EXCHANGE with an IP address: '" +
                             line.substr(0, 120) + "'");
    }
    out.push_back({address, line.substr(tab + 1)});
  }
  if (in.bad()) throw AddressFileError("cannot read " + path);
  return out;
}

}  // namespace mxscan
