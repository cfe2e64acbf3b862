// An HTTPS server on 127.0.0.1 for the web stage's tests (an MTA-STS policy
// host with the faults nginx is not asked to show in unit tests), and the lab
// PKI it presents. Loopback only.
#pragma once

#include <atomic>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/read_until.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <chrono>
#include <cstdlib>
#include <fstream>
#include <stdexcept>
#include <string>
#include <thread>

namespace mxscan::test {

namespace web_asio = boost::asio;
using web_tcp = boost::asio::ip::tcp;
inline constexpr auto kWebTuple = web_asio::as_tuple(web_asio::use_awaitable);

// The lab PKI (scripts/lib/lab_pki.sh), built once and shared by test processes.
inline const std::string& web_pki_dir() {
  static const std::string dir = [] {
    std::string d = MXSCAN_BINARY_DIR "/web-test-pki";
    const std::string requests = d + ".requests";
    {
      std::ofstream r(requests);
      r << "good\ttrusted\tmta-sts.good.lab.example\tmta-sts.good.lab.example\n"
        << "unknownca\tunknownca\tmta-sts.good.lab.example\tmta-sts.good.lab.example\n";
    }
    const std::string cmd =
        "flock " + d + ".lock bash -c 'set -e; [ -s " + d + "/unknownca.pem ] || { source " +
        MXSCAN_SOURCE_DIR "/scripts/lib/lab_pki.sh; pki_build " + d + " " + requests + "; }'";
    if (std::system(cmd.c_str()) != 0) throw std::runtime_error("cannot build the web test PKI");
    return d;
  }();
  return dir;
}

enum class Behaviour { respond, stall };

// An HTTPS server on 127.0.0.1 for one test: it answers every request with
// `response` (or, stalling, never answers) and counts the requests it read.
struct HttpsServer {
  HttpsServer(const std::string& chain, std::string reply, Behaviour b)
      : response(std::move(reply)), behaviour(b) {
    tls.use_private_key_file(chain, web_asio::ssl::context::pem);
    tls.use_certificate_chain_file(chain);
    acceptor.open(web_tcp::v4());
    acceptor.set_option(web_tcp::acceptor::reuse_address(true));
    acceptor.bind({web_asio::ip::make_address_v4("127.0.0.1"), 0});
    acceptor.listen();
    web_asio::co_spawn(io, accept_loop(this), web_asio::detached);
    thread = std::thread([this] { io.run(); });
  }
  ~HttpsServer() {
    web_asio::post(io, [this] { io.stop(); });
    thread.join();
  }
  std::uint16_t port() const { return acceptor.local_endpoint().port(); }

  static web_asio::awaitable<void> serve(HttpsServer* self, web_tcp::socket socket) {
    web_asio::ssl::stream<web_tcp::socket> stream(std::move(socket), self->tls);
    if (auto [ec] = co_await stream.async_handshake(web_asio::ssl::stream_base::server, kWebTuple);
        ec) {
      co_return;
    }
    std::string request;
    auto [ec, n] = co_await web_asio::async_read_until(stream, web_asio::dynamic_buffer(request),
                                                       "\r\n\r\n", kWebTuple);
    if (ec) co_return;
    self->last_request = request.substr(0, n);
    ++self->requests;
    if (self->behaviour == Behaviour::stall) {
      web_asio::steady_timer forever(stream.get_executor(), std::chrono::hours(1));
      co_await forever.async_wait(kWebTuple);
      co_return;
    }
    co_await web_asio::async_write(stream, web_asio::buffer(self->response), kWebTuple);
    co_await stream.async_shutdown(kWebTuple);
  }
  static web_asio::awaitable<void> accept_loop(HttpsServer* self) {
    for (;;) {
      auto [ec, socket] = co_await self->acceptor.async_accept(kWebTuple);
      if (ec) co_return;
      web_asio::co_spawn(self->io, serve(self, std::move(socket)), web_asio::detached);
    }
  }

  web_asio::io_context io;
  web_asio::ssl::context tls{web_asio::ssl::context::tls_server};
  web_tcp::acceptor acceptor{io};
  std::string response;
  Behaviour behaviour;
  std::atomic<int> requests{0};
  std::string last_request;  // written before `requests` is counted
  std::thread thread;
};

inline std::string http_reply(const std::string& status_line, const std::string& headers,
                              const std::string& body) {
  return "HTTP/1.1 " + status_line + "\r\n" + headers +
         "Content-Length: " + std::to_string(body.size()) + "\r\nConnection: close\r\n\r\n" + body;
}

}  // namespace mxscan::test
