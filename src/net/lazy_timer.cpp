#include "net/lazy_timer.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>

#include <mutex>
#include <optional>

namespace httpx::net {

namespace asio = boost::asio;

struct LazyTimer::State {
    // The handlers may run on another thread of a multi-threaded io_context than the owner's
    // calls: everything below is guarded (uncontended, so cheap).
    std::mutex mutex;
    asio::steady_timer timer;
    const std::function<void()> on_wake;
    bool waiting = false;     // a wait is pending on the timer
    unsigned generation = 0;  // tells the current wait from superseded or released ones
    bool idle = false;        // idle() was called and no deadline came since
    bool release_posted = false;

    // The io_context's own executor when the owner runs on one (the usual case): posting
    // through it skips the type-erased property queries of any_io_executor.
    std::optional<asio::io_context::executor_type> io_executor;

    State(const asio::any_io_executor& executor, std::function<void()> wake)
        : timer(executor), on_wake(std::move(wake)) {
        if (auto* e = executor.target<asio::io_context::executor_type>()) io_executor = *e;
    }

    static void wait_locked(const std::shared_ptr<State>& self, Clock::time_point when) {
        self->timer.expires_at(when);  // cancels a pending wait, which then sees a new generation
        self->waiting = true;
        self->timer.async_wait(
            [self, generation = ++self->generation](boost::system::error_code ec) {
                {
                    std::lock_guard lock(self->mutex);
                    if (generation != self->generation) return;  // superseded or released
                    self->waiting = false;
                }
                if (!ec) self->on_wake();
            });
    }

    void release_locked() noexcept {
        idle = false;
        if (!waiting) return;
        waiting = false;
        ++generation;
        timer.cancel();
    }
};

LazyTimer::LazyTimer(const asio::any_io_executor& executor, std::function<void()> on_wake)
    : state_(std::make_shared<State>(executor, std::move(on_wake))) {}

LazyTimer::~LazyTimer() {
    release();
}

void LazyTimer::wake_by(Clock::time_point when) {
    State& s = *state_;
    std::lock_guard lock(s.mutex);
    s.idle = false;
    // An earlier pending wake-up re-arms itself (on_wake) when the deadline is still there.
    if (!s.waiting || s.timer.expiry() > when) State::wait_locked(state_, when);
}

void LazyTimer::keep() noexcept {
    std::lock_guard lock(state_->mutex);
    state_->idle = false;
}

void LazyTimer::idle() noexcept {
    State& s = *state_;
    std::lock_guard lock(s.mutex);
    if (!s.waiting) return;
    s.idle = true;
    if (s.release_posted) return;
    s.release_posted = true;
    try {
        auto release = [state = state_] {
            std::lock_guard lock(state->mutex);
            state->release_posted = false;
            if (state->idle) state->release_locked();
        };
        if (s.io_executor)
            asio::post(*s.io_executor, std::move(release));
        else
            asio::post(s.timer.get_executor(), std::move(release));
    } catch (...) {
        s.release_posted = false;
        s.release_locked();
    }
}

void LazyTimer::release() noexcept {
    std::lock_guard lock(state_->mutex);
    state_->release_locked();
}

}  // namespace httpx::net
