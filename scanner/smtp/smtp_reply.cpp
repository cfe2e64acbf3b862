#include "mxscan/scanner/smtp/smtp_reply.hpp"

#include <algorithm>

namespace mxscan {
namespace {

bool is_digit(char c) noexcept { return c >= '0' && c <= '9'; }

char lower(char c) noexcept {
  return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
}

bool iequals(std::string_view a, std::string_view b) noexcept {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(),
                                            [](char x, char y) { return lower(x) == lower(y); });
}

// RFC 5321 4.2: first digit 2-5, second 0-5, third 0-9.
bool valid_code(std::string_view line) noexcept {
  return line.size() >= 3 && line[0] >= '2' && line[0] <= '5' && line[1] >= '0' && line[1] <= '5' &&
         is_digit(line[2]);
}

ReplyParseResult failure(ReplyParse status, std::size_t line) {
  ReplyParseResult r;
  r.status = status;
  r.error_line = line;
  return r;
}

}  // namespace

std::string SmtpReply::joined() const {
  std::string out;
  for (std::size_t i = 0; i < lines.size(); ++i) {
    if (i) out += '\n';
    out += lines[i];
  }
  return out;
}

std::string_view SmtpReply::text(std::size_t i) const {
  if (i >= lines.size()) return {};
  std::string_view line = lines[i];
  return line.size() > 4 ? line.substr(4) : std::string_view{};
}

bool SmtpReply::has_extension(std::string_view keyword) const {
  // The first line of an EHLO reply is the greeting; extensions follow.
  for (std::size_t i = 1; i < lines.size(); ++i) {
    std::string_view t = text(i);
    const auto end = t.find(' ');
    if (iequals(t.substr(0, end), keyword)) return true;
  }
  return false;
}

ReplyParseResult parse_reply(std::string_view buffer, const ReplyLimits& limits) {
  ReplyParseResult result;
  std::size_t pos = 0;
  std::size_t line_no = 0;
  int code = 0;
  while (true) {
    const std::size_t lf = buffer.find('\n', pos);
    const std::size_t avail_end = (lf == std::string_view::npos) ? buffer.size() : lf;
    std::size_t line_len = avail_end - pos;
    const bool crlf = lf != std::string_view::npos && line_len > 0 && buffer[lf - 1] == '\r';
    if (crlf) --line_len;
    // A partial line longer than the cap (plus a pending CR) will never become valid.
    const std::size_t allowed = limits.max_line_bytes + (lf == std::string_view::npos ? 1 : 0);
    if (line_len > allowed) return failure(ReplyParse::line_too_long, line_no + 1);
    const std::size_t reply_bytes = (lf == std::string_view::npos ? buffer.size() : lf + 1);
    if (reply_bytes > limits.max_reply_bytes) return failure(ReplyParse::too_large, line_no + 1);
    std::string_view line = buffer.substr(pos, line_len);
    // Check what we already have of the line so garbage fails fast, before its end;
    // a partial line's last CR may be the first half of its CRLF ("250\r", then "\n").
    std::string_view seen = line;
    if (lf == std::string_view::npos && !seen.empty() && seen.back() == '\r') seen.remove_suffix(1);
    const std::size_t prefix = std::min<std::size_t>(seen.size(), 4);
    for (std::size_t i = 0; i < prefix; ++i) {
      const char c = seen[i];
      const bool ok = (i < 3) ? is_digit(c) : (c == ' ' || c == '-');
      if (!ok) return failure(ReplyParse::malformed, line_no + 1);
    }
    if (seen.size() >= 3 && !valid_code(seen)) return failure(ReplyParse::malformed, line_no + 1);
    if (lf == std::string_view::npos) {
      result.status = ReplyParse::need_more;
      return result;
    }
    ++line_no;
    if (line_no > limits.max_lines) return failure(ReplyParse::too_many_lines, line_no);
    if (line.size() < 3) return failure(ReplyParse::malformed, line_no);
    if (line.find('\0') != std::string_view::npos) return failure(ReplyParse::malformed, line_no);
    const int this_code = (line[0] - '0') * 100 + (line[1] - '0') * 10 + (line[2] - '0');
    if (code != 0 && this_code != code) return failure(ReplyParse::mixed_codes, line_no);
    code = this_code;
    if (!crlf) result.reply.bare_lf = true;
    result.reply.lines.emplace_back(line);
    pos = lf + 1;
    const bool last = line.size() == 3 || line[3] == ' ';
    if (last) {
      result.status = ReplyParse::complete;
      result.consumed = pos;
      result.reply.code = code;
      return result;
    }
  }
}

std::string_view to_string(ReplyParse p) noexcept {
  switch (p) {
    case ReplyParse::complete:
      return "complete";
    case ReplyParse::need_more:
      return "need-more";
    case ReplyParse::malformed:
      return "malformed reply line";
    case ReplyParse::mixed_codes:
      return "mixed reply codes";
    case ReplyParse::line_too_long:
      return "reply line too long";
    case ReplyParse::too_many_lines:
      return "too many reply lines";
    case ReplyParse::too_large:
      return "reply too large";
  }
  return "unknown";
}

}  // namespace mxscan
