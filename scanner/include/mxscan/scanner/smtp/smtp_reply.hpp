// Parsing SMTP replies (RFC 5321 section 4.2) from the bytes a server sent.
//
// Design note. The parser is a pure function over a byte buffer so that it can
// be fuzzed and tested without sockets: the session appends what it reads to a
// buffer and calls parse_reply() again until the reply is complete; `consumed`
// then says where the next reply (or, after STARTTLS, injected plaintext)
// starts. Every reply is bounded by caps on line length, line count and total
// bytes, so a hostile server cannot make the scanner buffer without limit.
// Bare LF is tolerated as a line end (and flagged), as mail clients do.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace mxscan {

struct ReplyLimits {
  std::size_t max_line_bytes = 2048;    // one line, terminator excluded
  std::size_t max_lines = 64;           // lines in one reply
  std::size_t max_reply_bytes = 32768;  // whole reply, terminators included
};

enum class ReplyParse {
  complete,        // `reply` is filled, `consumed` bytes belong to it
  need_more,       // no complete reply yet and no cap exceeded
  malformed,       // a line is not "DDD", "DDD text" or "DDD-text"
  mixed_codes,     // lines of one reply carry different codes
  line_too_long,   // a line exceeds max_line_bytes
  too_many_lines,  // more than max_lines lines
  too_large,       // more than max_reply_bytes
};

struct SmtpReply {
  int code = 0;                    // 200..599 when complete
  std::vector<std::string> lines;  // each line as sent, terminator removed
  bool bare_lf = false;            // some line ended with LF alone

  // Lines joined by "\n", as HostObs stores replies.
  std::string joined() const;
  // Text after "DDD-" / "DDD " of line i ("" for a bare code).
  std::string_view text(std::size_t i) const;
  // True when an EHLO reply lists `keyword` (case-insensitive) as an extension.
  bool has_extension(std::string_view keyword) const;
};

struct ReplyParseResult {
  ReplyParse status = ReplyParse::need_more;
  std::size_t consumed = 0;    // bytes of the complete reply (0 otherwise)
  SmtpReply reply;             // complete replies only
  std::size_t error_line = 0;  // 1-based line of the error, 0 when none
};

// Parses the first reply at the start of `buffer`.
ReplyParseResult parse_reply(std::string_view buffer, const ReplyLimits& limits);

std::string_view to_string(ReplyParse p) noexcept;

}  // namespace mxscan
