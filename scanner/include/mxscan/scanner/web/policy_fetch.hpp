// One HTTPS GET of an MTA-STS policy file (RFC 8461 3.3), as a measurement.
//
// Design note. The fetch is a single coroutine over Boost.Beast's HTTP on an
// asio::ssl::stream, like the SMTP session: connect, TLS handshake with the
// certificate checked for the policy host's name, the request, the response,
// each under its own deadline. It follows no redirect (a 3xx is recorded as
// `redirect`), reads at most `max_body` bytes of body (more: `too_large`, and
// reading stops) and never throws for what a server does: every outcome is a
// status. Unlike the SMTP stage's TLS (which must see untrusted chains), the
// web fetch uses a verifying context: RFC 8461 requires a valid certificate,
// and a failed check ends the fetch as `bad_certificate`.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include "mxscan/common/ip_address.hpp"

namespace mxscan {

struct PolicyFetchOptions {
  std::uint16_t port = 443;  // not configurable by the RFC; labs serve elsewhere
  std::chrono::milliseconds connect{10'000};
  std::chrono::milliseconds handshake{10'000};
  std::chrono::milliseconds response{10'000};  // the request sent and the whole response read
  std::size_t max_body = 65'536;               // RFC 8461 3.3: 64 KiB
  std::string ca_file;                         // PEM trust store; "" = the system store
  std::string user_agent = "mxscan";
};

// The trust store and settings of the fetches, built once per stage (loading
// a CA bundle costs milliseconds). Throws std::runtime_error naming an
// unreadable CA file.
class PolicyTlsContext {
 public:
  explicit PolicyTlsContext(const std::string& ca_file);
  ~PolicyTlsContext();
  PolicyTlsContext(const PolicyTlsContext&) = delete;
  PolicyTlsContext& operator=(const PolicyTlsContext&) = delete;
  struct Impl;
  Impl& impl() const noexcept { return *impl_; }

 private:
  std::unique_ptr<Impl> impl_;
};

struct PolicyFetch {
  // ok | bad_certificate | redirect | too_large | timeout | http_error | connect_failed
  std::string status;
  std::string error;         // detail (the phase and the reason; for ok, a content-type note)
  unsigned http_status = 0;  // the response's status code, when one came
  std::string content_type;  // as sent
  std::string body;          // the policy text (status ok only)
};

// Fetches https://`host`/.well-known/mta-sts.txt from `address`. `tls` and
// `options` must outlive the coroutine.
boost::asio::awaitable<PolicyFetch> fetch_policy_file(const PolicyFetchOptions* options,
                                                      const PolicyTlsContext* tls,
                                                      IpAddress address, std::string host);

}  // namespace mxscan
