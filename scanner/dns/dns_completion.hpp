// Internal: a type-erased, posted completion for the DNS stage's waits.
//
// Design note. c-ares calls back from inside ares_process_fd and the exchange
// cache completes many waiters at once; neither may resume a coroutine inline
// (docs/dns.md). A Completion<T> holds the waiting handler and, when
// completed, posts it with its value to the handler's executor. Boost 1.81 has
// no any_completion_handler, hence this small interface.
#pragma once

#include <boost/asio/associated_executor.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>

#include <memory>
#include <utility>

namespace mxscan::detail {

template <typename T>
class Completion {
 public:
  virtual ~Completion() = default;
  // Posts the waiter's resumption with `value`; call at most once.
  virtual void complete(T value) = 0;
};

template <typename T, typename Handler>
class PostedCompletion final : public Completion<T> {
 public:
  PostedCompletion(Handler h, boost::asio::io_context::executor_type fallback)
      : handler_(std::move(h)), fallback_(fallback) {}
  void complete(T value) override {
    auto ex = boost::asio::get_associated_executor(handler_, fallback_);
    boost::asio::post(ex, Resume{std::move(handler_), std::move(value)});
  }

 private:
  struct Resume {
    Handler h;
    T v;
    void operator()() { std::move(h)(std::move(v)); }
  };
  Handler handler_;
  boost::asio::io_context::executor_type fallback_;
};

// Starts a wait: `start` receives a std::unique_ptr<Completion<T>> and keeps it
// until the value is known.
template <typename T, typename Token, typename Start>
auto async_wait_for(boost::asio::io_context& io, Start start, Token&& token) {
  return boost::asio::async_initiate<Token, void(T)>(
      [&io, start = std::move(start)](auto handler) mutable {
        using H = std::decay_t<decltype(handler)>;
        start(std::unique_ptr<Completion<T>>(
            new PostedCompletion<T, H>(std::move(handler), io.get_executor())));
      },
      token);
}

}  // namespace mxscan::detail
