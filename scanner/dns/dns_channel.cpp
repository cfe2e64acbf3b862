#include "dns_channel.hpp"

#include <sys/ioctl.h>
#include <sys/socket.h>

#include <mutex>
#include <stdexcept>

namespace mxscan::detail {
namespace {

constexpr auto kTick = std::chrono::milliseconds(50);

void library_init() {
  static std::once_flag once;
  std::call_once(once, [] {
    int rc = ares_library_init(ARES_LIB_INIT_ALL);
    if (rc != ARES_SUCCESS) {
      throw std::runtime_error(std::string("c-ares library init failed: ") + ares_strerror(rc));
    }
  });
}

std::string servers_csv(const DnsOptions& options) {
  std::string csv;
  for (const auto& text : options.resolvers) {
    std::string error;
    auto addr = parse_resolver_address(text, &error);
    if (!addr) throw std::runtime_error(error);
    if (!csv.empty()) csv += ',';
    bool v6 = addr->host.find(':') != std::string::npos;
    csv += v6 ? "[" + addr->host + "]" : addr->host;
    csv += ':' + std::to_string(addr->port);
  }
  return csv;
}

}  // namespace

AresChannel::AresChannel(boost::asio::io_context& io, const DnsOptions& options)
    : io_(io), timer_(io) {
  library_init();
  ares_options opts{};
  int mask = ARES_OPT_FLAGS | ARES_OPT_TIMEOUTMS | ARES_OPT_TRIES | ARES_OPT_SOCK_STATE_CB |
             ARES_OPT_EDNSPSZ | ARES_OPT_SOCK_RCVBUF | ARES_OPT_SOCK_SNDBUF;
  opts.flags = ARES_FLAG_NOCHECKRESP | ARES_FLAG_STAYOPEN | ARES_FLAG_EDNS | ARES_FLAG_NOSEARCH;
  opts.timeout = static_cast<int>(options.timeout.count());
  opts.tries = options.retries + 1;
  opts.sock_state_cb = &AresChannel::sock_state;
  opts.sock_state_cb_data = this;
  opts.ednspsz = options.edns_udp_size;
  edns_udp_size_ = options.edns_udp_size;
  opts.socket_receive_buffer_size = 4 * 1024 * 1024;
  opts.socket_send_buffer_size = 1024 * 1024;
  if (options.resolvers.size() > 1) mask |= ARES_OPT_ROTATE;
  int rc = ares_init_options(&channel_, &opts, mask);
  if (rc != ARES_SUCCESS) {
    throw std::runtime_error(std::string("c-ares channel init failed: ") + ares_strerror(rc));
  }
  if (!options.resolvers.empty()) {
    std::string csv = servers_csv(options);
    rc = ares_set_servers_ports_csv(channel_, csv.c_str());
    if (rc != ARES_SUCCESS) {
      ares_destroy(channel_);
      throw std::runtime_error("c-ares rejected resolvers '" + csv + "': " + ares_strerror(rc));
    }
  }
}

AresChannel::~AresChannel() { shutdown(); }

void AresChannel::shutdown() {
  if (channel_ == nullptr) return;
  timer_.cancel();
  ticking_ = false;
  *alive_ = false;
  ares_channel ch = channel_;
  // ares_destroy closes sockets (sock_state with 0,0 releases the watches) and
  // answers outstanding queries with ARES_EDESTRUCTION.
  ares_destroy(ch);
  channel_ = nullptr;
  for (auto& [fd, w] : watches_) {
    w->closed = true;
    boost::system::error_code ignored;
    w->sd.cancel(ignored);
    w->sd.release();
  }
  watches_.clear();
}

void AresChannel::send(const std::string& name, int type, AresQuery* query, bool ad) {
  if (channel_ == nullptr) {
    query->on_answer(ARES_EDESTRUCTION, 0, nullptr, 0);
    return;
  }
  query->channel_ = this;
  ++in_flight_;
  start_ticking();
  if (!ad) {
    ares_query(channel_, name.c_str(), 1 /* class IN */, type, &AresChannel::callback, query);
    return;
  }
  // ares_query cannot set AD: build the query (RD, EDNS as ares_query would), set AD, send it.
  unsigned char* buf = nullptr;
  int len = 0;
  const int rc = ares_create_query(name.c_str(), 1, type, 0, 1, &buf, &len, edns_udp_size_);
  if (rc != ARES_SUCCESS) {
    --in_flight_;
    query->on_answer(rc, 0, nullptr, 0);
    return;
  }
  buf[3] = static_cast<unsigned char>(buf[3] | 0x20U);
  ares_send(channel_, buf, len, &AresChannel::callback, query);
  ares_free_string(buf);
}

void AresChannel::callback(void* arg, int status, int timeouts, unsigned char* abuf, int alen) {
  auto* query = static_cast<AresQuery*>(arg);
  if (query->channel_ != nullptr) --query->channel_->in_flight_;
  query->on_answer(status, timeouts, abuf, alen);
}

void AresChannel::sock_state(void* self, ares_socket_t fd, int readable, int writable) {
  auto* me = static_cast<AresChannel*>(self);
  auto it = me->watches_.find(fd);
  if (readable == 0 && writable == 0) {
    if (it == me->watches_.end()) return;
    auto w = it->second;
    me->watches_.erase(it);
    w->closed = true;
    boost::system::error_code ignored;
    w->sd.cancel(ignored);
    w->sd.release();  // c-ares closes the fd itself
    return;
  }
  std::shared_ptr<Watch> w;
  if (it == me->watches_.end()) {
    w = std::make_shared<Watch>(me->io_, fd);
    int type = 0;
    socklen_t len = sizeof type;
    w->stream = ::getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &len) == 0 && type == SOCK_STREAM;
    me->watches_.emplace(fd, w);
  } else {
    w = it->second;
  }
  w->want_read = readable != 0;
  w->want_write = writable != 0;
  me->arm(w);
}

void AresChannel::arm(const std::shared_ptr<Watch>& w) {
  using boost::asio::posix::stream_descriptor;
  if (w->closed) return;
  if (w->want_read && !w->read_armed) {
    w->read_armed = true;
    w->sd.async_wait(stream_descriptor::wait_read, [this, w](const boost::system::error_code& ec) {
      w->read_armed = false;
      if (ec == boost::asio::error::operation_aborted || w->closed) return;
      on_ready(w, true);
    });
  }
  if (w->want_write && !w->write_armed) {
    w->write_armed = true;
    w->sd.async_wait(stream_descriptor::wait_write, [this, w](const boost::system::error_code& ec) {
      w->write_armed = false;
      if (ec == boost::asio::error::operation_aborted || w->closed) return;
      on_ready(w, false);
    });
  }
}

void AresChannel::on_ready(const std::shared_ptr<Watch>& w, bool read) {
  if (channel_ == nullptr) return;
  if (read) {
    // c-ares drains UDP sockets but reads TCP a piece at a time; Asio's
    // edge-triggered epoll would not report bytes already waiting, so keep
    // processing while the socket still holds data.
    for (int round = 0; round < 64 && !w->closed; ++round) {
      ares_process_fd(channel_, w->fd, ARES_SOCKET_BAD);
      int pending = 0;
      if (w->closed || !w->stream || ::ioctl(w->fd, FIONREAD, &pending) != 0 || pending <= 0) break;
    }
  } else {
    ares_process_fd(channel_, ARES_SOCKET_BAD, w->fd);
  }
  arm(w);
}

void AresChannel::start_ticking() {
  if (ticking_) return;
  ticking_ = true;
  timer_.expires_after(kTick);
  // A tick that has already expired is queued and cannot be cancelled: it may
  // run after shutdown() and even after this channel is destroyed (a resolver
  // dropped inside its io_context's run), so it checks the shared flag first.
  timer_.async_wait([this, alive = alive_](const boost::system::error_code& ec) {
    if (ec || !*alive) return;
    tick();
  });
}

void AresChannel::tick() {
  ticking_ = false;
  if (channel_ == nullptr) return;
  ares_process_fd(channel_, ARES_SOCKET_BAD, ARES_SOCKET_BAD);
  if (in_flight_ > 0) start_ticking();
}

}  // namespace mxscan::detail
