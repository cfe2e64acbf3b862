// A DNS server on 127.0.0.1 (UDP, a free port) that answers every query with
// NXDOMAIN, on its own thread: enough for a whole scan to run in-process
// (the resolver probe counts NXDOMAIN as an answer; no domain gets an MX, so no
// SMTP server is contacted) without NSD or the lab.
#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <thread>

namespace mxscan::test {

class NxdomainResponder {
 public:
  NxdomainResponder() {
    fd_ = ::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof a;
    if (fd_ < 0 || ::bind(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0 ||
        ::getsockname(fd_, reinterpret_cast<sockaddr*>(&a), &len) != 0) {
      if (fd_ >= 0) ::close(fd_);
      throw std::runtime_error("NxdomainResponder: cannot bind 127.0.0.1");
    }
    port_ = ntohs(a.sin_port);
    thread_ = std::thread([this] { serve(); });
  }
  ~NxdomainResponder() {
    done_.store(true);
    thread_.join();
    ::close(fd_);
  }
  NxdomainResponder(const NxdomainResponder&) = delete;
  NxdomainResponder& operator=(const NxdomainResponder&) = delete;

  std::string address() const { return "127.0.0.1:" + std::to_string(port_); }
  std::uint64_t answered() const { return answered_.load(); }

 private:
  void serve() {
    unsigned char buf[4096];
    while (!done_.load()) {
      pollfd p{fd_, POLLIN, 0};
      if (::poll(&p, 1, 50) <= 0) continue;
      sockaddr_in from{};
      socklen_t from_len = sizeof from;
      const ssize_t n =
          ::recvfrom(fd_, buf, sizeof buf, 0, reinterpret_cast<sockaddr*>(&from), &from_len);
      if (n < 12) continue;
      // The header and the question, nothing after it (an EDNS OPT is dropped).
      std::size_t end = 12;
      while (end < static_cast<std::size_t>(n) && buf[end] != 0) end += buf[end] + 1u;
      end += 1 + 4;  // the root label, QTYPE, QCLASS
      if (end > static_cast<std::size_t>(n)) continue;
      buf[2] = static_cast<unsigned char>(0x80 | (buf[2] & 0x79));  // QR, opcode and RD kept
      buf[3] = 0x80 | 3;                                            // RA, NXDOMAIN
      buf[4] = 0, buf[5] = 1;                                       // one question
      for (int i = 6; i < 12; ++i) buf[i] = 0;                      // no records
      ::sendto(fd_, buf, end, 0, reinterpret_cast<sockaddr*>(&from), from_len);
      answered_.fetch_add(1);
    }
  }

  int fd_ = -1;
  std::uint16_t port_ = 0;
  std::atomic<bool> done_{false};
  std::atomic<std::uint64_t> answered_{0};
  std::thread thread_;
};

}  // namespace mxscan::test
