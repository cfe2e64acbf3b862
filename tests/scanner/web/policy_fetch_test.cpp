#include "mxscan/scanner/web/policy_fetch.hpp"

#include <catch2/catch.hpp>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <chrono>
#include <exception>
#include <string>

#include "test_https_server.hpp"

namespace asio = boost::asio;
using asio::ip::tcp;
using mxscan::PolicyFetch;
using mxscan::PolicyFetchOptions;
using mxscan::PolicyTlsContext;
using mxscan::test::Behaviour;
using mxscan::test::http_reply;
using mxscan::test::HttpsServer;
using mxscan::test::web_pki_dir;
using namespace std::chrono_literals;

namespace {

const std::string kPolicy =
    "version: STSv1\r\nmode: enforce\r\nmx: mx.good.lab.example\r\nmax_age: 86400\r\n";

PolicyFetch fetch(std::uint16_t port, const std::string& host, PolicyFetchOptions o = {}) {
  o.port = port;
  if (o.ca_file.empty()) o.ca_file = web_pki_dir() + "/root.pem";
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
  HttpsServer server(web_pki_dir() + "/good.pem",
                     http_reply("200 OK", "Content-Type: text/plain\r\n", kPolicy),
                     Behaviour::respond);
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
  HttpsServer server(web_pki_dir() + "/good.pem",
                     http_reply("200 OK", "Content-Type: text/html\r\n", kPolicy),
                     Behaviour::respond);
  const PolicyFetch f = fetch(server.port(), "mta-sts.good.lab.example");
  CHECK(f.status == "ok");
  CHECK(f.content_type == "text/html");
  CHECK(f.error == "content-type text/html, not text/plain");
}

TEST_CASE("policy fetch: a certificate for another name is a bad certificate", "[web]") {
  HttpsServer server(web_pki_dir() + "/good.pem",
                     http_reply("200 OK", "Content-Type: text/plain\r\n", kPolicy),
                     Behaviour::respond);
  const PolicyFetch f = fetch(server.port(), "mta-sts.other.lab.example");
  CHECK(f.status == "bad_certificate");
  CHECK(f.error.find("hostname mismatch") != std::string::npos);
  CHECK(server.requests == 0);  // nothing is asked over an unverified connection
}

TEST_CASE("policy fetch: an untrusted CA is a bad certificate", "[web]") {
  HttpsServer server(web_pki_dir() + "/unknownca.pem",
                     http_reply("200 OK", "Content-Type: text/plain\r\n", kPolicy),
                     Behaviour::respond);
  const PolicyFetch f = fetch(server.port(), "mta-sts.good.lab.example");
  CHECK(f.status == "bad_certificate");
  CHECK(f.error.find("tls handshake: ") == 0);
  CHECK(server.requests == 0);
}

TEST_CASE("policy fetch: a redirect is recorded, not followed", "[web]") {
  HttpsServer server(web_pki_dir() + "/good.pem",
                     http_reply("301 Moved Permanently",
                                "Location: https://elsewhere.lab.example/mta-sts.txt\r\n", ""),
                     Behaviour::respond);
  const PolicyFetch f = fetch(server.port(), "mta-sts.good.lab.example");
  CHECK(f.status == "redirect");
  CHECK(f.http_status == 301);
  CHECK(f.error == "301 to https://elsewhere.lab.example/mta-sts.txt");
  CHECK(f.body.empty());
  CHECK(server.requests == 1);
}

TEST_CASE("policy fetch: a 404 is an http error", "[web]") {
  HttpsServer server(web_pki_dir() + "/good.pem", http_reply("404 Not Found", "", "no"),
                     Behaviour::respond);
  const PolicyFetch f = fetch(server.port(), "mta-sts.good.lab.example");
  CHECK(f.status == "http_error");
  CHECK(f.http_status == 404);
}

TEST_CASE("policy fetch: a body over 64 KiB is too large", "[web]") {
  SECTION("announced by Content-Length") {
    HttpsServer server(
        web_pki_dir() + "/good.pem",
        http_reply("200 OK", "Content-Type: text/plain\r\n", std::string(65'537, 'x')),
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
    HttpsServer server(web_pki_dir() + "/good.pem", chunked, Behaviour::respond);
    CHECK(fetch(server.port(), "mta-sts.good.lab.example").status == "too_large");
  }
  SECTION("exactly 64 KiB is accepted") {
    HttpsServer server(
        web_pki_dir() + "/good.pem",
        http_reply("200 OK", "Content-Type: text/plain\r\n", std::string(65'536, 'x')),
        Behaviour::respond);
    CHECK(fetch(server.port(), "mta-sts.good.lab.example").status == "ok");
  }
}

TEST_CASE("policy fetch: a server that never answers times out at the deadline", "[web]") {
  HttpsServer server(web_pki_dir() + "/good.pem", "", Behaviour::stall);
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
