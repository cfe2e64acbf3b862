#include "mxscan/scanner/web/policy_fetch.hpp"

#include <openssl/ssl.h>
#include <openssl/x509_vfy.h>

#include <algorithm>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/ssl/error.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/error.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/stream_traits.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>
#include <cctype>
#include <stdexcept>
#include <string_view>

#include "mxscan/scanner/tls/tls_client.hpp"

namespace mxscan {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using boost::system::error_code;

struct PolicyTlsContext::Impl {
  asio::ssl::context ctx{asio::ssl::context::tls_client};
};

PolicyTlsContext::PolicyTlsContext(const std::string& ca_file) : impl_(std::make_unique<Impl>()) {
  auto& ctx = impl_->ctx;
  ctx.set_options(asio::ssl::context::default_workarounds | asio::ssl::context::no_sslv2 |
                  asio::ssl::context::no_sslv3);
  ctx.set_verify_mode(asio::ssl::verify_peer);
  // Each fetch is an independent observation: no session is resumed.
  SSL_CTX_set_session_cache_mode(ctx.native_handle(), SSL_SESS_CACHE_OFF);
  error_code ec;
  if (ca_file.empty()) {
    ctx.set_default_verify_paths(ec);
  } else {
    ctx.load_verify_file(ca_file, ec);
  }
  if (ec) {
    throw std::runtime_error("MTA-STS trust store " + (ca_file.empty() ? "(system)" : ca_file) +
                             ": " + ec.message());
  }
}

PolicyTlsContext::~PolicyTlsContext() = default;

namespace {

constexpr auto kTuple = asio::as_tuple(asio::use_awaitable);
// close_notify is a courtesy; never wait long for the server's.
constexpr auto kShutdownTimeout = std::chrono::seconds(2);
constexpr std::string_view kPath = "/.well-known/mta-sts.txt";

using Stream = asio::ssl::stream<beast::tcp_stream>;

asio::ip::tcp::endpoint endpoint_of(const IpAddress& a, std::uint16_t port) {
  if (a.v6) return {asio::ip::address_v6(a.bytes), port};
  return {asio::ip::address_v4(
              asio::ip::address_v4::bytes_type{a.bytes[0], a.bytes[1], a.bytes[2], a.bytes[3]}),
          port};
}

bool timed_out(const error_code& ec) {
  return ec == beast::error::timeout || ec == asio::error::timed_out;
}

PolicyFetch failed(std::string status, std::string error) {
  PolicyFetch out;
  out.status = std::move(status);
  out.error = std::move(error);
  return out;
}

// A failed handshake is a bad certificate when verification said so (a name
// mismatch, an untrusted or expired chain), else the connection's failure.
PolicyFetch handshake_failure(Stream& stream, const error_code& ec) {
  if (timed_out(ec)) return failed("timeout", "tls handshake: timed out");
  const long verdict = SSL_get_verify_result(stream.native_handle());
  if (verdict != X509_V_OK) {
    return failed("bad_certificate",
                  std::string("tls handshake: ") + X509_verify_cert_error_string(verdict));
  }
  return failed("connect_failed", "tls handshake: " + ec.message());
}

bool is_text_plain(std::string_view type) {
  const std::string_view media = type.substr(0, type.find(';'));
  std::string lower(media);
  std::transform(lower.begin(), lower.end(), lower.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  while (!lower.empty() && lower.back() == ' ') lower.pop_back();
  return lower == "text/plain";
}

// The response's verdict: only a 200 is a policy; a 3xx is not followed.
PolicyFetch judge(const http::response<http::string_body>& res) {
  PolicyFetch out;
  out.http_status = res.result_int();
  out.content_type = std::string(res[http::field::content_type]);
  if (out.http_status / 100 == 3) {
    out.status = "redirect";
    out.error = std::to_string(out.http_status) + " to " + std::string(res[http::field::location]);
    return out;
  }
  if (out.http_status != 200) {
    out.status = "http_error";
    out.error = "http status " + std::to_string(out.http_status);
    return out;
  }
  out.status = "ok";
  out.body = res.body();
  // RFC 8461 3.3 says the file is text/plain; a different type is noted, not refused.
  if (!is_text_plain(out.content_type)) {
    out.error = "content-type " + (out.content_type.empty() ? "missing" : out.content_type) +
                ", not text/plain";
  }
  return out;
}

}  // namespace

asio::awaitable<PolicyFetch> fetch_policy_file(const PolicyFetchOptions* options,
                                               const PolicyTlsContext* tls, IpAddress address,
                                               std::string host) {
  const PolicyFetchOptions& opt = *options;
  Stream stream(co_await asio::this_coro::executor, tls->impl().ctx);
  auto& tcp = beast::get_lowest_layer(stream);

  // The policy host's name goes out as SNI and is what the certificate must match.
  SSL* ssl = stream.native_handle();
  set_sni(ssl, host);
  if (SSL_set1_host(ssl, host.c_str()) != 1) {
    co_return failed("connect_failed", "tls: cannot use host name " + host);
  }

  // Connect, bounded by the connect timeout.
  tcp.expires_after(opt.connect);
  if (auto [ec] = co_await tcp.async_connect(endpoint_of(address, opt.port), kTuple); ec) {
    co_return failed(timed_out(ec) ? "timeout" : "connect_failed",
                     "connect: " + (timed_out(ec) ? std::string("timed out") : ec.message()));
  }

  // TLS handshake; verification (chain and host name) is part of it.
  tcp.expires_after(opt.handshake);
  if (auto [ec] = co_await stream.async_handshake(asio::ssl::stream_base::client, kTuple); ec) {
    co_return handshake_failure(stream, ec);
  }

  // The request: one GET, no keep-alive.
  http::request<http::empty_body> req{http::verb::get, kPath, 11};
  req.set(http::field::host, host);
  req.set(http::field::user_agent, opt.user_agent);
  req.set(http::field::connection, "close");
  tcp.expires_after(opt.response);
  if (auto [ec, n] = co_await http::async_write(stream, req, kTuple); ec) {
    co_return failed(timed_out(ec) ? "timeout" : "connect_failed",
                     "request: " + (timed_out(ec) ? std::string("timed out") : ec.message()));
  }

  // The response, under the same deadline; the body limit stops the read.
  http::response_parser<http::string_body> parser;
  parser.body_limit(opt.max_body);
  beast::flat_buffer buffer;
  if (auto [ec, n] = co_await http::async_read(stream, buffer, parser, kTuple); ec) {
    if (ec == http::error::body_limit) {
      co_return failed("too_large", "response: body over " + std::to_string(opt.max_body) +
                                        " bytes; reading stopped");
    }
    if (timed_out(ec)) co_return failed("timeout", "response: timed out");
    co_return failed("http_error", "response: " + ec.message());
  }
  PolicyFetch out = judge(parser.get());

  // close_notify, briefly; the verdict is already made.
  tcp.expires_after(kShutdownTimeout);
  co_await stream.async_shutdown(kTuple);
  co_return out;
}

}  // namespace mxscan
