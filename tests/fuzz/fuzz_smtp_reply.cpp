// Fuzz harness: the SMTP reply parser on bytes a server sent (greetings, EHLO and
// STARTTLS replies), with tight caps and with the defaults.
#include "fuzz_harness.hpp"

#include "mxscan/scanner/smtp_reply.hpp"

namespace mxscan::fuzz {
namespace {

void check(std::string_view text, const ReplyLimits& limits) {
  const ReplyParseResult r = parse_reply(text, limits);
  if (r.status != ReplyParse::complete) {
    MXSCAN_FUZZ_CHECK(r.consumed == 0);
    return;
  }
  MXSCAN_FUZZ_CHECK(r.consumed > 0 && r.consumed <= text.size());
  MXSCAN_FUZZ_CHECK(r.consumed <= limits.max_reply_bytes);
  MXSCAN_FUZZ_CHECK(!r.reply.lines.empty() && r.reply.lines.size() <= limits.max_lines);
  MXSCAN_FUZZ_CHECK(r.reply.code >= 200 && r.reply.code <= 559);
  const std::string code = std::to_string(r.reply.code);
  for (const auto& line : r.reply.lines) {
    MXSCAN_FUZZ_CHECK(line.size() <= limits.max_line_bytes);
    MXSCAN_FUZZ_CHECK(line.compare(0, 3, code) == 0);
  }
  // The reply depends only on its own bytes, and is not complete any earlier.
  const ReplyParseResult again = parse_reply(text.substr(0, r.consumed), limits);
  MXSCAN_FUZZ_CHECK(again.status == ReplyParse::complete && again.consumed == r.consumed);
  MXSCAN_FUZZ_CHECK(again.reply.lines == r.reply.lines);
  MXSCAN_FUZZ_CHECK(parse_reply(text.substr(0, r.consumed - 1), limits).status != ReplyParse::complete);
  (void)r.reply.has_extension("STARTTLS");
  (void)r.reply.joined();
}

}  // namespace

int fuzz_smtp_reply(const std::uint8_t* data, std::size_t size) {
  const std::string_view text = as_text(data, size);
  check(text, ReplyLimits{});
  ReplyLimits tight;
  tight.max_line_bytes = 24;
  tight.max_lines = 4;
  tight.max_reply_bytes = 80;
  check(text, tight);
  return 0;
}

}  // namespace mxscan::fuzz
