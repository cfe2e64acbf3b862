// A Resolver may be destroyed while its io_context still holds work of its
// channels: the resolver probe drops its Resolver as soon as the answer is in,
// inside the same run of the io_context. A c-ares tick whose timer has already
// expired is queued as completed and can no longer be cancelled; it must find
// the channel gone instead of touching freed memory (found by valgrind on a lab
// scan; this test makes the order certain, and the ASan pass of CI catches a
// regression).
#include "mxscan/scanner/dns/dns_resolver.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <catch2/catch.hpp>

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <thread>

#include "scripted_dns.hpp"

namespace {

namespace asio = boost::asio;
using mxscan::test::ScriptedDns;
using Clock = std::chrono::steady_clock;

asio::awaitable<void> ask(mxscan::Resolver& resolver, std::optional<mxscan::MxAnswer>& out) {
  out = co_await resolver.mx("example.com");
}

// Runs `io` one handler at a time until `done` holds (10 s at most).
template <typename Done>
void run_until(asio::io_context& io, Done done) {
  const auto deadline = Clock::now() + std::chrono::seconds(10);
  while (!done() && Clock::now() < deadline) io.run_one_for(std::chrono::milliseconds(100));
}

}  // namespace

TEST_CASE("dns resolver: destroyed while its expired tick is queued") {
  asio::io_context io;
  ScriptedDns server{io};
  ScriptedDns::Reply nxdomain;
  nxdomain.rcode = 3;
  server.on("example.com", mxscan::dns::RrType::mx, nxdomain);
  mxscan::DnsProgressCounts progress;
  mxscan::DnsOptions o;
  o.resolvers = {server.address()};
  o.timeout = std::chrono::milliseconds(10'000);
  o.retries = 0;
  o.qps = 0;
  o.progress = &progress;
  auto resolver = std::make_unique<mxscan::Resolver>(io, o);

  // The question goes out, and the channel's 50 ms tick is armed with it.
  std::optional<mxscan::MxAnswer> answer;
  asio::co_spawn(io, ask(*resolver, answer), asio::detached);
  run_until(io, [&] { return progress.sent() == 1; });
  REQUIRE(progress.sent() == 1);
  const auto sent = Clock::now();

  // The server, on the same io_context, answers NXDOMAIN on the next runs.
  run_until(io, [&] { return answer.has_value(); });
  REQUIRE(answer.has_value());
  CHECK(answer->status == mxscan::DnsStatus::nxdomain);
  CHECK(server.times_asked("example.com", "udp") == 1);
  // Closed, so the io_context has no work left once the resolver is gone.
  server.close();

  // A timer due before the tick drops the resolver. Both are due when the
  // io_context runs again (the sleep makes that state; nothing waits on it), so
  // the reactor queues them together, earliest first: the tick's handler runs
  // after the resolver, its channels and their timers are gone.
  const bool tick_still_armed = Clock::now() - sent < std::chrono::milliseconds(40);
  asio::steady_timer drop(io, std::chrono::milliseconds(1));
  drop.async_wait([&resolver](const boost::system::error_code&) { resolver.reset(); });
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  io.run_for(std::chrono::seconds(2));
  CHECK(resolver == nullptr);
  if (!tick_still_armed) WARN("the answer took 40 ms or more: the tick may have ended first");
}
