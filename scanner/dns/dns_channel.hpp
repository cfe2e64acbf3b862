// Internal: one c-ares channel driven by an Asio io_context.
//
// Design note (c-ares 1.18, measured: docs/dns.md). c-ares tells us which sockets to
// watch through ARES_OPT_SOCK_STATE_CB; each fd gets a stream_descriptor that
// never owns it (released, never closed, on c-ares' close notification), and
// readiness calls ares_process_fd. Timeouts and retries are driven by a fixed
// 50 ms timer calling ares_process_fd(BAD, BAD) while queries are outstanding,
// never by ares_timeout(), which is linear in outstanding queries in 1.18.
// Flags: NOCHECKRESP (else SERVFAIL/REFUSED are retried and reported as
// unreachable servers), STAYOPEN, EDNS; explicit TIMEOUTMS and TRIES. A query's
// callback runs inside ares_process_fd with the answer alive only during the
// call: the Query subclass copies or parses it there and posts its completion.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/steady_timer.hpp>

#include <ares.h>

#include <cstddef>
#include <memory>
#include <string>
#include <unordered_map>

#include "mxscan/scanner/dns/dns_options.hpp"

namespace mxscan::detail {

class AresChannel;

// One query handed to a channel; owned by c-ares until answered.
class AresQuery {
 public:
  virtual ~AresQuery() = default;
  // Runs inside ares_process_fd; `answer` (may be null) lives only during the call.
  // The query deletes itself or passes ownership on.
  virtual void on_answer(int ares_status, int timeouts, const unsigned char* answer,
                         int length) = 0;

 private:
  friend class AresChannel;
  AresChannel* channel_ = nullptr;
};

class AresChannel {
 public:
  // Throws std::runtime_error when c-ares cannot be initialised or a resolver
  // address is not accepted.
  AresChannel(boost::asio::io_context& io, const DnsOptions& options);
  ~AresChannel();
  AresChannel(const AresChannel&) = delete;
  AresChannel& operator=(const AresChannel&) = delete;

  // Sends `query` (class IN). Ownership passes to c-ares until on_answer.
  // `ad`: set the AD bit in the query, asking a validating resolver to say
  // whether it validated the answer (RFC 6840 5.7).
  void send(const std::string& name, int type, AresQuery* query, bool ad = false);
  std::size_t in_flight() const noexcept { return in_flight_; }
  // Stops watching sockets and destroys the channel: outstanding queries are
  // answered with ARES_EDESTRUCTION. Idempotent.
  void shutdown();

 private:
  struct Watch {
    Watch(boost::asio::io_context& io, int socket) : sd(io, socket), fd(socket) {}
    boost::asio::posix::stream_descriptor sd;
    int fd;
    bool stream = false;  // TCP: c-ares reads it piecewise
    bool want_read = false, want_write = false;
    bool read_armed = false, write_armed = false;
    bool closed = false;
  };

  static void sock_state(void* self, ares_socket_t fd, int readable, int writable);
  static void callback(void* arg, int status, int timeouts, unsigned char* abuf, int alen);
  void arm(const std::shared_ptr<Watch>& w);
  void on_ready(const std::shared_ptr<Watch>& w, bool read);
  void start_ticking();
  void tick();

  boost::asio::io_context& io_;
  ares_channel channel_ = nullptr;
  boost::asio::steady_timer timer_;
  bool ticking_ = false;
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);  // false once shut down
  std::unordered_map<int, std::shared_ptr<Watch>> watches_;
  std::size_t in_flight_ = 0;
  int edns_udp_size_ = 0;  // for the queries built here (AD set)
};

}  // namespace mxscan::detail
