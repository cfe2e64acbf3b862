// mxscan-test-smtpd: the test SMTP server as a process, for scripts/bench smtp.
//   mxscan-test-smtpd --port N [--chain PEM | --no-starttls] [--fault tarpit] [--threads N]
// Listens on 0.0.0.0:N and serves only 127.0.0.0/8 peers; each dialed address
// is a distinct mail server. Prints "ready" once listening; stops on SIGINT/SIGTERM
// and then prints its counters.
#include <signal.h>
#include <sys/resource.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

#include "test_smtp_server.hpp"

int main(int argc, char** argv) {
  using mxscan::test::Fault;
  mxscan::test::TestPersona persona;
  std::uint16_t port = 0;
  unsigned threads = 1;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    auto value = [&]() -> std::string {
      if (i + 1 >= argc) {
        std::fprintf(stderr, "%s needs a value\n", a.c_str());
        std::exit(2);
      }
      return argv[++i];
    };
    if (a == "--port")
      port = static_cast<std::uint16_t>(std::stoi(value()));
    else if (a == "--chain")
      persona.chain_file = value();
    else if (a == "--no-starttls")
      persona.offer_starttls = false;
    else if (a == "--threads")
      threads = static_cast<unsigned>(std::stoi(value()));
    else if (a == "--fault") {
      const std::string f = value();
      if (f == "tarpit")
        persona.fault = Fault::tarpit;
      else if (f != "none") {
        std::fprintf(stderr, "unknown fault %s\n", f.c_str());
        return 2;
      }
    } else {
      std::fprintf(
          stderr, "usage: %s --port N [--chain PEM|--no-starttls] [--fault tarpit] [--threads N]\n",
          argv[0]);
      return 2;
    }
  }
  if (persona.offer_starttls && persona.chain_file.empty()) {
    std::fprintf(stderr, "--chain PEM is required unless --no-starttls\n");
    return 2;
  }
  rlimit lim{};
  getrlimit(RLIMIT_NOFILE, &lim);
  lim.rlim_cur = lim.rlim_max;
  setrlimit(RLIMIT_NOFILE, &lim);
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);  // worker threads inherit the mask
  mxscan::test::TestSmtpServer server(threads, false);
  port = server.listen_any(port, persona);
  server.start();
  std::printf("ready port=%u\n", port);
  std::fflush(stdout);
  int sig = 0;
  sigwait(&set, &sig);
  const auto stats = server.stats();
  server.stop();
  std::size_t accepted = 0;
  for (const auto& [a, n] : stats.accepted) accepted += n;
  std::printf(
      "server accepted=%zu addresses=%zu max_concurrent=%zu tls_handshakes=%zu forbidden=%zu\n",
      accepted, stats.accepted.size(), stats.max_concurrent, stats.tls_handshakes, stats.forbidden);
  return 0;
}
