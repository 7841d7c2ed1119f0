// One timer for deadlines that come and go far more often than they expire.
#pragma once

#include <boost/asio/any_io_executor.hpp>

#include <chrono>
#include <functional>
#include <memory>

namespace httpx::net {

/// Enforces many short-lived deadlines (one per socket operation, or per stream wait) with one
/// Asio timer, touched about once per timeout period rather than once per deadline.
///
/// The owner keeps its deadlines and tells the timer the earliest one it must enforce
/// (`wake_by`). The timer sleeps until then; when it wakes up it calls `on_wake`, which checks
/// the owner's deadlines, acts on those that passed and calls `wake_by` for the next one. A
/// deadline that ended before the timer woke up costs nothing but the recorded time; a later
/// one keeps the armed wake-up, which re-arms itself for it. When no deadline is left, `idle()`
/// releases the timer (so that a pending wait does not keep the io_context running), but only
/// after the handlers already queued have run, and not at all if a deadline comes first: a
/// connection that goes on with its next operation at once makes no timerfd_settime system
/// call.
///
/// Thread-safe (its own lock). `on_wake` runs on the executor, without that lock, so it may take
/// the owner's lock and call `wake_by` under it. It may be called when nothing is due (an
/// earlier wake-up overtaken by a later `wake_by`), and must only hold what stays valid after
/// the owner is gone (a weak_ptr): it can run concurrently with the destructor.
class LazyTimer {
public:
    using Clock = std::chrono::steady_clock;

    LazyTimer(const boost::asio::any_io_executor& executor, std::function<void()> on_wake);
    /// Releases the timer; `on_wake` is not called for wake-ups still pending.
    ~LazyTimer();
    LazyTimer(const LazyTimer&) = delete;
    LazyTimer& operator=(const LazyTimer&) = delete;

    /// Makes sure `on_wake` runs at `when` or earlier. Cancels a release `idle()` posted.
    void wake_by(Clock::time_point when);
    /// Cancels a release `idle()` posted, without a deadline (an operation without a limit
    /// starts: the armed wake-up stays for the operations after it).
    void keep() noexcept;
    /// No deadline is left for now: releases the timer after the handlers already queued on the
    /// executor have run, unless `wake_by` or `keep` comes first.
    void idle() noexcept;
    /// Releases the timer at once.
    void release() noexcept;

private:
    struct State;
    std::shared_ptr<State> state_;  // shared with the timer's and the release's handlers
};

}  // namespace httpx::net
