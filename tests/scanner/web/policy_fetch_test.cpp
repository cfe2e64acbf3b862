#include "mxscan/scanner/web/policy_fetch.hpp"

#include <catch2/catch.hpp>

#include <atomic>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read_until.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <chrono>
#include <cstdlib>
#include <fstream>
#include <memory>
#include <string>
#include <thread>

namespace asio = boost::asio;
using asio::ip::tcp;
using mxscan::PolicyFetch;
using mxscan::PolicyFetchOptions;
using mxscan::PolicyTlsContext;
using namespace std::chrono_literals;

namespace {

constexpr auto kTuple = asio::as_tuple(asio::use_awaitable);

// The lab PKI (scripts/lib/lab_pki.sh), built once and shared by test processes.
const std::string& pki_dir() {
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
    REQUIRE(std::system(cmd.c_str()) == 0);
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
    tls.use_private_key_file(chain, asio::ssl::context::pem);
    tls.use_certificate_chain_file(chain);
    acceptor.open(tcp::v4());
    acceptor.set_option(tcp::acceptor::reuse_address(true));
    acceptor.bind({asio::ip::make_address_v4("127.0.0.1"), 0});
    acceptor.listen();
    asio::co_spawn(io, accept_loop(this), asio::detached);
    thread = std::thread([this] { io.run(); });
  }
  ~HttpsServer() {
    asio::post(io, [this] { io.stop(); });
    thread.join();
  }
  std::uint16_t port() const { return acceptor.local_endpoint().port(); }

  static asio::awaitable<void> serve(HttpsServer* self, tcp::socket socket) {
    asio::ssl::stream<tcp::socket> stream(std::move(socket), self->tls);
    if (auto [ec] = co_await stream.async_handshake(asio::ssl::stream_base::server, kTuple); ec) {
      co_return;
    }
    std::string request;
    auto [ec, n] =
        co_await asio::async_read_until(stream, asio::dynamic_buffer(request), "\r\n\r\n", kTuple);
    if (ec) co_return;
    self->last_request = request.substr(0, n);
    ++self->requests;
    if (self->behaviour == Behaviour::stall) {
      asio::steady_timer forever(stream.get_executor(), std::chrono::hours(1));
      co_await forever.async_wait(kTuple);
      co_return;
    }
    co_await asio::async_write(stream, asio::buffer(self->response), kTuple);
    co_await stream.async_shutdown(kTuple);
  }
  static asio::awaitable<void> accept_loop(HttpsServer* self) {
    for (;;) {
      auto [ec, socket] = co_await self->acceptor.async_accept(kTuple);
      if (ec) co_return;
      asio::co_spawn(self->io, serve(self, std::move(socket)), asio::detached);
    }
  }

  asio::io_context io;
  asio::ssl::context tls{asio::ssl::context::tls_server};
  tcp::acceptor acceptor{io};
  std::string response;
  Behaviour behaviour;
  std::atomic<int> requests{0};
  std::string last_request;  // written before `requests` is counted
  std::thread thread;
};

std::string reply(const std::string& status_line, const std::string& headers,
                  const std::string& body) {
  return "HTTP/1.1 " + status_line + "\r\n" + headers +
         "Content-Length: " + std::to_string(body.size()) + "\r\nConnection: close\r\n\r\n" + body;
}

const std::string kPolicy =
    "version: STSv1\r\nmode: enforce\r\nmx: mx.good.lab.example\r\nmax_age: 86400\r\n";

PolicyFetch fetch(std::uint16_t port, const std::string& host, PolicyFetchOptions o = {}) {
  o.port = port;
  if (o.ca_file.empty()) o.ca_file = pki_dir() + "/root.pem";
  const PolicyTlsContext tls(o.ca_file);
  asio::io_context io;
  PolicyFetch out;
  asio::co_spawn(io,
                 mxscan::fetch_policy_file(&o, &tls, *mxscan::IpAddress::parse("127.0.0.1"), host),
                 [&out](std::exception_ptr e, PolicyFetch f) {
                   REQUIRE(!e);
                   out = std::move(f);
                 });
  io.run();
  return out;
}

}  // namespace

TEST_CASE("policy fetch: a good policy over a trusted certificate for the name", "[web]") {
  HttpsServer server(pki_dir() + "/good.pem",
                     reply("200 OK", "Content-Type: text/plain\r\n", kPolicy), Behaviour::respond);
  const PolicyFetch f = fetch(server.port(), "mta-sts.good.lab.example");
  INFO(f.error);
  CHECK(f.status == "ok");
  CHECK(f.http_status == 200);
  CHECK(f.error.empty());
  CHECK(f.body == kPolicy);
  CHECK(server.requests == 1);
  CHECK(server.last_request.rfind("GET /.well-known/mta-sts.txt HTTP/1.1\r\n", 0) == 0);
  CHECK(server.last_request.find("Host: mta-sts.good.lab.example\r\n") != std::string::npos);
}

TEST_CASE("policy fetch: another content type is noted, the policy kept", "[web]") {
  HttpsServer server(pki_dir() + "/good.pem",
                     reply("200 OK", "Content-Type: text/html\r\n", kPolicy), Behaviour::respond);
  const PolicyFetch f = fetch(server.port(), "mta-sts.good.lab.example");
  CHECK(f.status == "ok");
  CHECK(f.content_type == "text/html");
  CHECK(f.error == "content-type text/html, not text/plain");
}

TEST_CASE("policy fetch: a certificate for another name is a bad certificate", "[web]") {
  HttpsServer server(pki_dir() + "/good.pem",
                     reply("200 OK", "Content-Type: text/plain\r\n", kPolicy), Behaviour::respond);
  const PolicyFetch f = fetch(server.port(), "mta-sts.other.lab.example");
  CHECK(f.status == "bad_certificate");
  CHECK(f.error.find("hostname mismatch") != std::string::npos);
  CHECK(server.requests == 0);  // nothing is asked over an unverified connection
}

TEST_CASE("policy fetch: an untrusted CA is a bad certificate", "[web]") {
  HttpsServer server(pki_dir() + "/unknownca.pem",
                     reply("200 OK", "Content-Type: text/plain\r\n", kPolicy), Behaviour::respond);
  const PolicyFetch f = fetch(server.port(), "mta-sts.good.lab.example");
  CHECK(f.status == "bad_certificate");
  CHECK(f.error.find("tls handshake: ") == 0);
  CHECK(server.requests == 0);
}

TEST_CASE("policy fetch: a redirect is recorded, not followed", "[web]") {
  HttpsServer server(
      pki_dir() + "/good.pem",
      reply("301 Moved Permanently", "Location: https://elsewhere.lab.example/mta-sts.txt\r\n", ""),
      Behaviour::respond);
  const PolicyFetch f = fetch(server.port(), "mta-sts.good.lab.example");
  CHECK(f.status == "redirect");
  CHECK(f.http_status == 301);
  CHECK(f.error == "301 to https://elsewhere.lab.example/mta-sts.txt");
  CHECK(f.body.empty());
  CHECK(server.requests == 1);
}

TEST_CASE("policy fetch: a 404 is an http error", "[web]") {
  HttpsServer server(pki_dir() + "/good.pem", reply("404 Not Found", "", "no"), Behaviour::respond);
  const PolicyFetch f = fetch(server.port(), "mta-sts.good.lab.example");
  CHECK(f.status == "http_error");
  CHECK(f.http_status == 404);
}

TEST_CASE("policy fetch: a body over 64 KiB is too large", "[web]") {
  SECTION("announced by Content-Length") {
    HttpsServer server(pki_dir() + "/good.pem",
                       reply("200 OK", "Content-Type: text/plain\r\n", std::string(65'537, 'x')),
                       Behaviour::respond);
    const PolicyFetch f = fetch(server.port(), "mta-sts.good.lab.example");
    CHECK(f.status == "too_large");
    CHECK(f.body.empty());
  }
  SECTION("chunked, found while reading") {
    std::string chunked =
        "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nTransfer-Encoding: chunked\r\n\r\n";
    for (int i = 0; i < 20; ++i) chunked += "1000\r\n" + std::string(4096, 'y') + "\r\n";
    chunked += "0\r\n\r\n";
    HttpsServer server(pki_dir() + "/good.pem", chunked, Behaviour::respond);
    CHECK(fetch(server.port(), "mta-sts.good.lab.example").status == "too_large");
  }
  SECTION("exactly 64 KiB is accepted") {
    HttpsServer server(pki_dir() + "/good.pem",
                       reply("200 OK", "Content-Type: text/plain\r\n", std::string(65'536, 'x')),
                       Behaviour::respond);
    CHECK(fetch(server.port(), "mta-sts.good.lab.example").status == "ok");
  }
}

TEST_CASE("policy fetch: a server that never answers times out at the deadline", "[web]") {
  HttpsServer server(pki_dir() + "/good.pem", "", Behaviour::stall);
  PolicyFetchOptions o;
  o.response = 300ms;
  const auto start = std::chrono::steady_clock::now();
  const PolicyFetch f = fetch(server.port(), "mta-sts.good.lab.example", o);
  const auto took = std::chrono::steady_clock::now() - start;
  CHECK(f.status == "timeout");
  CHECK(f.error == "response: timed out");
  CHECK(server.requests == 1);
  CHECK(took >= 300ms);
  CHECK(took < 30s);  // a last guard only
}

TEST_CASE("policy fetch: a closed port is a failed connect", "[web]") {
  std::uint16_t port = 0;
  {
    asio::io_context io;
    tcp::acceptor a(io, {asio::ip::make_address_v4("127.0.0.1"), 0});
    port = a.local_endpoint().port();
  }
  const PolicyFetch f = fetch(port, "mta-sts.good.lab.example");
  CHECK(f.status == "connect_failed");
  CHECK(f.error.find("connect: ") == 0);
}

TEST_CASE("policy fetch: an unreadable trust store is refused up front", "[web]") {
  CHECK_THROWS_WITH(PolicyTlsContext("/nonexistent/ca.pem"),
                    Catch::Contains("MTA-STS trust store /nonexistent/ca.pem"));
}
