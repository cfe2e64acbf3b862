#include "mxscan/scanner/tls/tls_link.hpp"

#include <openssl/bio.h>
#include <openssl/ssl.h>

#include <algorithm>
#include <boost/asio/error.hpp>
#include <boost/asio/ssl/error.hpp>
#include <catch2/catch.hpp>
#include <cstring>
#include <memory>
#include <string>
#include <string_view>

#include "memory_tls.hpp"
#include "mxscan/scanner/tls/tls_client.hpp"

using mxscan::TlsLink;
using mxscan::test::deliver;
using mxscan::test::take_output;
using Step = TlsLink::Step;

namespace {

using Ssl = std::unique_ptr<SSL, decltype(&SSL_free)>;

// A server with a fresh self-signed P-256 certificate, reading from and writing
// to memory BIOs the test moves bytes through.
struct MemoryServer {
  mxscan::test::SslCtxPtr ctx = mxscan::test::self_signed_server_context("mx.link.test");
  Ssl ssl{nullptr, &SSL_free};
  BIO* in = nullptr;
  BIO* out = nullptr;

  MemoryServer() {
    ssl.reset(SSL_new(ctx.get()));
    REQUIRE(ssl);
    in = BIO_new(BIO_s_mem());
    out = BIO_new(BIO_s_mem());
    BIO_set_mem_eof_return(in, -1);
    SSL_set_bio(ssl.get(), in, out);
    SSL_set_accept_state(ssl.get());
  }
  // Everything the server has written so far.
  std::string take_output() {
    std::string bytes(static_cast<std::size_t>(BIO_ctrl_pending(out)), '\0');
    if (!bytes.empty()) REQUIRE(BIO_read(out, bytes.data(), static_cast<int>(bytes.size())) > 0);
    return bytes;
  }
  void give(std::string_view bytes) {
    REQUIRE(BIO_write(in, bytes.data(), static_cast<int>(bytes.size())) ==
            static_cast<int>(bytes.size()));
  }
};

Step handshake(TlsLink& link) {
  return link.step([](SSL* s) { return SSL_do_handshake(s); });
}

// Client and server up to the point where the client's handshake is done and
// its Finished is waiting in pending_output().
void handshake_until_client_done(TlsLink& client, MemoryServer& server, std::size_t piece = 4096) {
  REQUIRE(handshake(client) == Step::want_input);
  const std::string hello = take_output(client);
  REQUIRE(!hello.empty());
  CHECK(hello[0] == 0x16);  // a handshake record: the ClientHello
  server.give(hello);
  REQUIRE(SSL_get_error(server.ssl.get(), SSL_do_handshake(server.ssl.get())) ==
          SSL_ERROR_WANT_READ);
  const std::string flight = server.take_output();
  REQUIRE(flight.size() > 200);
  // Fed in pieces, the client keeps asking for more until the flight is complete.
  std::size_t given = 0;
  Step step = Step::want_input;
  while (given < flight.size()) {
    const std::size_t n = std::min(piece, flight.size() - given);
    deliver(client, std::string_view(flight).substr(given, n), piece);
    given += n;
    step = handshake(client);
    if (given < flight.size()) REQUIRE(step == Step::want_input);
  }
  REQUIRE(step == Step::done);
}

}  // namespace

TEST_CASE("tls link: handshake, first command with the Finished, reply", "[tls]") {
  const mxscan::TlsClientContext client_ctx(mxscan::TlsClientSettings{});
  MemoryServer server;
  TlsLink link(client_ctx.get());

  SECTION("flight delivered whole") { handshake_until_client_done(link, server); }
  SECTION("flight delivered 100 bytes at a time") {
    handshake_until_client_done(link, server, 100);
  }

  // The Finished is still queued: a command written now leaves with it.
  const std::size_t finished_size = link.pending_output().size();
  REQUIRE(finished_size > 0);
  const std::string command = "EHLO scanner.example\r\n";
  int written = 0;
  REQUIRE(
      link.step(
          [&](SSL* s) { return SSL_write(s, command.data(), static_cast<int>(command.size())); },
          &written) == Step::done);
  CHECK(written == static_cast<int>(command.size()));
  CHECK(link.pending_output().size() > finished_size + command.size());
  server.give(take_output(link));
  CHECK(link.pending_output().empty());

  // One delivery completes the server's handshake and carries the command.
  REQUIRE(SSL_do_handshake(server.ssl.get()) == 1);
  char got[256] = {};
  const int n = SSL_read(server.ssl.get(), got, sizeof got);
  REQUIRE(n > 0);
  CHECK(std::string(got, static_cast<std::size_t>(n)) == command);

  const std::string reply = "250 mx.link.test\r\n";
  REQUIRE(SSL_write(server.ssl.get(), reply.data(), static_cast<int>(reply.size())) > 0);
  deliver(link, server.take_output());
  std::string read;
  char buffer[512];
  Step step = Step::want_input;
  while (read.size() < reply.size()) {
    int r = 0;
    step = link.step([&](SSL* s) { return SSL_read(s, buffer, sizeof buffer); }, &r);
    if (step != Step::done) break;
    read.append(buffer, static_cast<std::size_t>(r));
  }
  CHECK(read == reply);
}

TEST_CASE("tls link: a server that closes mid-handshake truncates the stream", "[tls]") {
  const mxscan::TlsClientContext client_ctx(mxscan::TlsClientSettings{});
  MemoryServer server;
  TlsLink link(client_ctx.get());
  REQUIRE(handshake(link) == Step::want_input);
  server.give(take_output(link));
  SSL_do_handshake(server.ssl.get());
  const std::string flight = server.take_output();
  deliver(link, std::string_view(flight).substr(0, flight.size() / 2));
  REQUIRE(handshake(link) == Step::want_input);
  link.peer_closed();
  REQUIRE(handshake(link) == Step::failed);
  CHECK(link.error() == boost::asio::ssl::error::stream_truncated);
}

TEST_CASE("tls link: bytes that are not TLS fail with OpenSSL's reason", "[tls]") {
  const mxscan::TlsClientContext client_ctx(mxscan::TlsClientSettings{});
  TlsLink link(client_ctx.get());
  REQUIRE(handshake(link) == Step::want_input);
  take_output(link);  // the ClientHello
  deliver(link, "HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n");
  REQUIRE(handshake(link) == Step::failed);
  CHECK(link.error().category() == boost::asio::error::get_ssl_category());
  CHECK(link.error().message().find("wrong version number") != std::string::npos);
  // No alert for a peer that does not speak TLS (OpenSSL 3.0: SSL_AD_NO_ALERT);
  // tls_drive_test has a failure that sends one.
  CHECK(link.pending_output().empty());
}

TEST_CASE("tls link: the server's close_notify ends the stream cleanly", "[tls]") {
  const mxscan::TlsClientContext client_ctx(mxscan::TlsClientSettings{});
  MemoryServer server;
  TlsLink link(client_ctx.get());
  handshake_until_client_done(link, server);
  server.give(take_output(link));
  REQUIRE(SSL_do_handshake(server.ssl.get()) == 1);
  SSL_shutdown(server.ssl.get());
  deliver(link, server.take_output());
  char buffer[512];
  Step step = Step::done;
  for (int i = 0; i < 4 && step == Step::done; ++i)  // session tickets first, then the alert
    step = link.step([&](SSL* s) { return SSL_read(s, buffer, sizeof buffer); });
  REQUIRE(step == Step::failed);
  CHECK(link.error() == boost::asio::error::eof);
}

TEST_CASE("tls link: a server-role link answers a client-role link", "[tls]") {
  const mxscan::TlsClientContext client_ctx(mxscan::TlsClientSettings{});
  MemoryServer certificate_holder;  // its context has the certificate and key
  TlsLink client(client_ctx.get());
  TlsLink server(certificate_holder.ctx.get(), TlsLink::Role::server);
  const auto shake = [](SSL* s) { return SSL_do_handshake(s); };
  Step client_step = client.step(shake);
  Step server_step = Step::want_input;
  for (int round = 0; round < 10 && (client_step != Step::done || server_step != Step::done);
       ++round) {
    deliver(server, take_output(client));
    server_step = server.step(shake);
    deliver(client, take_output(server));
    client_step = client.step(shake);
  }
  REQUIRE(client_step == Step::done);
  REQUIRE(server_step == Step::done);
  CHECK(SSL_is_server(server.ssl()) == 1);
  CHECK(SSL_is_server(client.ssl()) == 0);
}
