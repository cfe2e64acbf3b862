#include "mxscan/scanner/tls/tls_drive.hpp"

#include <openssl/ssl.h>

#include <algorithm>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ssl/error.hpp>
#include <catch2/catch.hpp>
#include <cstring>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "memory_tls.hpp"
#include "mxscan/scanner/tls/tls_client.hpp"

using boost::system::error_code;
using mxscan::TlsLink;

namespace {

namespace asio = boost::asio;

const auto kHandshake = [](SSL* s) { return SSL_do_handshake(s); };

// The client's transport, whose far end is a server-role link stepped as soon as
// bytes reach it (or, with `reply`, fixed bytes instead of a TLS server; or a
// receive error). Records each send.
struct PeerTransport {
  TlsLink* server = nullptr;
  std::optional<std::string> reply;
  error_code receive_error;
  std::string to_client;
  std::vector<std::string> sends;

  asio::awaitable<error_code> send(std::string_view bytes) {
    sends.emplace_back(bytes);
    if (reply) {
      to_client += *reply;
      reply.reset();
    } else if (server) {
      mxscan::test::deliver(*server, bytes);
      if (!SSL_is_init_finished(server->ssl())) server->step(kHandshake);
      if (SSL_is_init_finished(server->ssl())) {
        char sink[256];
        server->step([&sink](SSL* s) { return SSL_read(s, sink, sizeof sink); });
      }
      to_client += mxscan::test::take_output(*server);
    }
    co_return error_code{};
  }

  asio::awaitable<error_code> receive(std::span<char> space, std::size_t& n) {
    if (receive_error) co_return receive_error;
    if (to_client.empty()) co_return asio::error::eof;  // the far end has nothing more: closed
    n = std::min(space.size(), to_client.size());
    std::memcpy(space.data(), to_client.data(), n);
    to_client.erase(0, n);
    co_return error_code{};
  }
};

template <typename Call>
mxscan::TlsDriveResult drive(TlsLink& link, Call call, PeerTransport& t, bool hold_output = false) {
  asio::io_context io;
  mxscan::TlsDriveResult out;
  out.error = asio::error::operation_aborted;
  asio::co_spawn(
      io,
      [&]() -> asio::awaitable<void> {
        out = co_await mxscan::drive_tls(link, call, t, hold_output);
      },
      asio::detached);
  io.run();
  return out;
}

// A client link and a server link, joined by a PeerTransport.
struct Ends {
  mxscan::TlsClientContext client_ctx{mxscan::TlsClientSettings{}};
  mxscan::test::SslCtxPtr server_ctx = mxscan::test::self_signed_server_context("mx.drive.test");
  TlsLink client{client_ctx.get()};
  TlsLink server{server_ctx.get(), TlsLink::Role::server};
  PeerTransport transport;
  Ends() { transport.server = &server; }
};

}  // namespace

TEST_CASE("tls drive: a handshake completes over the transport, the Finished held when asked",
          "[tls]") {
  Ends ends;
  TlsLink& client = ends.client;
  TlsLink& server = ends.server;
  PeerTransport& t = ends.transport;

  const auto shaken = drive(client, kHandshake, t, /*hold_output=*/true);
  REQUIRE_FALSE(shaken.error);
  CHECK(shaken.result == 1);
  CHECK(t.sends.size() == 1);                    // the ClientHello only
  CHECK_FALSE(client.pending_output().empty());  // the Finished waits...
  const std::string command = "EHLO scanner.drive.test\r\n";
  const auto written = drive(
      client,
      [&](SSL* s) { return SSL_write(s, command.data(), static_cast<int>(command.size())); }, t);
  REQUIRE_FALSE(written.error);
  CHECK(written.result == static_cast<int>(command.size()));
  REQUIRE(t.sends.size() == 2);  // ...and leaves with the command, in one send
  CHECK(SSL_is_init_finished(server.ssl()) == 1);
}

TEST_CASE("tls drive: without holding, the Finished leaves when the handshake ends", "[tls]") {
  Ends ends;
  TlsLink& client = ends.client;
  TlsLink& server = ends.server;
  PeerTransport& t = ends.transport;
  REQUIRE_FALSE(drive(client, kHandshake, t).error);
  CHECK(t.sends.size() == 2);
  CHECK(client.pending_output().empty());
  CHECK(SSL_is_init_finished(server.ssl()) == 1);
}

TEST_CASE("tls drive: the transport's error ends the call", "[tls]") {
  const mxscan::TlsClientContext client_ctx(mxscan::TlsClientSettings{});
  TlsLink client(client_ctx.get());
  PeerTransport t;
  t.receive_error = asio::error::connection_reset;
  const auto r = drive(client, kHandshake, t);
  CHECK(r.error == asio::error::connection_reset);
  CHECK(t.sends.size() == 1);
}

TEST_CASE("tls drive: a peer that closes mid-handshake truncates the stream", "[tls]") {
  const mxscan::TlsClientContext client_ctx(mxscan::TlsClientSettings{});
  TlsLink client(client_ctx.get());
  PeerTransport t;  // nothing answers: the first receive sees the end of the stream
  const auto r = drive(client, kHandshake, t);
  CHECK(r.error == asio::ssl::error::stream_truncated);
}

TEST_CASE("tls drive: a failed call still sends its alert and returns its own error", "[tls]") {
  const mxscan::TlsClientContext client_ctx(mxscan::TlsClientSettings{});
  TlsLink client(client_ctx.get());
  PeerTransport t;
  // A handshake record holding an empty ServerHello: OpenSSL answers with a
  // decode_error alert. (For bytes that are not TLS at all it sends none.)
  t.reply = std::string("\x16\x03\x03\x00\x04\x02\x00\x00\x00", 9);
  const auto r = drive(client, kHandshake, t);
  REQUIRE(r.error);
  CHECK(r.error.category() == asio::error::get_ssl_category());
  REQUIRE(t.sends.size() == 2);
  CHECK(t.sends[1][0] == 0x15);  // an alert record
}
