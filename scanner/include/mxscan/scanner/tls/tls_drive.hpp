// Runs one OpenSSL call on a TlsLink to completion over the caller's transport.
//
// Design note. TlsLink does no I/O (tls_link.hpp): each step is synchronous and
// says whether OpenSSL needs more input. The loop around it is the same for
// every user (step; send what the step wrote; stop when done or failed; else
// receive and step again), while the waiting differs: the scanner's session
// sends and receives under per-phase deadlines, the lab's test server waits
// without them. So the loop lives here once, and the transport is a parameter:
//
//   boost::asio::awaitable<boost::system::error_code> send(std::string_view bytes);
//       sends all of `bytes` (or fails);
//   boost::asio::awaitable<boost::system::error_code> receive(std::span<char> space,
//                                                             std::size_t& n);
//       reads at least one byte into `space` (n = how many), or returns
//       boost::asio::error::eof at the end of the stream.
//
// With `hold_output`, what a successful call wrote stays queued and leaves with
// the next call's output (the client's Finished with its first command). When a
// call fails, the alert it wrote is still sent and its own error is returned.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/asio/error.hpp>
#include <boost/system/error_code.hpp>
#include <cstddef>

#include "mxscan/scanner/tls/tls_link.hpp"

namespace mxscan {

struct TlsDriveResult {
  boost::system::error_code error;  // the call's, or the transport's
  int result = 0;                   // the call's return value when it succeeded
};

template <typename Call, typename Transport>
boost::asio::awaitable<TlsDriveResult> drive_tls(TlsLink& link, Call call, Transport& transport,
                                                 bool hold_output = false) {
  for (;;) {
    int r = 0;
    const TlsLink::Step step = link.step(call, &r);
    if (step == TlsLink::Step::done && hold_output) co_return TlsDriveResult{{}, r};
    boost::system::error_code sent;
    if (!link.pending_output().empty()) {
      sent = co_await transport.send(link.pending_output());
      link.output_sent();
    }
    if (step == TlsLink::Step::failed) co_return TlsDriveResult{link.error(), 0};
    if (sent) co_return TlsDriveResult{sent, 0};
    if (step == TlsLink::Step::done) co_return TlsDriveResult{{}, r};
    std::size_t n = 0;
    const boost::system::error_code got = co_await transport.receive(link.input_space(), n);
    if (got == boost::asio::error::eof) {
      link.peer_closed();  // OpenSSL's next step sees the end and says what it means
    } else if (got) {
      co_return TlsDriveResult{got, 0};
    } else {
      link.received(n);
    }
  }
}

}  // namespace mxscan
