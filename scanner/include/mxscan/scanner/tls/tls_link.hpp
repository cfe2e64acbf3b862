// TLS after STARTTLS without a stream object: OpenSSL reads from and writes to
// two memory BIOs, and the session moves the bytes between them and its socket.
//
// Design note. asio::ssl::stream puts a BIO pair and two 17 KiB buffers between
// OpenSSL and the socket and runs every read, write and handshake as a composed
// asynchronous operation. At thousands of sessions per second those copies,
// buffers and intermediate handlers cost ~10% of the client's CPU (measured:
// docs/performance.md). Here each OpenSSL call is one synchronous step; the
// caller sends what the step wrote, feeds what the socket received, and decides
// when output leaves: after the handshake, the client's Finished waits for the
// first command and both go out in one segment, as browsers send theirs with
// the first request. Errors are the codes asio::ssl::stream reports (OpenSSL's
// reason strings in Asio's ssl category; a close without close_notify is
// stream_truncated), so recorded messages do not depend on which path ran.
// No Asio I/O here: the SMTP session owns the socket and the waiting.
#pragma once

#include <array>
#include <boost/system/error_code.hpp>
#include <cstddef>
#include <memory>
#include <span>
#include <string_view>

struct bio_st;
struct ssl_ctx_st;
struct ssl_st;

namespace mxscan {

class TlsLink {
 public:
  // What an OpenSSL call needs next.
  enum class Step { done, want_input, failed };

  enum class Role { client, server };

  // An SSL object from `ctx`, in connect (client) or accept (server) state; the
  // lab's test server uses the server role. Throws std::bad_alloc.
  explicit TlsLink(ssl_ctx_st* ctx, Role role = Role::client);
  ~TlsLink();
  TlsLink(const TlsLink&) = delete;
  TlsLink& operator=(const TlsLink&) = delete;

  ssl_st* ssl() const noexcept { return ssl_.get(); }

  // Runs `call` (SSL_do_handshake, SSL_read or SSL_write on ssl()) once with a
  // clean error queue. `result` receives the call's return value.
  template <typename Call>
  Step step(Call&& call, int* result = nullptr) {
    clear_errors();
    const int r = call(ssl());
    if (result) *result = r;
    return classify(r);
  }
  // Why the last step failed (valid after Step::failed).
  const boost::system::error_code& error() const noexcept { return error_; }

  // Bytes OpenSSL wrote that are not sent yet; output_sent() drops them.
  std::string_view pending_output() const noexcept;
  void output_sent() noexcept;

  // Where the socket reads into, and the bytes it read.
  std::span<char> input_space() noexcept { return input_; }
  void received(std::size_t n);
  // The socket reached end of stream: OpenSSL sees it on its next read.
  void peer_closed() noexcept;

 private:
  struct SslFree {
    void operator()(ssl_st* ssl) const noexcept;
  };
  static void clear_errors() noexcept;
  Step classify(int result);

  std::unique_ptr<ssl_st, SslFree> ssl_;
  bio_st* in_ = nullptr;   // owned by ssl_
  bio_st* out_ = nullptr;  // owned by ssl_
  bool peer_closed_ = false;
  boost::system::error_code error_;
  std::array<char, 4096> input_{};
};

}  // namespace mxscan
