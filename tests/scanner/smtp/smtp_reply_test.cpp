#include "mxscan/scanner/smtp/smtp_reply.hpp"

#include <catch2/catch.hpp>
#include <random>

using mxscan::parse_reply;
using mxscan::ReplyLimits;
using mxscan::ReplyParse;

TEST_CASE("single-line reply with CRLF") {
  const auto r = parse_reply("220 mx.example.net ESMTP Postfix\r\n", {});
  REQUIRE(r.status == ReplyParse::complete);
  CHECK(r.reply.code == 220);
  CHECK(r.consumed == 34);
  CHECK(r.reply.lines.size() == 1);
  CHECK(r.reply.text(0) == "mx.example.net ESMTP Postfix");
  CHECK_FALSE(r.reply.bare_lf);
}

TEST_CASE("multi-line reply with dashes, then a space on the last line") {
  const std::string text =
      "250-mx.example.net\r\n250-PIPELINING\r\n250-SIZE 10240000\r\n250-starttls\r\n250 "
      "8BITMIME\r\n221 extra";
  const auto r = parse_reply(text, {});
  REQUIRE(r.status == ReplyParse::complete);
  CHECK(r.reply.code == 250);
  CHECK(r.reply.lines.size() == 5);
  CHECK(text.substr(r.consumed) == "221 extra");
  CHECK(r.reply.has_extension("STARTTLS"));
  CHECK(r.reply.has_extension("SIZE"));
  CHECK_FALSE(r.reply.has_extension("AUTH"));
  CHECK_FALSE(r.reply.has_extension("mx.example.net"));  // the first line is not an extension
  CHECK(r.reply.joined() ==
        "250-mx.example.net\n250-PIPELINING\n250-SIZE 10240000\n250-starttls\n250 8BITMIME");
}

TEST_CASE("a bare code is a complete line") {
  const auto r = parse_reply("250\r\n", {});
  REQUIRE(r.status == ReplyParse::complete);
  CHECK(r.reply.code == 250);
  CHECK(r.reply.text(0).empty());
}

TEST_CASE("incomplete input asks for more, at every cut point") {
  const std::string text = "220-first\r\n220-second\r\n220 last\r\n";
  for (std::size_t cut = 0; cut < text.size(); ++cut) {
    INFO("cut " << cut);
    CHECK(parse_reply(text.substr(0, cut), {}).status == ReplyParse::need_more);
  }
  CHECK(parse_reply(text, {}).status == ReplyParse::complete);
}

TEST_CASE("missing CRLF at the end is not a reply yet") {
  CHECK(parse_reply("220 no line end", {}).status == ReplyParse::need_more);
  CHECK(parse_reply("250-a\r\n250 b", {}).status == ReplyParse::need_more);
}

TEST_CASE("bare LF is accepted and flagged") {
  const auto r = parse_reply("220-a\n220 b\r\n", {});
  REQUIRE(r.status == ReplyParse::complete);
  CHECK(r.reply.bare_lf);
  CHECK(r.reply.lines[0] == "220-a");
}

TEST_CASE("malformed lines") {
  CHECK(parse_reply("HTTP/1.1 400 Bad Request\r\n", {}).status == ReplyParse::malformed);
  CHECK(parse_reply("SSH-2.0-OpenSSH_9.2\r\n", {}).status == ReplyParse::malformed);
  CHECK(parse_reply("22\r\n", {}).status == ReplyParse::malformed);
  CHECK(parse_reply("220_x\r\n", {}).status == ReplyParse::malformed);
  CHECK(parse_reply("120 too low\r\n", {}).status == ReplyParse::malformed);
  CHECK(parse_reply("260 second digit\r\n", {}).status == ReplyParse::malformed);
  CHECK(parse_reply(std::string("220 nul\0inside\r\n", 17), {}).status == ReplyParse::malformed);
  // Garbage is recognised before its line ends (no waiting for a CRLF that never comes).
  CHECK(parse_reply("GET", {}).status == ReplyParse::malformed);
  const auto r = parse_reply("250-ok\r\nxyz\r\n", {});
  CHECK(r.status == ReplyParse::malformed);
  CHECK(r.error_line == 2);
}

TEST_CASE("mixed codes within one reply") {
  const auto r = parse_reply("250-a\r\n251 b\r\n", {});
  CHECK(r.status == ReplyParse::mixed_codes);
  CHECK(r.error_line == 2);
}

TEST_CASE("caps: line length, line count, reply bytes") {
  ReplyLimits limits;
  limits.max_line_bytes = 32;
  limits.max_lines = 3;
  limits.max_reply_bytes = 64;
  CHECK(parse_reply("220 " + std::string(28, 'x') + "\r\n", limits).status == ReplyParse::complete);
  CHECK(parse_reply("220 " + std::string(29, 'x') + "\r\n", limits).status ==
        ReplyParse::line_too_long);
  // A partial line over the cap fails without waiting for its end.
  CHECK(parse_reply("220 " + std::string(40, 'x'), limits).status == ReplyParse::line_too_long);
  // A partial line exactly at the cap plus a pending CR may still be valid.
  CHECK(parse_reply("220 " + std::string(28, 'x') + "\r", limits).status == ReplyParse::need_more);
  CHECK(parse_reply("250-a\r\n250-b\r\n250 c\r\n", limits).status == ReplyParse::complete);
  CHECK(parse_reply("250-a\r\n250-b\r\n250-c\r\n250 d\r\n", limits).status ==
        ReplyParse::too_many_lines);
  limits.max_lines = 100;
  std::string big;
  for (int i = 0; i < 10; ++i) big += "250-" + std::string(10, 'y') + "\r\n";
  CHECK(parse_reply(big, limits).status == ReplyParse::too_large);
}

TEST_CASE("endless multi-line reply stops at the line cap") {
  std::string endless;
  for (int i = 0; i < 1000; ++i) endless += "250-more\r\n";
  CHECK(parse_reply(endless, {}).status == ReplyParse::too_many_lines);
}

TEST_CASE("random bytes never crash and never over-consume") {
  std::mt19937 rng(42);
  const std::string alphabet = "0123456789 -\r\nabcXYZ\0\xff";
  ReplyLimits limits;
  limits.max_line_bytes = 40;
  limits.max_lines = 5;
  limits.max_reply_bytes = 120;
  for (int round = 0; round < 20000; ++round) {
    std::string s(rng() % 200, '\0');
    for (auto& c : s) c = alphabet[rng() % alphabet.size()];
    const auto r = parse_reply(s, limits);
    if (r.status == ReplyParse::complete) {
      REQUIRE(r.consumed <= s.size());
      REQUIRE(r.consumed <= limits.max_reply_bytes);
      REQUIRE(r.reply.lines.size() <= limits.max_lines);
      REQUIRE(r.reply.code >= 200);
      REQUIRE(r.reply.code <= 559);
    }
  }
}
