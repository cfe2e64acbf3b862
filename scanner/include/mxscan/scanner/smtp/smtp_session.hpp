// One SMTP session with one (address, port): the measurement itself.
//
// Design note. The session is a single coroutine that reads like the protocol
// (connect, greeting, EHLO, STARTTLS, handshake, EHLO, QUIT); every operation
// runs under a deadline (its phase's timeout, never past the session's hard
// deadline). It says only EHLO/HELO, STARTTLS and QUIT. TLS objects are created
// only once STARTTLS is accepted, so a session waiting for a greeting costs a
// socket and a small coroutine frame. It never throws for what servers do:
// every outcome is a status in the returned HostObs. Callers go through the
// conduct gate (smtp_stage.hpp); this header is for the stage and the tests.
#pragma once

#include <atomic>
#include <boost/asio/awaitable.hpp>
#include <cstdint>
#include <functional>
#include <string>

#include "mxscan/common/ip_address.hpp"
#include "mxscan/common/observation.hpp"
#include "mxscan/scanner/smtp/smtp_options.hpp"

namespace mxscan {

class TlsClientContext;

struct SessionConfig {
  std::string ehlo_name;  // a FQDN (resolve_ehlo_name)
  std::uint16_t port = 25;
  bool sni = false;
  SmtpTimeouts timeouts;
  ReplyLimits reply_limits;
  std::size_t max_chain_certs = 16;
  const TlsClientContext* tls = nullptr;  // the worker's client context
  // Set when the scan stops (Ctrl-C): no connect is begun any more, and a session
  // under way says QUIT at its next step instead of going on. Null: never stops.
  const std::atomic<bool>* stop = nullptr;
  // Called just before each connect is begun (the progress line's session rate).
  std::function<void()> on_connect;
};

// A session's outcome. `stopped`: the scan stopped before the measurement was
// whole (nothing sent, or QUIT said early); `obs` is then partial and must not
// be recorded as a result, so a resumed scan contacts the address again.
struct SessionOutcome {
  HostObs obs;
  bool stopped = false;
};

// `config` must outlive the session. `exchange` is sent as SNI when config.sni is
// set and it is not empty. Fills address, port, status, phase and what was seen;
// ASN fields are left to the caller.
boost::asio::awaitable<SessionOutcome> smtp_session(const SessionConfig* config, IpAddress address,
                                                    std::string exchange);

}  // namespace mxscan
