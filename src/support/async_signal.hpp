// A wake-up call for one waiting coroutine, safe to give from any thread.
#pragma once

#include "httpx/types.hpp"

#include <functional>
#include <memory>
#include <mutex>

namespace httpx::detail {

/// `wait()` completes after the next `notify()`, or at once if `notify()` was called since the
/// last wait completed (a notification is never lost; several collapse into one). Waiters check
/// their condition again after waking. A wait ends with `boost::system::system_error`
/// (operation_aborted) when its coroutine is cancelled. One waiter at a time.
///
/// The waiting coroutine is resumed through its own executor (never inside `notify()`, which
/// may run under its caller's lock). A pending wait is not outstanding work: an io_context with
/// nothing else to do returns from run() while a coroutine waits here.
class AsyncSignal {
public:
    AsyncSignal();
    awaitable<void> wait();
    void notify();
    /// Ends a pending wait with operation_aborted (as cancellation does) and forgets any
    /// notification.
    void abort();
    /// Ends a pending wait with operation_aborted; does nothing when no wait is pending (a
    /// notification given since the last wait stays).
    void interrupt();

private:
    struct State {
        std::mutex mutex;
        bool notified = false;
        std::function<void(bool aborted)> complete;  // the pending wait, if any
    };
    std::shared_ptr<State> state_;
};

}  // namespace httpx::detail
