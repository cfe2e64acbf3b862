#include "mxscan/scanner/dns/dns_message.hpp"

#include <catch2/catch.hpp>

#include <cstdint>
#include <random>
#include <string>
#include <vector>

namespace {

using Bytes = std::vector<std::uint8_t>;
using mxscan::DnsStatus;
using mxscan::dns::RrType;

void put16(Bytes& b, unsigned v) {
  b.push_back(static_cast<std::uint8_t>(v >> 8));
  b.push_back(static_cast<std::uint8_t>(v & 0xFF));
}
void put32(Bytes& b, unsigned v) {
  put16(b, v >> 16);
  put16(b, v & 0xFFFF);
}
void put_name(Bytes& b, const std::string& name) {
  std::size_t start = 0;
  while (start < name.size()) {
    std::size_t dot = name.find('.', start);
    if (dot == std::string::npos) dot = name.size();
    b.push_back(static_cast<std::uint8_t>(dot - start));
    b.insert(b.end(), name.begin() + static_cast<long>(start),
             name.begin() + static_cast<long>(dot));
    start = dot + 1;
  }
  b.push_back(0);
}

// A response builder: header, one question, then records appended by the caller.
struct Msg {
  Bytes b;
  explicit Msg(const std::string& qname, unsigned qtype, unsigned rcode = 0, unsigned ancount = 0,
               unsigned flags = 0x8180) {
    put16(b, 0x1234);
    put16(b, flags | rcode);
    put16(b, 1);
    put16(b, ancount);
    put16(b, 0);
    put16(b, 0);
    put_name(b, qname);
    put16(b, qtype);
    put16(b, 1);
  }
  void rr_header(const Bytes& owner, unsigned type, unsigned rdlength) {
    b.insert(b.end(), owner.begin(), owner.end());
    put16(b, type);
    put16(b, 1);
    put32(b, 300);
    put16(b, rdlength);
  }
  void mx(const Bytes& owner, unsigned pref, const std::string& exchange) {
    Bytes rd;
    put16(rd, pref);
    put_name(rd, exchange);
    rr_header(owner, 15, static_cast<unsigned>(rd.size()));
    b.insert(b.end(), rd.begin(), rd.end());
  }
  void cname(const Bytes& owner, const std::string& target) {
    Bytes rd;
    put_name(rd, target);
    rr_header(owner, 5, static_cast<unsigned>(rd.size()));
    b.insert(b.end(), rd.begin(), rd.end());
  }
  void a(const Bytes& owner, std::initializer_list<std::uint8_t> addr) {
    rr_header(owner, addr.size() == 4 ? 1 : 28, static_cast<unsigned>(addr.size()));
    b.insert(b.end(), addr.begin(), addr.end());
  }
};

Bytes name(const std::string& n) {
  Bytes b;
  put_name(b, n);
  return b;
}
const Bytes kQname{0xC0, 12};  // pointer to the question name

std::string chain_name(int i) {
  std::string n = std::to_string(i);
  n.insert(0, 1, 'c');
  n += ".test";
  return n;
}  // pointer to the question name

mxscan::dns::Answer answer(const Bytes& wire, const std::string& qname, RrType t) {
  auto parsed = mxscan::dns::parse_message(wire);
  INFO(parsed.error);
  REQUIRE(parsed.message);
  return mxscan::dns::read_answer(*parsed.message, qname, t);
}

}  // namespace

TEST_CASE("dns: MX answer with compression, sorted by the caller", "[dns_message]") {
  Msg m("Example.COM", 15, 0, 2);
  m.mx(kQname, 20, "mx2.example.com");
  m.mx(kQname, 10, "MX1.example.com");
  auto ans = answer(m.b, "example.com", RrType::mx);
  CHECK(ans.status == DnsStatus::ok);
  REQUIRE(ans.mx.size() == 2);
  CHECK(ans.mx[1].exchange == "mx1.example.com");
  CHECK(ans.mx[1].preference == 10);
  CHECK_FALSE(ans.chase);
}

TEST_CASE("dns: statuses from rcodes and empty answers", "[dns_message]") {
  CHECK(answer(Msg("a.test", 15, 0).b, "a.test", RrType::mx).status == DnsStatus::nodata);
  CHECK(answer(Msg("a.test", 15, 3).b, "a.test", RrType::mx).status == DnsStatus::nxdomain);
  CHECK(answer(Msg("a.test", 15, 2).b, "a.test", RrType::mx).status == DnsStatus::servfail);
  CHECK(answer(Msg("a.test", 15, 5).b, "a.test", RrType::mx).status == DnsStatus::refused);
  auto formerr = answer(Msg("a.test", 15, 1).b, "a.test", RrType::mx);
  CHECK(formerr.status == DnsStatus::error);
  CHECK(formerr.error == "rcode 1");
  auto other = answer(Msg("b.test", 15, 0).b, "a.test", RrType::mx);
  CHECK(other.status == DnsStatus::error);
  auto parsed = mxscan::dns::parse_message(Msg("a.test", 15, 0, 0, 0x8380).b);
  REQUIRE(parsed.message);
  CHECK(parsed.message->truncated);
  // What c-ares hands over after its TCP retry is still truncated: not an answer.
  auto tc = answer(Msg("a.test", 15, 0, 0, 0x8380).b, "a.test", RrType::mx);
  CHECK(tc.status == DnsStatus::error);
  CHECK(tc.error == "answer truncated (TC) even over TCP");
}

TEST_CASE("dns: null MX, A and AAAA, CNAME chains", "[dns_message]") {
  Msg nullmx("n.test", 15, 0, 1);
  nullmx.mx(kQname, 0, "");
  auto n = answer(nullmx.b, "n.test", RrType::mx);
  REQUIRE(n.mx.size() == 1);
  CHECK(n.mx[0].exchange.empty());

  Msg chain("mx.test", 1, 0, 3);
  chain.cname(kQname, "alias.test");
  chain.cname(name("alias.test"), "real.test");
  chain.a(name("real.test"), {192, 0, 2, 1});
  auto c = answer(chain.b, "mx.test", RrType::a);
  CHECK(c.status == DnsStatus::ok);
  CHECK(c.cnames == std::vector<std::string>{"alias.test", "real.test"});
  CHECK(c.addresses == std::vector<std::string>{"192.0.2.1"});

  Msg six("mx.test", 28, 0, 1);
  six.a(kQname, {0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1});
  CHECK(answer(six.b, "mx.test", RrType::aaaa).addresses ==
        std::vector<std::string>{"2001:db8::1"});

  Msg dangling("mx.test", 1, 0, 1);
  dangling.cname(kQname, "elsewhere.test");
  auto d = answer(dangling.b, "mx.test", RrType::a);
  CHECK(d.status == DnsStatus::nodata);
  CHECK(d.chase);
  CHECK(d.cnames.back() == "elsewhere.test");

  Msg loop("l.test", 1, 0, 2);
  loop.cname(kQname, "m.test");
  loop.cname(name("m.test"), "l.test");
  CHECK(answer(loop.b, "l.test", RrType::a).status == DnsStatus::cname_loop);

  Msg longchain("c0.test", 1, 0, 10);
  longchain.cname(kQname, "c1.test");
  for (int i = 1; i < 10; ++i) {
    longchain.cname(name(chain_name(i)), chain_name(i + 1));
  }
  CHECK(answer(longchain.b, "c0.test", RrType::a).status == DnsStatus::cname_loop);

  Msg nx("x.test", 1, 3, 1);
  nx.cname(kQname, "gone.test");
  auto x = answer(nx.b, "x.test", RrType::a);
  CHECK(x.status == DnsStatus::nxdomain);
  CHECK(x.cnames.size() == 1);
}

TEST_CASE("dns: odd bytes in names are escaped", "[dns_message]") {
  Msg m("e.test", 15, 0, 1);
  m.mx(kQname, 10, "we.ird");
  m.b[m.b.size() - 7] = '_';
  m.b[m.b.size() - 6] = ' ';
  auto ans = answer(m.b, "e.test", RrType::mx);
  REQUIRE(ans.mx.size() == 1);
  CHECK(ans.mx[0].exchange == "_\\032.ird");
}

TEST_CASE("dns: malformed messages are rejected with a reason", "[dns_message]") {
  auto error_of = [](const Bytes& b) {
    auto r = mxscan::dns::parse_message(b);
    CHECK_FALSE(r.message);
    return r.error;
  };
  CHECK(error_of(Bytes{0x12, 0x34, 0x81}) == "message shorter than a DNS header");
  CHECK(error_of(Msg("a.test", 15, 0, 0, 0x0100).b) == "not a response (QR bit clear)");
  Bytes two_q = Msg("a.test", 15).b;
  two_q[5] = 2;
  CHECK(error_of(two_q) == "question count is not 1");
  Bytes counts = Msg("a.test", 15, 0, 5).b;
  CHECK(error_of(counts) == "record counts larger than the message");

  Msg self("a.test", 15, 0, 1);
  self.mx(Bytes{0xC0, static_cast<std::uint8_t>(self.b.size())}, 1, "x.test");
  CHECK(error_of(self.b) == "answer record: compression pointer does not point backwards");

  Msg fwd("a.test", 15, 0, 1);
  fwd.mx(Bytes{0xC0, 0xFF}, 1, "x.test");
  CHECK(error_of(fwd.b).find("compression pointer") != std::string::npos);

  Msg ext("a.test", 15, 0, 1);
  ext.mx(Bytes{0x41, 0}, 1, "x.test");
  CHECK(error_of(ext.b) == "answer record: unsupported label type");

  Msg short_a("a.test", 1, 0, 1);
  short_a.rr_header(kQname, 1, 3);
  short_a.b.insert(short_a.b.end(), {1, 2, 3});
  CHECK(error_of(short_a.b) == "answer record: A record data is not 4 octets");

  Msg mxlen("a.test", 15, 0, 1);
  mxlen.rr_header(kQname, 15, 12);  // data says 12, content is 2 + 8 octets
  put16(mxlen.b, 10);
  put_name(mxlen.b, "x.test");
  mxlen.b.insert(mxlen.b.end(), {0, 0});
  CHECK(error_of(mxlen.b) == "answer record: MX record data length does not match its content");

  Msg trailing("a.test", 15);
  trailing.b.push_back(0);
  CHECK(error_of(trailing.b) == "trailing bytes after the last record");

  Msg past("a.test", 15, 0, 1);
  past.rr_header(kQname, 16, 40);
  past.b.insert(past.b.end(), 10, 'x');
  CHECK(error_of(past.b) == "answer record: record data runs past the end of the message");

  Bytes longname = Msg("a.test", 15).b;
  Msg big("a.test", 15, 0, 1);
  std::string label(63, 'a');
  big.mx(kQname, 1, label + "." + label + "." + label + "." + label + ".x");
  CHECK(error_of(big.b) == "answer record: name longer than 255 octets");
}

TEST_CASE("dns: random mutations never crash and either parse or give a reason", "[dns_message]") {
  Msg m("example.com", 15, 0, 3);
  m.mx(kQname, 10, "mx1.example.com");
  m.mx(kQname, 20, "mx2.example.com");
  m.cname(name("w.example.com"), "example.com");
  std::mt19937 rng(42);
  int parsed = 0, rejected = 0;
  for (int round = 0; round < 20000; ++round) {
    Bytes b = m.b;
    int edits = 1 + static_cast<int>(rng() % 4);
    for (int e = 0; e < edits; ++e) {
      switch (rng() % 3) {
        case 0:
          b[rng() % b.size()] = static_cast<std::uint8_t>(rng());
          break;
        case 1:
          b.resize(rng() % (b.size() + 1));
          if (b.empty()) b.push_back(0);
          break;
        default:
          b.insert(b.begin() + static_cast<long>(rng() % b.size()),
                   static_cast<std::uint8_t>(rng()));
      }
    }
    auto r = mxscan::dns::parse_message(b);
    if (r.message) {
      ++parsed;
      (void)mxscan::dns::read_answer(*r.message, "example.com", RrType::mx);
    } else {
      ++rejected;
      REQUIRE_FALSE(r.error.empty());
    }
  }
  CHECK(parsed > 0);
  CHECK(rejected > 0);
}

TEST_CASE("dns: TXT: character-strings joined without separator, one text per record",
          "[dns_message]") {
  Msg m("d.test", 16, 0, 2);
  const Bytes first{3, 'v', '=', 's', 4, 'p', 'f', '1', ' ', 3, '-', 'a', 'l'};
  m.rr_header(kQname, 16, static_cast<unsigned>(first.size()));
  m.b.insert(m.b.end(), first.begin(), first.end());
  const Bytes second{0};  // one empty character-string
  m.rr_header(kQname, 16, 1);
  m.b.insert(m.b.end(), second.begin(), second.end());
  const auto a = answer(m.b, "d.test", RrType::txt);
  CHECK(a.status == DnsStatus::ok);
  CHECK(a.texts == std::vector<std::string>{"v=spf1 -al", ""});
  CHECK_FALSE(a.authenticated);
}

TEST_CASE("dns: TXT: a character-string running past its record, or no string, is malformed",
          "[dns_message]") {
  Msg over("d.test", 16, 0, 1);
  const Bytes data{5, 'a', 'b'};
  over.rr_header(kQname, 16, static_cast<unsigned>(data.size()));
  over.b.insert(over.b.end(), data.begin(), data.end());
  auto parsed = mxscan::dns::parse_message(over.b);
  CHECK_FALSE(parsed.message);
  CHECK_THAT(parsed.error, Catch::Contains("TXT character-string runs past its record"));
  Msg empty("d.test", 16, 0, 1);
  empty.rr_header(kQname, 16, 0);
  parsed = mxscan::dns::parse_message(empty.b);
  CHECK_THAT(parsed.error, Catch::Contains("TXT record without a character-string"));
}

TEST_CASE("dns: TLSA: usage, selector, matching type, data in hex; the AD bit", "[dns_message]") {
  Msg m("_25._tcp.mx.d.test", 52, 0, 1, 0x81A0);  // QR RD RA AD
  const Bytes data{3, 1, 1, 0x00, 0xAB, 0xFF};
  m.rr_header(kQname, 52, static_cast<unsigned>(data.size()));
  m.b.insert(m.b.end(), data.begin(), data.end());
  const auto a = answer(m.b, "_25._tcp.mx.d.test", RrType::tlsa);
  CHECK(a.status == DnsStatus::ok);
  CHECK(a.authenticated);
  REQUIRE(a.tlsa.size() == 1);
  CHECK(a.tlsa[0] == mxscan::TlsaRecord{3, 1, 1, "00abff"});
  Msg short_rr("_25._tcp.mx.d.test", 52, 0, 1);
  const Bytes two{3, 1};
  short_rr.rr_header(kQname, 52, 2);
  short_rr.b.insert(short_rr.b.end(), two.begin(), two.end());
  CHECK_THAT(mxscan::dns::parse_message(short_rr.b).error,
             Catch::Contains("TLSA record data too short"));
}
