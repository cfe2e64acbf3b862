// Personas of the lab's SMTP server and the address map that selects them.
//
// Design note. One persona server process stands for every mail server address of a lab
// scenario (100,000+ in the scale scenario): it listens once and chooses a persona from
// the local address the client dialed. The scenario generator writes the personas into a
// TOML file (docs/lab.md documents its keys); this header holds the parsed form. Address
// lookup must be cheap and exact: single addresses go into a hash map, ranges into a
// sorted vector of non-overlapping intervals (overlaps are a configuration error, so a
// persona never depends on the order of the file); a single address overrides a range.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace mxscan::lab {

// Misbehaviours a real MTA cannot be made to show.
enum class Fault : std::uint8_t {
  none,
  tarpit,            // accept, never speak
  close,             // accept, close at once (FIN)
  reset,             // accept, reset (SO_LINGER 0)
  garbage,           // binary bytes instead of a greeting
  no_eol,            // greeting without a line end, then silence
  lf_only,           // every reply line ends in LF only
  huge_line,         // a 1 MiB greeting line
  endless_greeting,  // "220-" lines forever
  endless_ehlo,      // "250-" lines forever in reply to EHLO
  tls_alert,         // STARTTLS accepted, then a fatal TLS alert
  tls_garbage,       // STARTTLS accepted, then bytes that are not TLS
};

enum class StartTls : std::uint8_t {
  none,    // not advertised, refused with 502
  offer,   // advertised and accepted
  refuse,  // advertised, then refused with 454
};

std::optional<Fault> parse_fault(std::string_view s) noexcept;
std::string_view to_string(Fault f) noexcept;

struct Persona {
  std::string name;
  std::string banner;             // greeting lines separated by '\n', codes included
  std::vector<std::string> ehlo;  // EHLO reply lines without code; first is the host name
  StartTls starttls = StartTls::none;
  std::string chain;  // PEM file: key, leaf, chain (empty: no certificate)
  Fault fault = Fault::none;
  std::uint32_t greeting_delay_ms = 0;
  std::uint32_t reply_delay_ms = 0;
  std::uint32_t drip_ms = 0;  // > 0: every reply sent one byte at a time
  std::string forward;        // "ADDR:PORT": relay the session to a real MTA
};

// A persona's address specification: "A.B.C.D", "A.B.C.D/N" or "A.B.C.D-E.F.G.H".
struct AddressRange {
  std::uint32_t first = 0;
  std::uint32_t last = 0;
};
std::optional<AddressRange> parse_address_range(std::string_view s) noexcept;
std::optional<std::uint32_t> parse_ipv4(std::string_view s) noexcept;
std::string format_ipv4(std::uint32_t a);

class PersonaMap {
 public:
  // Throws std::runtime_error naming the file and the problem.
  static PersonaMap load(const std::string& path);

  // nullptr: no persona for that address.
  const Persona* find(std::uint32_t address) const noexcept;
  const std::vector<Persona>& personas() const noexcept { return personas_; }
  std::size_t address_count() const noexcept;

 private:
  struct Interval {
    std::uint32_t first, last;
    std::uint32_t persona;
  };
  std::vector<Persona> personas_;
  std::unordered_map<std::uint32_t, std::uint32_t> exact_;
  std::vector<Interval> ranges_;  // sorted by first, non-overlapping
};

}  // namespace mxscan::lab
