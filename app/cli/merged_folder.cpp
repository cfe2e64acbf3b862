#include "merged_folder.hpp"

#include <simdjson.h>
#include <toml++/toml.h>

#include <algorithm>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>
#include <unordered_set>
#include <vector>

#include "mxscan/common/names.hpp"
#include "mxscan/common/output_file.hpp"
#include "mxscan/scanner/run/build_info.hpp"
#include "mxscan/scanner/run/manifest.hpp"

namespace mxscan {
namespace {

namespace fs = std::filesystem;

// The state an input folder's own manifest recorded; "none" without one.
std::string input_state(const std::string& path) {
  std::error_code ec;
  const fs::path manifest = fs::path(path) / "manifest.json";
  if (!fs::is_directory(path, ec) || !fs::is_regular_file(manifest, ec)) return "none";
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  std::string_view state;
  if (parser.load(manifest.string()).get(doc) != simdjson::SUCCESS ||
      doc["state"].get(state) != simdjson::SUCCESS) {
    return "unreadable";
  }
  return std::string(state);
}

// The addresses whose record was copied. A large campaign has millions, nearly
// all IPv4 in dotted-quad form: those are kept as numbers in an open-addressing
// table (8 bytes a slot, not a string in a hash node), only when spelled the
// one canonical way so that equal numbers mean equal text; any other spelling
// is kept as text.
class SeenAddresses {
 public:
  bool insert(std::string_view address) {
    if (auto v4 = canonical_ipv4(address)) return insert_number(*v4);
    return others_.emplace(address).second;
  }
  std::size_t size() const { return numbers_ + others_.size(); }

 private:
  static std::optional<std::uint32_t> canonical_ipv4(std::string_view a) {
    std::uint32_t value = 0;
    for (int part = 0; part < 4; ++part) {
      std::size_t digits = 0;
      std::uint32_t octet = 0;
      while (digits < a.size() && a[digits] >= '0' && a[digits] <= '9' && digits < 3) {
        octet = octet * 10 + static_cast<std::uint32_t>(a[digits] - '0');
        ++digits;
      }
      if (digits == 0 || octet > 255 || (digits > 1 && a[0] == '0')) return std::nullopt;
      a.remove_prefix(digits);
      value = (value << 8U) | octet;
      if (part < 3) {
        if (a.empty() || a[0] != '.') return std::nullopt;
        a.remove_prefix(1);
      }
    }
    if (!a.empty()) return std::nullopt;
    return value;
  }

  bool insert_number(std::uint32_t v4) {
    if ((numbers_ + 1) * 2 > slots_.size()) grow();
    if (!place(slots_, std::uint64_t{v4} + 1)) return false;
    ++numbers_;
    return true;
  }
  // false when already there; 0 marks an empty slot.
  static bool place(std::vector<std::uint64_t>& slots, std::uint64_t key) {
    const std::size_t mask = slots.size() - 1;
    for (std::size_t i = (key * 0x9E3779B97F4A7C15ULL) >> 20U;; ++i) {
      auto& slot = slots[i & mask];
      if (slot == key) return false;
      if (slot == 0) {
        slot = key;
        return true;
      }
    }
  }
  void grow() {
    std::vector<std::uint64_t> bigger(std::max<std::size_t>(1024, slots_.size() * 2), 0);
    for (auto key : slots_) {
      if (key != 0) place(bigger, key);
    }
    slots_ = std::move(bigger);
  }

  std::vector<std::uint64_t> slots_;
  std::size_t numbers_ = 0;
  std::unordered_set<std::string> others_;
};

// Appends the host records of `file` whose address is new to `out`. The file is
// read in blocks and only the schema and address fields are looked at (simdjson
// On-Demand), so copying costs little beside the inference on large scans.
void copy_new_hosts(const std::string& file, SeenAddresses& seen, OutputFile& out,
                    MergeOutcome& outcome) {
  std::ifstream in(file, std::ios::binary);
  if (!in) throw std::runtime_error("cannot read " + file);
  simdjson::ondemand::parser parser;
  std::string line;
  auto take = [&](std::string_view text) {
    if (text.find("\"mxscan/host/1\"") == std::string_view::npos) return;
    line.assign(text);
    line.reserve(line.size() + simdjson::SIMDJSON_PADDING);
    simdjson::ondemand::document doc;
    std::string_view schema, address;
    // Malformed lines were reported by the reader already; a cut last line of
    // an interrupted scan is one of them.
    if (parser.iterate(line.data(), line.size(), line.capacity()).get(doc) != simdjson::SUCCESS ||
        doc["schema"].get_string().get(schema) != simdjson::SUCCESS || schema != "mxscan/host/1" ||
        doc["address"].get_string().get(address) != simdjson::SUCCESS) {
      return;
    }
    ++outcome.host_records;
    if (!seen.insert(address)) return;
    out.write(text);
    out.write("\n");
  };
  std::vector<char> block(std::size_t{1} << 20);
  std::string carry;  // the start of a line cut by the end of a block
  while (in) {
    in.read(block.data(), static_cast<std::streamsize>(block.size()));
    std::string_view rest(block.data(), static_cast<std::size_t>(in.gcount()));
    while (!rest.empty()) {
      const auto nl = rest.find('\n');
      if (nl == std::string_view::npos) {
        carry.append(rest);
        break;
      }
      if (carry.empty()) {
        take(rest.substr(0, nl));
      } else {
        carry.append(rest.substr(0, nl));
        take(carry);
        carry.clear();
      }
      rest.remove_prefix(nl + 1);
    }
  }
  if (!carry.empty()) take(carry);
}

}  // namespace

MergeOutcome write_merged_folder(const std::string& out_dir, const MergeRecord& record) {
  MergeOutcome outcome;
  const fs::path out(out_dir);
  {
    OutputFile hosts((out / "hosts.jsonl").string());
    SeenAddresses seen;
    for (const auto& input : record.inputs) {
      for (const auto& file : input.files) copy_new_hosts(file, seen, hosts, outcome);
    }
    hosts.close();
    outcome.unique_addresses = seen.size();
  }

  toml::array inputs;
  toml::array notes;
  bool all_complete = true;
  for (const auto& input : record.inputs) {
    toml::array files;
    for (const auto& file : input.files) {
      files.push_back(toml::table{{"path", file}, {"sha256", sha256_file_hex(file)}});
    }
    const std::string state = input_state(input.path);
    if (state != "complete") {
      all_complete = false;
      notes.push_back(input.path + ": its manifest state is " + state +
                      ", not complete: the merge covers only what it holds");
    }
    inputs.push_back(
        toml::table{{"path", input.path}, {"manifest_state", state}, {"files", std::move(files)}});
  }
  for (const auto& import : record.imports) {
    const std::string file = import.substr(import.find(':') + 1);
    all_complete = false;
    notes.push_back(import + ": imported from another tool; no manifest");
    inputs.push_back(toml::table{
        {"path", import},
        {"manifest_state", "none"},
        {"files", toml::array{toml::table{{"path", file}, {"sha256", sha256_file_hex(file)}}}}});
  }
  for (const auto& gap : record.campaign_gaps) {
    all_complete = false;
    notes.push_back("--allow-partial: " + gap);
  }
  outcome.state = all_complete ? "complete" : "partial";

  toml::table root;
  root.insert("schema", "mxscan/merge/1");
  toml::table versions;
  for (const auto& [name, version] : build_info(record.psl_file)) versions.insert(name, version);
  root.insert("versions", std::move(versions));
  root.insert("state", outcome.state);
  root.insert("started", record.started);
  root.insert("ended", utc_now_iso8601());
  root.insert("inputs", std::move(inputs));
  root.insert(
      "hosts",
      toml::table{{"records_read", static_cast<std::int64_t>(outcome.host_records)},
                  {"unique_addresses", static_cast<std::int64_t>(outcome.unique_addresses)}});
  toml::table digests;
  for (const auto* path : {&record.providers, &record.psl_file}) {
    if (!path->empty()) digests.insert(*path, sha256_file_hex(*path));
  }
  root.insert("file_sha256", std::move(digests));
  root.insert("notes", std::move(notes));
  std::ostringstream os;
  os << toml::json_formatter{root} << "\n";
  write_file((out / "manifest.json").string(), os.str());
  return outcome;
}

}  // namespace mxscan
