#include "mxscan/scanner/web/mta_sts_policy.hpp"

#include <catch2/catch.hpp>

#include <string>
#include <vector>

using mxscan::mx_pattern_matches;
using mxscan::mx_patterns_cover;
using mxscan::parse_mta_sts_policy;

TEST_CASE("mta-sts policy: a complete policy, CRLF or LF", "[web]") {
  for (const std::string eol : {"\r\n", "\n"}) {
    const auto p = parse_mta_sts_policy("version: STSv1" + eol + "mode: enforce" + eol +
                                        "mx: mail.example.com" + eol + "mx: *.example.net" + eol +
                                        "max_age: 604800" + eol);
    INFO(p.error);
    CHECK(p.ok);
    CHECK(p.mode == "enforce");
    CHECK(p.mx == std::vector<std::string>{"mail.example.com", "*.example.net"});
    CHECK(p.max_age == 604800);
  }
}

TEST_CASE("mta-sts policy: lenient where the RFC is", "[web]") {
  // Fields in any order, spaces after the colon, no final line end, unknown fields.
  const auto p = parse_mta_sts_policy(
      "max_age:\t86400\nmx:   mx1.example.org  \nextension: whatever\nmode: testing\nversion: "
      "STSv1");
  INFO(p.error);
  CHECK(p.ok);
  CHECK(p.mode == "testing");
  CHECK(p.mx == std::vector<std::string>{"mx1.example.org"});
  CHECK(p.max_age == 86400);
  // Mode none needs no mx; a repeated field keeps its first value.
  const auto none =
      parse_mta_sts_policy("version: STSv1\nmode: none\nmode: enforce\nmax_age: 0\nmax_age: 5\n");
  CHECK(none.ok);
  CHECK(none.mode == "none");
  CHECK(none.max_age == 0);
  CHECK(none.mx.empty());
}

TEST_CASE("mta-sts policy: malformed files say why", "[web]") {
  const std::string good_tail = "mode: enforce\nmx: mx.example.com\nmax_age: 86400\n";
  struct Case {
    std::string text, error;
  };
  const std::vector<Case> cases = {
      {"", "no version field"},
      {"<html><body>not a policy</body></html>", "line 1: not a key: value field"},
      {"version: STSv2\n" + good_tail, "version STSv2, not STSv1"},
      {"version: STSv1\nmode: on\nmx: a.example\nmax_age: 1\n",
       "mode on, not enforce, testing or none"},
      {"version: STSv1\nmode: enforce\nmx: a.example\n", "no max_age field"},
      {"version: STSv1\nmx: a.example\nmax_age: 1\n", "no mode field"},
      {"version: STSv1\nmode: enforce\nmax_age: 86400\n", "no mx pattern"},
      {"version: STSv1\nmode: testing\nmx:\nmax_age: 1\n", "an empty mx pattern"},
      {"version: STSv1\nmode: enforce\nmx: a.example\nmax_age: -1\n",
       "max_age -1, not 1 to 10 digits"},
      {"version: STSv1\nmode: enforce\nmx: a.example\nmax_age: 12345678901\n",
       "max_age 12345678901, not 1 to 10 digits"},
      {"version: STSv1\nmode: enforce\nmx: a.example\nmax_age: 31557601\n",
       "max_age 31557601 over 31557600"},
      {"version: STSv1\n: value\n" + good_tail, "line 2: not a key: value field"},
  };
  for (const auto& c : cases) {
    INFO(c.text);
    const auto p = parse_mta_sts_policy(c.text);
    CHECK_FALSE(p.ok);
    CHECK(p.error == c.error);
  }
  CHECK(
      parse_mta_sts_policy("version: STSv1\nmode: enforce\nmx: a.example\nmax_age: 31557600\n").ok);
}

TEST_CASE("mta-sts mx patterns: RFC 8461 wildcard rules", "[web]") {
  CHECK(mx_pattern_matches("mail.example.com", "mail.example.com"));
  CHECK(mx_pattern_matches("Mail.Example.COM", "mail.example.com."));
  CHECK(mx_pattern_matches("mail.example.com.", "MAIL.example.com"));
  CHECK_FALSE(mx_pattern_matches("mail.example.com", "mail2.example.com"));
  CHECK_FALSE(mx_pattern_matches("example.com", "mail.example.com"));
  // "*." stands for exactly one label, the leftmost.
  CHECK(mx_pattern_matches("*.example.com", "mx1.example.com"));
  CHECK(mx_pattern_matches("*.Example.com", "MX1.example.COM"));
  CHECK_FALSE(mx_pattern_matches("*.example.com", "example.com"));
  CHECK_FALSE(mx_pattern_matches("*.example.com", "a.mx1.example.com"));
  CHECK_FALSE(mx_pattern_matches("*.example.com", ".example.com"));
  CHECK_FALSE(mx_pattern_matches("*.example.com", "mx1.example.org"));
  // Only a leading "*." is a wildcard; anything else is compared as text.
  CHECK_FALSE(mx_pattern_matches("mx*.example.com", "mx1.example.com"));
  CHECK_FALSE(mx_pattern_matches("mx.*.example.com", "mx.a.example.com"));
  CHECK_FALSE(mx_pattern_matches("*", "example"));
  CHECK_FALSE(mx_pattern_matches("", ""));
}

TEST_CASE("mta-sts mx patterns: coverage of a domain's exchanges", "[web]") {
  const std::vector<std::string> patterns = {"mx.example.com", "*.mail.example.net"};
  CHECK(mx_patterns_cover(patterns, std::vector<std::string>{"mx.example.com"}));
  CHECK(mx_patterns_cover(patterns,
                          std::vector<std::string>{"mx.example.com", "in1.mail.example.net"}));
  CHECK_FALSE(mx_patterns_cover(patterns,
                                std::vector<std::string>{"mx.example.com", "backup.example.org"}));
  CHECK_FALSE(mx_patterns_cover(patterns, std::vector<std::string>{}));
  CHECK_FALSE(
      mx_patterns_cover(std::vector<std::string>{}, std::vector<std::string>{"mx.example.com"}));
}
