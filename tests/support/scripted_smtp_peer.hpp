// A scripted SMTP peer for tests of smtp_session(): an in-process server on
// 127.0.0.1 (a free port) that plays one script per test (what it says, when it
// listens, when it goes silent, hangs up, resets or starts TLS with a fresh
// self-signed certificate) and records every byte the session sent. It runs on
// the test's own io_context, beside the session, in the test's thread: no
// second thread and no timing between them, so each script is played in the
// same order every time, and io_context::run ends when both ends are done.
#pragma once

#include <atomic>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read_until.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <cstddef>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "memory_tls.hpp"

namespace mxscan::test {

// One thing the peer does, in script order.
struct Step {
  enum Kind { say, hear, hear_bytes, stop_scan, hang_up, reset, start_tls } kind;
  std::string text;  // say: sent as it is
};
inline Step say(std::string text) { return {Step::say, std::move(text)}; }
inline Step hear() { return {Step::hear, {}}; }              // one command line
inline Step hear_bytes() { return {Step::hear_bytes, {}}; }  // whatever comes next (a ClientHello)
inline Step stop_scan() { return {Step::stop_scan, {}}; }    // sets the session's stop flag
inline Step hang_up() { return {Step::hang_up, {}}; }        // FIN, still reading
inline Step reset() { return {Step::reset, {}}; }            // RST
inline Step start_tls() { return {Step::start_tls, {}}; }    // server handshake, then on over TLS

// The server end: plays its script, then records whatever else comes until the
// client closes. `received` is every byte the session sent, in order (after
// STARTTLS, as decrypted).
struct Peer {
  // `certificate_name`: the common name of the certificate start_tls presents.
  Peer(boost::asio::io_context& io, const std::string& certificate_name)
      : acceptor(io, boost::asio::ip::tcp::endpoint(boost::asio::ip::make_address("127.0.0.1"), 0)),
        tls(self_signed_server_context(certificate_name).release()) {}
  boost::asio::ip::tcp::acceptor acceptor;
  boost::asio::ssl::context tls;
  std::vector<Step> script;
  std::atomic<bool>* stop = nullptr;
  std::string received;
  std::string pending;  // read and not yet taken by a hear step
  std::size_t next = 0;
  bool connected = false;

  std::uint16_t port() const { return acceptor.local_endpoint().port(); }
};

namespace peer_detail {

inline constexpr auto kTuple = boost::asio::as_tuple(boost::asio::use_awaitable);

// Plays steps until the script ends or asks for TLS; false once the connection is gone.
template <typename Stream>
boost::asio::awaitable<bool> play(Stream& s, Peer& p) {
  namespace asio = boost::asio;
  for (; p.next < p.script.size(); ++p.next) {
    const Step& step = p.script[p.next];
    if (step.kind == Step::start_tls) co_return true;
    if (step.kind == Step::say) {
      auto [ec, n] = co_await asio::async_write(s, asio::buffer(step.text), kTuple);
      if (ec) co_return false;
    } else if (step.kind == Step::hear) {
      auto [ec, n] =
          co_await asio::async_read_until(s, asio::dynamic_buffer(p.pending), "\n", kTuple);
      if (ec) co_return false;
      p.received.append(p.pending, 0, n);
      p.pending.erase(0, n);
    } else if (step.kind == Step::hear_bytes) {
      char buffer[4096];
      auto [ec, n] = co_await s.async_read_some(asio::buffer(buffer), kTuple);
      if (ec) co_return false;
      p.received.append(buffer, n);
    } else if (step.kind == Step::stop_scan) {
      p.stop->store(true);
    } else if (step.kind == Step::hang_up) {
      boost::system::error_code ignored;
      s.lowest_layer().shutdown(asio::ip::tcp::socket::shutdown_send, ignored);
    } else if (step.kind == Step::reset) {
      boost::system::error_code ignored;
      s.lowest_layer().set_option(asio::socket_base::linger(true, 0), ignored);
      s.lowest_layer().close(ignored);
      co_return false;
    }
  }
  co_return true;
}

// Records the rest, until the client closes.
template <typename Stream>
boost::asio::awaitable<void> drain(Stream& s, Peer& p) {
  p.received += p.pending;
  p.pending.clear();
  for (;;) {
    char buffer[4096];
    auto [ec, n] = co_await s.async_read_some(boost::asio::buffer(buffer), kTuple);
    p.received.append(buffer, n);
    if (ec) co_return;
  }
}

}  // namespace peer_detail

// Accepts one connection and plays the peer's script on it; co_spawn it on the
// io_context the session runs on.
inline boost::asio::awaitable<void> serve(Peer* p) {
  namespace asio = boost::asio;
  using peer_detail::kTuple;
  auto [ec, socket] = co_await p->acceptor.async_accept(kTuple);
  if (ec) co_return;
  p->connected = true;
  if (!co_await peer_detail::play(socket, *p)) co_return;
  if (p->next == p->script.size()) {
    co_await peer_detail::drain(socket, *p);
    co_return;
  }
  ++p->next;  // start_tls
  asio::ssl::stream<asio::ip::tcp::socket&> tls(socket, p->tls);
  auto [handshake] = co_await tls.async_handshake(asio::ssl::stream_base::server, kTuple);
  if (handshake) co_return;
  if (co_await peer_detail::play(tls, *p)) co_await peer_detail::drain(tls, *p);
}

}  // namespace mxscan::test
