// The one loop behind every blocking call of httpx::Client and of the sync iterators of a
// Response: a private io_context, driven on the calling thread while a call runs (libcurl's
// easy-over-multi model), shared by threads with a leader/follower hand-over.
#pragma once

#include "httpx/types.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>

#include <atomic>
#include <condition_variable>
#include <exception>
#include <memory>
#include <mutex>
#include <optional>
#include <type_traits>
#include <utility>

namespace httpx::detail {

/// Runs awaitables to completion on a private io_context, on the calling thread.
///
/// Several threads may call `run()` at once. One of them at a time (the leader) runs the loop,
/// and only until its own operation is done; the others (followers) wait on a condition
/// variable, woken when their operation completes (on the leader's thread) or when the leader
/// leaves, after which one of them leads. So a thread waiting for a short call is never kept
/// running another thread's long call, and a follower's callbacks (hooks, auth flows, mock
/// handlers, sync body sources) may run on the leader's thread.
///
/// A `run()` from inside the loop (a hook or handler running on it) throws `std::logic_error`:
/// the loop would have to run inside one of its own handlers. A `run()` inside some other
/// io_context's handler is fine: it blocks that thread until the call is done.
class SyncDriver {
public:
    SyncDriver();
    ~SyncDriver();
    SyncDriver(const SyncDriver&) = delete;
    SyncDriver& operator=(const SyncDriver&) = delete;

    boost::asio::io_context& context() noexcept { return io_; }
    /// Whether the calling thread is inside this driver's loop.
    bool in_loop() const noexcept;

    /// Runs `operation` on the loop and returns its result, or rethrows its exception, on the
    /// calling thread.
    template <class T>
    T run(awaitable<T> operation) {
        refuse_reentry();
        auto call = std::make_shared<Call<T>>();
        if constexpr (std::is_void_v<T>) {
            boost::asio::co_spawn(io_, std::move(operation), [this, call](std::exception_ptr e) {
                call->error = std::move(e);
                finish(*call);
            });
        } else {
            boost::asio::co_spawn(io_, std::move(operation),
                                  [this, call](std::exception_ptr e, T value) {
                                      if (e)
                                          call->error = std::move(e);
                                      else
                                          call->value.emplace(std::move(value));
                                      finish(*call);
                                  });
        }
        wait(*call);
        if (call->error) std::rethrow_exception(call->error);
        if constexpr (!std::is_void_v<T>) return std::move(*call->value);
    }

private:
    struct CallBase {
        std::atomic<bool> done{false};
        bool led = false;  // its thread is running the loop (read and written on that thread)
        std::exception_ptr error;
    };
    template <class T>
    struct Call : CallBase {
        std::optional<std::conditional_t<std::is_void_v<T>, char, T>> value;  // char: unused
    };

    void refuse_reentry() const;
    // On the loop: marks the call done and wakes its thread: a follower through the condition
    // variable, the leader by stopping the loop.
    void finish(CallBase& call);
    // Leads or follows until `call` is done.
    void wait(CallBase& call);

    mutable boost::asio::io_context io_{1};  // one thread at a time runs it: the leader
    // Keeps run_one() waiting (not returning) while the only pending operation waits for
    // something outside the loop, e.g. a connection another thread's response still holds.
    boost::asio::executor_work_guard<boost::asio::io_context::executor_type> work_;
    std::mutex mutex_;
    std::condition_variable changed_;
    bool leading_ = false;  // a thread is running the loop
};

}  // namespace httpx::detail
