#include "mxscan/scanner/dns/dns_message.hpp"

#include <arpa/inet.h>

#include <algorithm>
#include <array>
#include <cstdio>
#include <string_view>

namespace mxscan::dns {
namespace {

class Reader {
 public:
  explicit Reader(std::span<const std::uint8_t> wire) : wire_(wire) {}

  std::size_t pos() const noexcept { return pos_; }
  std::size_t left() const noexcept { return wire_.size() - pos_; }

  bool u8(std::uint8_t& v) {
    if (left() < 1) return false;
    v = wire_[pos_++];
    return true;
  }
  bool u16(std::uint16_t& v) {
    if (left() < 2) return false;
    v = static_cast<std::uint16_t>((wire_[pos_] << 8) | wire_[pos_ + 1]);
    pos_ += 2;
    return true;
  }
  bool u32(std::uint32_t& v) {
    if (left() < 4) return false;
    v = (std::uint32_t{wire_[pos_]} << 24) | (std::uint32_t{wire_[pos_ + 1]} << 16) |
        (std::uint32_t{wire_[pos_ + 2]} << 8) | std::uint32_t{wire_[pos_ + 3]};
    pos_ += 4;
    return true;
  }
  bool skip(std::size_t n) {
    if (left() < n) return false;
    pos_ += n;
    return true;
  }

  // Reads a possibly compressed name at the cursor; on success the cursor is
  // after the name's in-place part. Returns an error text or nullptr.
  const char* name(std::string& out) {
    out.clear();
    std::size_t p = pos_;
    std::size_t end_in_place = 0;  // cursor after the name, once known
    std::size_t wire_len = 0;      // octets of the uncompressed name
    std::size_t lowest_jump = p;   // pointers must go strictly below this
    bool jumped = false;
    while (true) {
      if (p >= wire_.size()) return "name runs past the end of the message";
      std::uint8_t len = wire_[p];
      if ((len & 0xC0) == 0xC0) {
        if (p + 1 >= wire_.size()) return "truncated compression pointer";
        std::size_t target = (static_cast<std::size_t>(len & 0x3F) << 8) | wire_[p + 1];
        if (target >= lowest_jump) return "compression pointer does not point backwards";
        if (!jumped) end_in_place = p + 2;
        jumped = true;
        lowest_jump = target;
        p = target;
        continue;
      }
      if ((len & 0xC0) != 0) return "unsupported label type";
      wire_len += 1 + len;
      if (wire_len > 255) return "name longer than 255 octets";
      if (len == 0) {
        if (!jumped) end_in_place = p + 1;
        break;
      }
      if (p + 1 + len > wire_.size()) return "label runs past the end of the message";
      if (!out.empty()) out += '.';
      for (std::size_t i = p + 1; i <= p + len; ++i) append_char(out, wire_[i]);
      p += 1 + len;
    }
    pos_ = end_in_place;
    return nullptr;
  }

 private:
  static void append_char(std::string& out, std::uint8_t c) {
    if (c >= 'A' && c <= 'Z') c = static_cast<std::uint8_t>(c - 'A' + 'a');
    bool plain = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
    if (plain) {
      out += static_cast<char>(c);
      return;
    }
    std::array<char, 5> esc{};
    std::snprintf(esc.data(), esc.size(), "\\%03u", static_cast<unsigned>(c));
    out += esc.data();
  }

  std::span<const std::uint8_t> wire_;
  std::size_t pos_ = 0;
};

std::string address_text(int family, const std::uint8_t* bytes) {
  std::array<char, INET6_ADDRSTRLEN> buf{};
  inet_ntop(family, bytes, buf.data(), buf.size());
  return buf.data();
}

// Parses one resource record; `keep` says whether to decode its data.
const char* parse_record(Reader& r, std::span<const std::uint8_t> wire, ResourceRecord& rr) {
  if (const char* e = r.name(rr.owner)) return e;
  std::uint16_t rdlength = 0;
  if (!r.u16(rr.type) || !r.u16(rr.rclass) || !r.u32(rr.ttl) || !r.u16(rdlength)) {
    return "record header runs past the end of the message";
  }
  if (r.left() < rdlength) return "record data runs past the end of the message";
  std::size_t start = r.pos();
  std::size_t end = start + rdlength;
  if (rr.rclass == kClassIn) {
    switch (static_cast<RrType>(rr.type)) {
      case RrType::a:
        if (rdlength != 4) return "A record data is not 4 octets";
        rr.address = address_text(AF_INET, wire.data() + start);
        break;
      case RrType::aaaa:
        if (rdlength != 16) return "AAAA record data is not 16 octets";
        rr.address = address_text(AF_INET6, wire.data() + start);
        break;
      case RrType::mx:
        if (!r.u16(rr.preference)) return "MX record data too short";
        if (r.pos() > end) return "MX record data too short";
        if (const char* e = r.name(rr.target)) return e;
        if (r.pos() != end) return "MX record data length does not match its content";
        return nullptr;
      case RrType::cname:
        if (const char* e = r.name(rr.target)) return e;
        if (r.pos() != end) return "CNAME record data length does not match its content";
        return nullptr;
      case RrType::txt: {
        // One or more <length, bytes> character-strings filling the data exactly.
        std::size_t q = start;
        while (q < end) {
          const std::size_t len = wire[q];
          if (q + 1 + len > end) return "TXT character-string runs past its record";
          rr.text.append(wire.begin() + static_cast<std::ptrdiff_t>(q + 1),
                         wire.begin() + static_cast<std::ptrdiff_t>(q + 1 + len));
          q += 1 + len;
        }
        if (rdlength == 0) return "TXT record without a character-string";
        break;
      }
      case RrType::tlsa: {
        if (rdlength < 3) return "TLSA record data too short";
        rr.tlsa.usage = wire[start];
        rr.tlsa.selector = wire[start + 1];
        rr.tlsa.matching_type = wire[start + 2];
        constexpr std::string_view kHex = "0123456789abcdef";
        rr.tlsa.data_hex.reserve(std::size_t{2} * (rdlength - 3U));
        for (std::size_t i = start + 3; i < end; ++i) {
          rr.tlsa.data_hex += kHex[wire[i] >> 4U];
          rr.tlsa.data_hex += kHex[wire[i] & 0x0FU];
        }
        break;
      }
      case RrType::soa:
        break;
    }
  }
  r.skip(rdlength);
  return nullptr;
}

}  // namespace

ParseResult parse_message(std::span<const std::uint8_t> wire) {
  ParseResult result;
  Reader r(wire);
  Message msg;
  std::uint16_t flags = 0, qd = 0, an = 0, ns = 0, ar = 0;
  if (!r.u16(msg.id) || !r.u16(flags) || !r.u16(qd) || !r.u16(an) || !r.u16(ns) || !r.u16(ar)) {
    result.error = "message shorter than a DNS header";
    return result;
  }
  msg.response = (flags & 0x8000) != 0;
  msg.truncated = (flags & 0x0200) != 0;
  msg.authenticated = (flags & 0x0020) != 0;
  msg.rcode = static_cast<std::uint8_t>(flags & 0x000F);
  if (!msg.response) {
    result.error = "not a response (QR bit clear)";
    return result;
  }
  if (qd != 1) {
    result.error = "question count is not 1";
    return result;
  }
  if (const char* e = r.name(msg.qname)) {
    result.error = std::string("question: ") + e;
    return result;
  }
  if (!r.u16(msg.qtype) || !r.u16(msg.qclass)) {
    result.error = "question runs past the end of the message";
    return result;
  }
  // Each record takes at least 11 octets: reject impossible counts before looping.
  if (std::size_t{an} + ns + ar > r.left() / 11) {
    result.error = "record counts larger than the message";
    return result;
  }
  msg.answers.reserve(an);
  for (std::size_t i = 0; i < std::size_t{an} + ns + ar; ++i) {
    ResourceRecord rr;
    if (const char* e = parse_record(r, wire, rr)) {
      result.error =
          (i < an ? "answer record: " : "authority/additional record: ") + std::string(e);
      return result;
    }
    if (i < an) msg.answers.push_back(std::move(rr));
  }
  if (r.left() != 0) {
    result.error = "trailing bytes after the last record";
    return result;
  }
  result.message = std::move(msg);
  return result;
}

Answer read_answer(const Message& msg, const std::string& qname, RrType qtype) {
  Answer ans;
  if (msg.qname != qname || msg.qtype != static_cast<std::uint16_t>(qtype) ||
      msg.qclass != kClassIn) {
    ans.status = DnsStatus::error;
    ans.error = "answer to another question (" + msg.qname + ")";
    return ans;
  }
  if (msg.truncated) {
    // c-ares retries a truncated UDP answer over TCP and hands over what TCP
    // returned: still truncated means the server never sends it whole.
    ans.status = DnsStatus::error;
    ans.error = "answer truncated (TC) even over TCP";
    return ans;
  }
  switch (msg.rcode) {
    case 0:
      break;
    case 2:
      ans.status = DnsStatus::servfail;
      return ans;
    case 3:
      ans.status = DnsStatus::nxdomain;
      break;  // the chain may still be reported
    case 5:
      ans.status = DnsStatus::refused;
      return ans;
    default:
      ans.status = DnsStatus::error;
      ans.error = "rcode " + std::to_string(msg.rcode);
      return ans;
  }
  std::string current = qname;
  while (true) {
    auto it = std::find_if(msg.answers.begin(), msg.answers.end(), [&](const ResourceRecord& rr) {
      return rr.type == static_cast<std::uint16_t>(RrType::cname) && rr.rclass == kClassIn &&
             rr.owner == current;
    });
    if (it == msg.answers.end()) break;
    bool seen = it->target == qname ||
                std::find(ans.cnames.begin(), ans.cnames.end(), it->target) != ans.cnames.end();
    ans.cnames.push_back(it->target);
    if (seen || ans.cnames.size() > kMaxCnameChain) {
      ans.status = DnsStatus::cname_loop;
      ans.error = seen ? "CNAME loop" : "CNAME chain longer than " + std::to_string(kMaxCnameChain);
      return ans;
    }
    current = it->target;
  }
  if (msg.rcode == 3) return ans;
  for (const ResourceRecord& rr : msg.answers) {
    if (rr.type != static_cast<std::uint16_t>(qtype) || rr.rclass != kClassIn ||
        rr.owner != current) {
      continue;
    }
    if (qtype == RrType::mx) {
      ans.mx.push_back(MxEntry{rr.preference, rr.target});
    } else if (qtype == RrType::txt) {
      ans.texts.push_back(rr.text);
    } else if (qtype == RrType::tlsa) {
      ans.tlsa.push_back(rr.tlsa);
    } else {
      ans.addresses.push_back(rr.address);
    }
  }
  ans.authenticated = msg.authenticated;
  bool any = !ans.mx.empty() || !ans.addresses.empty() || !ans.texts.empty() || !ans.tlsa.empty();
  ans.status = any ? DnsStatus::ok : DnsStatus::nodata;
  ans.chase = !any && !ans.cnames.empty();
  return ans;
}

}  // namespace mxscan::dns
