// A strict parser for DNS answers (RFC 1035) and the reading of one answer for
// the question the scanner asked: MX, A, AAAA, following CNAMEs.
//
// Design note. c-ares hands the raw answer to the query callback; this parser,
// not ares_parse_*, turns it into values, because c-ares reports a CNAME-only MX
// answer as an empty success, a null MX as an empty host and drops TTLs
// (c-ares 1.18, docs/dns.md). Both functions are pure (bytes in, values out), never read
// outside the buffer and reject every malformed form with a reason: label
// types other than plain labels and pointers, pointers that do not point
// strictly backwards, names over 255 octets, record data whose length does not
// match its type, section counts larger than the message, trailing bytes. The
// fuzz-style tests in tests/scanner/dns/dns_message_test.cpp feed it mutations.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "mxscan/common/observation.hpp"

namespace mxscan::dns {

// SOA is asked only by the resolver probe; its record data is not decoded.
// TXT and TLSA are the signals (SPF, MTA-STS, TLS-RPT, DMARC; DANE).
enum class RrType : std::uint16_t {
  a = 1,
  cname = 5,
  soa = 6,
  mx = 15,
  txt = 16,
  aaaa = 28,
  tlsa = 52
};

inline constexpr std::uint16_t kClassIn = 1;
inline constexpr std::size_t kMaxCnameChain = 8;

struct ResourceRecord {
  std::string owner;  // lower case, no trailing dot; "" is the root
  std::uint16_t type = 0;
  std::uint16_t rclass = 0;
  std::uint32_t ttl = 0;
  std::uint16_t preference = 0;  // MX
  std::string target;            // MX exchange or CNAME target (as owner)
  std::string address;           // A/AAAA in text form
  // TXT: its character-strings concatenated without separator (RFC 7208 3.3).
  std::string text;
  TlsaRecord tlsa;  // TLSA
};

struct Message {
  std::uint16_t id = 0;
  bool response = false;
  bool truncated = false;
  bool authenticated = false;  // AD bit
  std::uint8_t rcode = 0;
  std::string qname;  // as owner
  std::uint16_t qtype = 0;
  std::uint16_t qclass = 0;
  std::vector<ResourceRecord> answers;  // answer section only; others are checked, not kept
};

struct ParseResult {
  std::optional<Message> message;  // set when well formed
  std::string error;               // why not, when malformed
};

// Parses a whole DNS message. Names are returned lower-cased; bytes outside
// [a-z0-9-_] in labels (and dots inside labels) are escaped as \DDD, so they
// fail host name checks later instead of being confused with other names.
ParseResult parse_message(std::span<const std::uint8_t> wire);

struct MxEntry {
  std::uint16_t preference = 0;
  std::string exchange;  // "" for the root (null MX)
};

// What an answer says about (qname, qtype).
struct Answer {
  DnsStatus status = DnsStatus::error;
  std::vector<std::string> cnames;     // CNAME targets followed, in order
  std::vector<MxEntry> mx;             // qtype MX
  std::vector<std::string> addresses;  // qtype A/AAAA
  std::vector<std::string> texts;      // qtype TXT, one string per record
  std::vector<TlsaRecord> tlsa;        // qtype TLSA
  bool authenticated = false;          // the resolver set AD
  // The chain ended at a CNAME target the answer holds nothing for: ask again
  // for cnames.back() (the status is then nodata until that is done).
  bool chase = false;
  std::string error;
};

// Reads a parsed message as the answer to (qname, qtype), qname normalised.
// NXDOMAIN -> nxdomain, SERVFAIL -> servfail, REFUSED -> refused, other
// non-zero rcodes, a truncated answer (TC) and a question that is not ours -> error; NOERROR with
// records of qtype at the end of the CNAME chain -> ok, without -> nodata;
// a chain longer than kMaxCnameChain or revisiting a name -> cname_loop.
// Null MX is not decided here (the resolver sees a single {0, ""} entry).
Answer read_answer(const Message& msg, const std::string& qname, RrType qtype);

}  // namespace mxscan::dns
