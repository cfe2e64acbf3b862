#include "mxscan/inference/fqdn_extractor.hpp"

#include <algorithm>
#include <cctype>

namespace mxscan {
namespace {

constexpr std::string_view kSpace = " \t\r\n\v\f";
// Whitespace, then the punctuation the method strips from candidates (:,;!.).
constexpr std::string_view kSpaceAndStripChars = " \t\r\n\v\f:,;!.";

bool is_label_char(char c) noexcept {
  return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '-' || c == '_';
}

std::string_view trim(std::string_view s, std::string_view chars) noexcept {
  auto b = s.find_first_not_of(chars);
  if (b == std::string_view::npos) return {};
  auto e = s.find_last_not_of(chars);
  return s.substr(b, e - b + 1);
}

std::string_view strip_candidate(std::string_view s) noexcept {
  return trim(s, kSpaceAndStripChars);
}

// The word of `line` starting at or after `from` (empty when none); `next` is
// where the search for the following word starts.
std::string_view word_at(std::string_view line, std::size_t from, std::size_t& next) noexcept {
  auto i = line.find_first_not_of(kSpace, from);
  if (i == std::string_view::npos) {
    next = line.size();
    return {};
  }
  auto j = line.find_first_of(kSpace, i);
  if (j == std::string_view::npos) j = line.size();
  next = j;
  return line.substr(i, j - i);
}

std::string lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

std::optional<std::string> accept(std::string_view candidate) {
  candidate = strip_candidate(candidate);
  if (!is_valid_fqdn(candidate)) return std::nullopt;
  return lower(candidate);
}

}  // namespace

bool is_valid_fqdn(std::string_view name) noexcept {
  if (name.empty() || name.size() > 253) return false;
  std::size_t labels = 0;
  std::string_view last;
  std::size_t start = 0;
  while (start <= name.size()) {
    auto dot = name.find('.', start);
    if (dot == std::string_view::npos) dot = name.size();
    auto label = name.substr(start, dot - start);
    if (label.empty() || label.size() > 63) return false;
    if (label.front() == '-' || label.back() == '-') return false;
    if (!std::all_of(label.begin(), label.end(), is_label_char)) return false;
    ++labels;
    last = label;
    start = dot + 1;
  }
  if (labels < 2 || last.size() < 2) return false;
  return std::all_of(last.begin(), last.end(),
                     [](unsigned char c) { return std::isalpha(c) != 0; });
}

ReplyCandidates reply_candidates(std::string_view reply) noexcept {
  ReplyCandidates out;
  // Rule 0: the first line that is non-empty once whitespace and :,;!. are stripped.
  std::string_view line;
  std::size_t pos = 0;
  while (pos <= reply.size()) {
    auto nl = reply.find('\n', pos);
    if (nl == std::string_view::npos) nl = reply.size();
    auto candidate = reply.substr(pos, nl - pos);
    if (!strip_candidate(candidate).empty()) {
      line = trim(candidate, kSpace);
      break;
    }
    pos = nl + 1;
  }
  if (line.empty()) return out;

  std::size_t next = 0;
  auto first = word_at(line, 0, next);
  // Rule 1: a leading 3-digit reply code.
  bool has_code = first.size() >= 3 && std::isdigit(static_cast<unsigned char>(first[0])) &&
                  std::isdigit(static_cast<unsigned char>(first[1])) &&
                  std::isdigit(static_cast<unsigned char>(first[2]));
  if (has_code && line.size() > 3) {
    std::string_view code_candidate;
    if (line[3] == '-' && first.size() > 4) {
      code_candidate = strip_candidate(first.substr(4));
    } else if (line[3] == ' ' || line[3] == '\t') {
      std::size_t after = 0;
      code_candidate = strip_candidate(word_at(line, next, after));
    }
    if (!code_candidate.empty()) out.items[out.count++] = code_candidate;
  }
  // Rule 2: the last word that is non-empty once stripped.
  std::size_t end = line.size();
  while (end > 0) {
    auto j = line.find_last_not_of(kSpace, end - 1);
    if (j == std::string_view::npos) break;
    auto i = line.find_last_of(kSpace, j);
    i = i == std::string_view::npos ? 0 : i + 1;
    auto w = strip_candidate(line.substr(i, j - i + 1));
    if (!w.empty()) {
      out.items[out.count++] = w;
      break;
    }
    end = i;
  }
  return out;
}

std::optional<std::string> extract_fqdn(std::string_view reply) {
  for (auto candidate : reply_candidates(reply)) {
    if (auto fqdn = accept(candidate)) return fqdn;
  }
  return std::nullopt;
}

}  // namespace mxscan
