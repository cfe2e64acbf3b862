#include "mxscan/scanner/dns/dns_resolver.hpp"

#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <algorithm>
#include <chrono>
#include <deque>
#include <span>
#include <stdexcept>

#include "dns_channel.hpp"
#include "dns_completion.hpp"
#include "mxscan/scanner/dns/dns_health.hpp"

namespace mxscan {

using boost::asio::awaitable;
using boost::asio::use_awaitable;
using Clock = std::chrono::steady_clock;

namespace {

dns::Answer failure(DnsStatus status, std::string error) {
  dns::Answer a;
  a.status = status;
  a.error = std::move(error);
  return a;
}

// What a c-ares callback means, when there is no answer to read.
dns::Answer from_ares_status(int status) {
  switch (status) {
    case ARES_ETIMEOUT:
      return failure(DnsStatus::timeout, "no answer after all tries");
    case ARES_ECONNREFUSED:
      return failure(DnsStatus::error, "resolver refused the connection (port closed)");
    case ARES_EDESTRUCTION:
    case ARES_ECANCELLED:
      return failure(DnsStatus::error, "resolver shut down");
    default:
      return failure(DnsStatus::error, std::string("c-ares: ") + ares_strerror(status));
  }
}

// What a query's end says about the resolver: any reply but REFUSED is an
// answer (its RCODE is the 4 low bits of the header's fourth octet).
DnsOutcome outcome_of(int status, const unsigned char* abuf, int alen) {
  if (abuf != nullptr && alen >= 4) {
    return (abuf[3] & 0x0f) == 5 ? DnsOutcome::refused : DnsOutcome::answer;
  }
  if (abuf != nullptr && alen > 0) return DnsOutcome::answer;
  return status == ARES_ETIMEOUT ? DnsOutcome::timeout : DnsOutcome::unreachable;
}

}  // namespace

struct Resolver::Impl : std::enable_shared_from_this<Resolver::Impl> {
  // A question waiting for admission, then owned by c-ares until answered.
  struct Pending final : detail::AresQuery {
    Impl* impl = nullptr;
    std::string name;
    dns::RrType type = dns::RrType::a;
    std::unique_ptr<detail::Completion<dns::Answer>> done;

    void on_answer(int status, int /*timeouts*/, const unsigned char* abuf, int alen) override {
      std::unique_ptr<Pending> self(this);
      impl->answered(*this, status, abuf, alen);
    }
  };

  Impl(boost::asio::io_context& io_ctx, const DnsOptions& o)
      : io(io_ctx), options(o), rate_timer(io_ctx) {
    std::string problem = check_dns_options(o);
    if (!problem.empty()) throw std::invalid_argument(problem);
    for (std::size_t i = 0; i < o.channels; ++i) {
      channels.push_back(std::make_unique<detail::AresChannel>(io, o));
    }
    per_channel_cap = std::max<std::size_t>(1, (o.max_in_flight + o.channels - 1) / o.channels);
    burst = std::max(1.0, o.qps / 50.0);
    tokens = burst;
    last_refill = Clock::now();
  }

  void enqueue(std::unique_ptr<Pending> p) {
    if (closed) {
      p->done->complete(failure(DnsStatus::error, "resolver closed"));
      return;
    }
    waiting.push_back(std::move(p));
    stats.max_waiting = std::max(stats.max_waiting, waiting.size());
    pump();
  }

  // Sends queued questions while tokens and in-flight slots allow.
  void pump() {
    while (!waiting.empty() && in_flight < options.max_in_flight && !closed) {
      if (options.qps > 0) {
        auto now = Clock::now();
        tokens = std::min(
            burst, tokens + options.qps * std::chrono::duration<double>(now - last_refill).count());
        last_refill = now;
        if (tokens < 1.0) {
          wake_for_tokens((1.0 - tokens) / options.qps);
          return;
        }
        tokens -= 1.0;
      }
      detail::AresChannel* ch = next_channel();
      std::unique_ptr<Pending> p = std::move(waiting.front());
      waiting.pop_front();
      ++in_flight;
      ++stats.queries;
      if (options.progress != nullptr) options.progress->query_sent();
      const std::string& name = p->name;
      int type = static_cast<int>(p->type);
      Pending* raw = p.release();
      // DANE needs to know whether the resolver validated: ask it to say so.
      ch->send(name, type, raw, raw->type == dns::RrType::tlsa);
    }
  }

  detail::AresChannel* next_channel() {
    for (std::size_t i = 0; i < channels.size(); ++i) {
      detail::AresChannel* ch = channels[next_rr].get();
      next_rr = (next_rr + 1) % channels.size();
      if (ch->in_flight() < per_channel_cap) return ch;
    }
    return channels[next_rr].get();  // unreachable while the global cap holds
  }

  void wake_for_tokens(double seconds) {
    if (rate_timer_armed) return;
    rate_timer_armed = true;
    rate_timer.expires_after(std::chrono::duration_cast<Clock::duration>(
        std::chrono::duration<double>(std::max(seconds, 0.0005))));
    rate_timer.async_wait([self = shared_from_this()](const boost::system::error_code& ec) {
      self->rate_timer_armed = false;
      if (!ec) self->pump();
    });
  }

  void answered(Pending& p, int status, const unsigned char* abuf, int alen) {
    --in_flight;
    ++stats.answers;
    if (options.progress != nullptr) options.progress->query_finished();
    if (options.health != nullptr && status != ARES_EDESTRUCTION && status != ARES_ECANCELLED) {
      options.health->record(outcome_of(status, abuf, alen));
    }
    dns::Answer answer;
    if (abuf != nullptr && alen > 0) {
      auto parsed =
          dns::parse_message(std::span<const std::uint8_t>(abuf, static_cast<std::size_t>(alen)));
      if (parsed.message) {
        answer = dns::read_answer(*parsed.message, p.name, p.type);
      } else {
        ++stats.malformed;
        answer = failure(DnsStatus::error, "malformed answer: " + parsed.error);
      }
    } else {
      answer = from_ares_status(status);
      if (status == ARES_ETIMEOUT) ++stats.timeouts;
    }
    p.done->complete(std::move(answer));
    if (!waiting.empty() && !pump_posted && !closed) {
      pump_posted = true;
      boost::asio::post(io, [self = shared_from_this()] {
        self->pump_posted = false;
        self->pump();
      });
    }
  }

  void close() {
    if (closed) return;
    closed = true;
    rate_timer.cancel();
    for (auto& p : waiting) p->done->complete(failure(DnsStatus::error, "resolver closed"));
    waiting.clear();
    for (auto& ch : channels) ch->shutdown();
  }

  boost::asio::io_context& io;
  DnsOptions options;
  std::vector<std::unique_ptr<detail::AresChannel>> channels;
  std::deque<std::unique_ptr<Pending>> waiting;
  std::size_t per_channel_cap = 1;
  std::size_t next_rr = 0;
  std::size_t in_flight = 0;
  double burst = 1, tokens = 1;
  Clock::time_point last_refill;
  boost::asio::steady_timer rate_timer;
  bool rate_timer_armed = false;
  bool pump_posted = false;
  bool closed = false;
  ResolverStats stats;
};

namespace {

struct Enqueue {
  std::shared_ptr<Resolver::Impl> impl;
  std::string name;
  dns::RrType type;
  void operator()(std::unique_ptr<detail::Completion<dns::Answer>> done) {
    auto p = std::make_unique<Resolver::Impl::Pending>();
    p->impl = impl.get();
    p->name = std::move(name);
    p->type = type;
    p->done = std::move(done);
    impl->enqueue(std::move(p));
  }
};

auto ask(const std::shared_ptr<Resolver::Impl>& impl, std::string name, dns::RrType type) {
  return detail::async_wait_for<dns::Answer>(impl->io, Enqueue{impl, std::move(name), type},
                                             use_awaitable);
}

// Asks again for dangling CNAME targets until an answer ends the chain.
awaitable<dns::Answer> chase(std::shared_ptr<Resolver::Impl> impl, std::string name,
                             dns::RrType type, dns::Answer answer) {
  std::vector<std::string> chain = answer.cnames;
  while (answer.chase) {
    std::string next = chain.back();
    dns::Answer more = co_await ask(impl, next, type);
    for (const auto& c : more.cnames) {
      bool loop = c == name || std::find(chain.begin(), chain.end(), c) != chain.end();
      chain.push_back(c);
      if (loop || chain.size() > dns::kMaxCnameChain) {
        more = failure(DnsStatus::cname_loop, loop ? "CNAME loop" : "CNAME chain too long");
        break;
      }
    }
    answer = std::move(more);
  }
  answer.cnames = std::move(chain);
  co_return answer;
}

// One question with its CNAME chain followed; the common case (no dangling
// CNAME) costs no extra coroutine frame.
awaitable<dns::Answer> ask_following(std::shared_ptr<Resolver::Impl> impl, std::string name,
                                     dns::RrType type) {
  dns::Answer answer = co_await ask(impl, name, type);
  if (answer.chase) {
    answer = co_await chase(impl, std::move(name), type, std::move(answer));
  }
  co_return answer;
}

bool is_failure(DnsStatus s) {
  return s == DnsStatus::timeout || s == DnsStatus::servfail || s == DnsStatus::refused ||
         s == DnsStatus::error || s == DnsStatus::cname_loop;
}

}  // namespace

Resolver::Resolver(boost::asio::io_context& io, const DnsOptions& options)
    : impl_(std::make_shared<Impl>(io, options)) {}

Resolver::~Resolver() { impl_->close(); }

void Resolver::close() { impl_->close(); }

ResolverStats Resolver::stats() const { return impl_->stats; }
const DnsOptions& Resolver::options() const noexcept { return impl_->options; }
boost::asio::io_context& Resolver::io() noexcept { return impl_->io; }

awaitable<dns::Answer> Resolver::query(std::string name, dns::RrType type) {
  co_return co_await ask_following(impl_, std::move(name), type);
}

awaitable<MxAnswer> Resolver::mx(std::string name) {
  dns::Answer a = co_await ask(impl_, name, dns::RrType::mx);
  if (a.chase) {
    a = co_await chase(impl_, std::move(name), dns::RrType::mx, std::move(a));
  }
  MxAnswer out;
  out.status = a.status;
  out.cnames = std::move(a.cnames);
  out.error = std::move(a.error);
  if (a.status != DnsStatus::ok) co_return out;
  if (a.mx.size() == 1 && a.mx[0].exchange.empty()) {
    out.status = DnsStatus::null_mx;  // RFC 7505 "0 ."
    co_return out;
  }
  std::sort(a.mx.begin(), a.mx.end(), [](const dns::MxEntry& x, const dns::MxEntry& y) {
    return x.preference != y.preference ? x.preference < y.preference : x.exchange < y.exchange;
  });
  a.mx.erase(std::unique(a.mx.begin(), a.mx.end(),
                         [](const dns::MxEntry& x, const dns::MxEntry& y) {
                           return x.preference == y.preference && x.exchange == y.exchange;
                         }),
             a.mx.end());
  if (a.mx.size() > impl_->options.max_mx) {
    out.capped = true;
    a.mx.resize(impl_->options.max_mx);
  }
  out.records = std::move(a.mx);
  co_return out;
}

awaitable<AddrAnswer> Resolver::addresses(std::string host) {
  using namespace boost::asio::experimental::awaitable_operators;
  dns::Answer v4, v6;
  if (impl_->options.ipv6) {
    std::tie(v4, v6) = co_await (ask_following(impl_, host, dns::RrType::a) &&
                                 ask_following(impl_, host, dns::RrType::aaaa));
  } else {
    v4 = co_await ask(impl_, host, dns::RrType::a);
    if (v4.chase) {
      v4 = co_await chase(impl_, host, dns::RrType::a, std::move(v4));
    }
    v6.status = DnsStatus::not_queried;
  }
  AddrAnswer out;
  std::sort(v4.addresses.begin(), v4.addresses.end());
  std::sort(v6.addresses.begin(), v6.addresses.end());
  out.addresses = std::move(v4.addresses);
  out.addresses.insert(out.addresses.end(), v6.addresses.begin(), v6.addresses.end());
  out.cnames = !v4.cnames.empty() ? std::move(v4.cnames) : std::move(v6.cnames);
  if (!out.addresses.empty()) {
    out.status = DnsStatus::ok;
  } else if (is_failure(v4.status)) {
    out.status = v4.status;
    out.error = std::move(v4.error);
  } else if (is_failure(v6.status)) {
    out.status = v6.status;
    out.error = "AAAA: " + v6.error;
  } else {
    out.status = v4.status;  // nodata or nxdomain: the exchange has no address
  }
  co_return out;
}

}  // namespace mxscan
