#include "mxscan/scanner/conduct/blocklist.hpp"

#include <fstream>
#include <sstream>
#include <stdexcept>

#include "mxscan/common/names.hpp"

namespace mxscan {
namespace {

std::string_view trim(std::string_view s) {
  const auto b = s.find_first_not_of(" \t\r");
  if (b == std::string_view::npos) return {};
  const auto e = s.find_last_not_of(" \t\r");
  return s.substr(b, e - b + 1);
}

std::string fmt_more(std::size_t n) {
  return "\n  ... and " + std::to_string(n) + " more lines that are not an address or CIDR";
}

}  // namespace

void Blocklist::add_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error(path + ": cannot read blocklist file");
  std::ostringstream text;
  text << in.rdbuf();
  const std::size_t before = blocked_.size();
  add_text(text.str(), path);
  // An empty file protects nothing: most likely the wrong file was named.
  if (sources_.back().entries == 0) {
    throw std::runtime_error(path +
                             ": blocklist without a single address or CIDR (ZMap format, one "
                             "per line); drop the option or add the ranges to keep away from");
  }
  sources_.pop_back();  // replaced by the file entry with its digest
  sources_.push_back({path, sha256_file_hex(path), blocked_.size() - before});
}

void Blocklist::add_text(std::string_view text, const std::string& origin) {
  constexpr std::size_t kReported = 5;
  std::size_t line_no = 0;
  std::size_t entries = 0;
  std::size_t bad = 0;
  std::string problems;
  while (!text.empty()) {
    const auto nl = text.find('\n');
    std::string_view line = text.substr(0, nl);
    text = nl == std::string_view::npos ? std::string_view{} : text.substr(nl + 1);
    ++line_no;
    line = trim(line.substr(0, line.find('#')));
    if (line.empty()) continue;
    // ZMap tolerates trailing words after the range; we do not guess what they mean.
    const auto cidr = Cidr::parse(line);
    if (!cidr) {
      if (++bad <= kReported) {
        problems += (problems.empty() ? "" : "\n  ") + origin + ":" + std::to_string(line_no) +
                    ": not an address or CIDR: '" + std::string(line.substr(0, 80)) + "'";
      }
      continue;
    }
    blocked_.insert(*cidr, true);
    ++entries;
  }
  // Every line counts: a blocklist that silently lost one would let the scan
  // probe what it was meant to protect.
  if (bad > 0) {
    throw std::runtime_error(problems + (bad > kReported ? fmt_more(bad - kReported) : ""));
  }
  sources_.push_back({origin, "", entries});
}

void Blocklist::allow(std::string_view cidr_text) {
  const auto cidr = Cidr::parse(trim(cidr_text));
  if (!cidr)
    throw std::runtime_error("--allow: not an address or CIDR: '" + std::string(cidr_text) + "'");
  allowed_.insert(*cidr, true);
  allow_text_.push_back(cidr->to_string());
}

}  // namespace mxscan
