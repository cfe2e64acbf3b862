#include "mxscan/common/asn/pfx2as_asn_source.hpp"

#include <charconv>
#include <fstream>
#include <sstream>
#include <stdexcept>

namespace mxscan {
namespace {

constexpr std::size_t kMaxExamples = 20;

bool parse_u32(std::string_view s, std::uint32_t& out) {
  if (s.empty()) return false;
  const auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  return ec == std::errc{} && ptr == s.data() + s.size();
}

}  // namespace

Pfx2AsSource::Pfx2AsSource(const std::string& path) : origin_(path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error(path + ": cannot read pfx2as file");
  std::ostringstream text;
  text << in.rdbuf();
  load(text.str());
}

Pfx2AsSource::Pfx2AsSource(std::string_view text, std::string origin) : origin_(std::move(origin)) {
  load(text);
}

void Pfx2AsSource::load(std::string_view text) {
  std::size_t line_no = 0;
  while (!text.empty()) {
    const auto nl = text.find('\n');
    std::string_view line = text.substr(0, nl);
    text = nl == std::string_view::npos ? std::string_view{} : text.substr(nl + 1);
    ++line_no;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.empty() || line.front() == '#') continue;
    ++data_lines_;
    auto bad = [&](const char* why) {
      ++malformed_;
      if (examples_.size() < kMaxExamples)
        examples_.push_back(origin_ + ":" + std::to_string(line_no) + ": " + why);
    };
    const auto t1 = line.find('\t');
    const auto t2 = t1 == std::string_view::npos ? t1 : line.find('\t', t1 + 1);
    if (t2 == std::string_view::npos || line.find('\t', t2 + 1) != std::string_view::npos) {
      bad("expected prefix<TAB>length<TAB>AS");
      continue;
    }
    const std::string cidr_text =
        std::string(line.substr(0, t1)) + "/" + std::string(line.substr(t1 + 1, t2 - t1 - 1));
    const auto cidr = Cidr::parse(cidr_text);
    if (!cidr) {
      bad("bad prefix or length");
      continue;
    }
    std::string_view as_field = line.substr(t2 + 1);
    // Multi-origin "A_B": first origin; AS set "A,B": first member.
    as_field = as_field.substr(0, as_field.find_first_of("_,"));
    std::uint32_t asn = 0;
    if (!parse_u32(as_field, asn)) {
      bad("bad AS number");
      continue;
    }
    table_.insert(*cidr, asn);
  }
}

std::optional<AsnInfo> Pfx2AsSource::lookup(const IpAddress& address) const {
  const auto* asn = table_.longest_match(address);
  if (!asn) return std::nullopt;
  return AsnInfo{*asn, {}};
}

std::string Pfx2AsSource::problem() const {
  auto first_lines = [this] {
    std::string out;
    for (std::size_t i = 0; i < examples_.size() && i < 5; ++i) out += "\n  " + examples_[i];
    return out;
  };
  if (table_.size() == 0) {
    return origin_ + ": not a CAIDA prefix-to-AS file: no valid prefix<TAB>length<TAB>AS line in " +
           std::to_string(data_lines_) + " lines (an .mmdb goes to --asn-db)" + first_lines();
  }
  if (malformed_ > kMaxMalformedLines || malformed_ * 100 > data_lines_) {
    return origin_ + ": " + std::to_string(malformed_) + " of " + std::to_string(data_lines_) +
           " lines are not prefix<TAB>length<TAB>AS (at most " +
           std::to_string(kMaxMalformedLines) +
           " and 1 % are tolerated); the first:" + first_lines();
  }
  return {};
}

std::string Pfx2AsSource::describe() const {
  return "pfx2as " + origin_ + " (" + std::to_string(table_.size()) + " prefixes, " +
         std::to_string(malformed_) + " malformed lines)";
}

}  // namespace mxscan
