// Fuzz harness: the SMTP reply reader over whatever bytes a server sends
// (greetings, EHLO and STARTTLS replies), with the default caps and with tight
// ones, read whole, pipelined, and as it would arrive one byte per packet.
#include "fuzz_harness.hpp"

#include "mxscan/scanner/smtp/smtp_reply.hpp"

namespace mxscan::fuzz {
namespace {

void check_complete(const ReplyParseResult& r, std::string_view buffer, const ReplyLimits& limits) {
  const SmtpReply& reply = r.reply;
  MXSCAN_FUZZ_CHECK(r.consumed > 0 && r.consumed <= buffer.size());
  MXSCAN_FUZZ_CHECK(r.consumed <= limits.max_reply_bytes);
  MXSCAN_FUZZ_CHECK(reply.code >= 200 && reply.code <= 559);
  MXSCAN_FUZZ_CHECK(!reply.lines.empty() && reply.lines.size() <= limits.max_lines);
  MXSCAN_FUZZ_CHECK(buffer[r.consumed - 1] == '\n');
  std::size_t bytes = 0;
  const std::string code = std::to_string(reply.code);
  for (std::size_t i = 0; i < reply.lines.size(); ++i) {
    const std::string& line = reply.lines[i];
    MXSCAN_FUZZ_CHECK(line.size() >= 3 && line.size() <= limits.max_line_bytes);
    MXSCAN_FUZZ_CHECK(line.compare(0, 3, code) == 0);
    MXSCAN_FUZZ_CHECK(line.find('\n') == std::string::npos && line.find('\0') == std::string::npos);
    const bool last = i + 1 == reply.lines.size();
    MXSCAN_FUZZ_CHECK(last == (line.size() == 3 || line[3] == ' '));
    MXSCAN_FUZZ_CHECK(reply.text(i).size() + 4 == line.size() || line.size() <= 4);
    bytes += line.size() + 1;
  }
  // Every byte consumed is a line or its terminator: CRLF, or LF alone when flagged.
  MXSCAN_FUZZ_CHECK(bytes <= r.consumed && r.consumed <= bytes + reply.lines.size());
  MXSCAN_FUZZ_CHECK(reply.bare_lf == (r.consumed != bytes + reply.lines.size()));
  MXSCAN_FUZZ_CHECK(reply.joined().size() == bytes - 1);
  (void)reply.has_extension("STARTTLS");
  (void)reply.text(reply.lines.size());
  // The reply depends only on its own bytes.
  const ReplyParseResult again = parse_reply(buffer.substr(0, r.consumed), limits);
  MXSCAN_FUZZ_CHECK(again.status == ReplyParse::complete && again.consumed == r.consumed);
  MXSCAN_FUZZ_CHECK(again.reply.lines == reply.lines);
}

void parse_all(std::string_view buffer, const ReplyLimits& limits, bool byte_by_byte) {
  // Pipelined replies, one after another, as the session reads them.
  for (int replies = 0; replies < 64 && !buffer.empty(); ++replies) {
    ReplyParseResult r = parse_reply(buffer, limits);
    if (r.status != ReplyParse::complete) {
      MXSCAN_FUZZ_CHECK(r.consumed == 0);
      MXSCAN_FUZZ_CHECK(r.status == ReplyParse::need_more || r.error_line >= 1);
      if (r.status == ReplyParse::need_more)
        MXSCAN_FUZZ_CHECK(buffer.size() <= limits.max_reply_bytes);
      return;
    }
    check_complete(r, buffer, limits);
    if (byte_by_byte) {
      // A reply split one byte per packet: no prefix is complete or an error.
      for (std::size_t k = 1; k < r.consumed; ++k) {
        MXSCAN_FUZZ_CHECK(parse_reply(buffer.substr(0, k), limits).status == ReplyParse::need_more);
      }
    }
    buffer.remove_prefix(r.consumed);
  }
}

}  // namespace

int fuzz_smtp_reply(const std::uint8_t* data, std::size_t size) {
  std::string_view buffer = as_text(data, size);
  parse_all(buffer, ReplyLimits{}, size <= 1024);
  parse_all(buffer, ReplyLimits{64, 4, 256}, true);
  parse_all(buffer, ReplyLimits{24, 4, 80}, true);
  return 0;
}

}  // namespace mxscan::fuzz
