// Findings of fuzz_smtp_reply (tests/fuzz/smtp_reply/regressions/).
#include "mxscan/scanner/smtp/smtp_reply.hpp"

#include <catch2/catch.hpp>

#include <string>

#include "corpus_replay.hpp"

TEST_CASE("a bare code whose CR and LF arrive apart is one valid reply", "[smtp_reply][fuzz]") {
  // "250\r\n": with "250\r" read first, the CR was taken for the 4th character
  // of the line (neither ' ' nor '-') and the valid reply called malformed.
  const std::string reply = mxscan::fuzz::regression_input("smtp_reply", "bare-code-cr-then-lf");
  REQUIRE(reply == "250\r\n");
  const mxscan::ReplyLimits limits;
  CHECK(mxscan::parse_reply("250\r", limits).status == mxscan::ReplyParse::need_more);
  const auto whole = mxscan::parse_reply(reply, limits);
  REQUIRE(whole.status == mxscan::ReplyParse::complete);
  CHECK(whole.consumed == 5);
  CHECK(whole.reply.code == 250);
  CHECK_FALSE(whole.reply.bare_lf);
  // One byte per packet: every prefix of a multi-line reply waits for more.
  const std::string ehlo = "250-mx.example.net\r\n250-STARTTLS\r\n250\r\n";
  for (std::size_t k = 1; k < ehlo.size(); ++k) {
    INFO(k);
    CHECK(mxscan::parse_reply(ehlo.substr(0, k), limits).status == mxscan::ReplyParse::need_more);
  }
  CHECK(mxscan::parse_reply(ehlo, limits).status == mxscan::ReplyParse::complete);
  // A CR anywhere else in the code part still fails fast.
  CHECK(mxscan::parse_reply("25\r0 ok\r\n", limits).status == mxscan::ReplyParse::malformed);
  CHECK(mxscan::parse_reply("250\rx", limits).status == mxscan::ReplyParse::malformed);
}
