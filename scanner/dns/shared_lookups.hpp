// Internal: lookups by name shared by every domain (and every stage thread) of
// a run: the first asker fetches, later ones wait for that answer (posted to
// their own executor, never resumed inline) or take the finished one.
//
// Design note. The same scheme as the exchange cache (dns_stage.cpp), for values
// whose names repeat across domains: SPF include targets (a big provider's
// include is named by millions of domains) and TLSA per exchange. A failed
// fetch (`failed(value)`: the resolver did not answer) is handed to the domains
// that waited for it, then fetched again by the next asker.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "dns_completion.hpp"

namespace mxscan::detail {

template <typename V>
class SharedLookups : public std::enable_shared_from_this<SharedLookups<V>> {
 public:
  struct Counts {
    std::uint64_t fetches = 0;
    std::uint64_t hits = 0;
  };

  // The value for `key`: fetched by `fetch()` (an awaitable<V>) unless finished or in flight.
  template <typename Fetch, typename Failed>
  boost::asio::awaitable<V> get(boost::asio::io_context& io, std::string key, Fetch fetch,
                                Failed failed) {
    auto self = this->shared_from_this();
    bool mine = false;
    std::optional<V> finished;
    {
      std::lock_guard lock(mutex_);
      auto [it, inserted] = entries_.try_emplace(key);
      Entry& e = it->second;
      if (inserted || (e.done && e.failed)) {
        mine = true;
        e.done = false;
        ++counts_.fetches;
      } else {
        ++counts_.hits;
        if (e.done) finished = e.value;
      }
    }
    if (finished) co_return std::move(*finished);
    if (!mine) {
      Wait wait{self, std::move(key)};  // named: g++ 12 and temporaries in co_await
      co_return co_await async_wait_for<V>(io, std::move(wait), boost::asio::use_awaitable);
    }
    V value = co_await fetch();
    std::vector<std::unique_ptr<Completion<V>>> waiters;
    {
      std::lock_guard lock(mutex_);
      Entry& e = entries_[key];
      e.done = true;
      e.failed = failed(value);
      e.value = value;
      waiters = std::move(e.waiters);
      e.waiters.clear();
    }
    for (auto& w : waiters) w->complete(value);
    co_return value;
  }

  Counts counts() const {
    std::lock_guard lock(mutex_);
    return counts_;
  }

 private:
  struct Entry {
    bool done = false;
    bool failed = false;
    V value{};
    std::vector<std::unique_ptr<Completion<V>>> waiters;
  };
  struct Wait {
    std::shared_ptr<SharedLookups> self;
    std::string key;
    void operator()(std::unique_ptr<Completion<V>> done) {
      std::unique_lock lock(self->mutex_);
      Entry& e = self->entries_[key];
      if (e.done) {
        V copy = e.value;
        lock.unlock();
        done->complete(std::move(copy));
        return;
      }
      e.waiters.push_back(std::move(done));
    }
  };

  mutable std::mutex mutex_;
  std::unordered_map<std::string, Entry> entries_;
  Counts counts_;
};

}  // namespace mxscan::detail
