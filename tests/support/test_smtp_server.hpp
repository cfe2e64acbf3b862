// A small SMTP server for the scanner's tests and benchmark, with the faults a
// real MTA cannot be made to show (the lab's Postfix covers real behaviour).
//
// Design note. One io_context (optionally several threads) serves listeners
// bound to 127.0.0.0/8 addresses, or one wildcard listener whose persona is
// chosen by the local address the client dialed (peers outside 127.0.0.0/8 are
// dropped at once). Everything a conduct test must check is recorded: accepted
// connections per local address, sessions in flight per /24 and their maximum,
// every command received per connection, whether QUIT came, forbidden commands.
// Loopback only: nothing here may ever listen for or reach another network.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

struct ssl_ctx_st;

namespace mxscan::test {

enum class Fault {
  none,
  tarpit,            // accept, never speak
  close,             // accept, close at once (FIN)
  reset,             // accept, reset (SO_LINGER 0)
  garbage,           // an HTTP reply instead of a greeting
  no_eol,            // greeting without line end, then silence
  huge_line,         // a 1 MiB greeting line
  endless_ehlo,      // "250-" lines without end in reply to EHLO
  mixed_codes,       // EHLO reply whose lines carry different codes
  ehlo_silent,       // no reply to EHLO
  tls_garbage,       // STARTTLS accepted, then bytes that are not TLS
  tls_stall,         // STARTTLS accepted, then silence
  inject,            // STARTTLS accepted with extra plaintext in the same write
  preamble,          // a line that is not SMTP before the greeting
  ehlo_10k,          // an EHLO reply of 10,000 lines (within the session's time)
  drip,              // every reply written one byte per packet (TCP_NODELAY, 1 ms apart)
  tls_renegotiate,   // TLS 1.2 only; after the handshake, a HelloRequest (renegotiation)
  tls_midway_close,  // STARTTLS accepted, the ClientHello read, then the connection closed
};

struct TestPersona {
  std::string banner = "220 mx.test.lab.example ESMTP test";  // lines separated by '\n'
  std::string hostname = "mx.test.lab.example";
  Fault fault = Fault::none;
  bool offer_starttls = true;
  bool refuse_starttls = false;  // offered, then "454 4.7.0 TLS not available"
  int ehlo_code = 250;           // 5xx: EHLO refused (HELO then answered with helo_code)
  int helo_code = 250;
  std::string chain_file;  // PEM: key, leaf, chain; required when STARTTLS is accepted
  bool lf_only = false;    // reply lines end with LF only
};

struct ConnectionLog {
  std::string local;                  // address the client dialed
  std::vector<std::string> commands;  // verbs and arguments, as received
  bool quit = false;
  std::string sni;  // server name the client sent, if any
};

// The TLS settings of the server's contexts, shared with mxscan-tls-floor so that it
// measures the same server. Certificates and key are loaded by the caller. Like
// Postfix (tls_server.c, SSL_CTX_set_num_tickets(server_ctx, 1)), the server sends
// one stateless TLS 1.3 session ticket per handshake: the lab's Debian 12 Postfix
// does, counted with `openssl s_client -starttls smtp -msg` (docs/performance.md).
void configure_tls_server(ssl_ctx_st* ctx);

struct ServerStats {
  std::map<std::string, std::size_t> accepted;    // per local address
  std::map<std::string, std::size_t> max_per_24;  // highest concurrent sessions per /24 ("a.b.c")
  std::size_t max_concurrent = 0;
  std::size_t current = 0;
  std::size_t forbidden = 0;  // MAIL RCPT DATA VRFY EXPN AUTH seen
  std::size_t tls_handshakes = 0;
  std::vector<ConnectionLog> connections;  // finished connections (kept only when logging)
};

class TestSmtpServer {
 public:
  explicit TestSmtpServer(unsigned threads = 1, bool keep_logs = true);
  ~TestSmtpServer();
  TestSmtpServer(const TestSmtpServer&) = delete;
  TestSmtpServer& operator=(const TestSmtpServer&) = delete;

  // Listens on address:port (127.0.0.0/8 only; port 0 picks one) and returns the port.
  std::uint16_t listen(const std::string& address, std::uint16_t port, TestPersona persona);
  // One listener on 0.0.0.0:port for every dialed 127/8 address, with one persona.
  std::uint16_t listen_any(std::uint16_t port, TestPersona persona);
  void start();
  void stop();
  ServerStats stats() const;

  struct Impl;  // opaque: Asio lives in the .cpp

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace mxscan::test
