#include "net/stream_deadline.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>

#include <mutex>

namespace httpx::net {

namespace asio = boost::asio;
using Clock = std::chrono::steady_clock;

struct StreamDeadline::State {
    // The timer's handler may run on another thread of a multi-threaded io_context than the
    // connection's operations: everything below is guarded (uncontended, so cheap).
    std::mutex mutex;
    asio::steady_timer timer;
    NetworkStream* stream;                                  // null once the owner is gone
    Clock::time_point deadline = Clock::time_point::max();  // of the operation running, if any
    bool waiting = false;                                   // a wait is pending on the timer
    unsigned generation = 0;  // tells the current wait from superseded ones
    bool expired = false;     // the running operation was cancelled for its deadline
    // idle() was called and no operation started since: a release of the timer is posted.
    bool idle_pending = false;

    // The io_context's own executor when the connection runs on one (the usual case): posting
    // through it skips the type-erased property queries of any_io_executor.
    std::optional<asio::io_context::executor_type> io_executor;

    State(const asio::any_io_executor& executor, NetworkStream& s) : timer(executor), stream(&s) {
        if (auto* e = executor.target<asio::io_context::executor_type>()) io_executor = *e;
    }

    static void wait(const std::shared_ptr<State>& self, Clock::time_point when) {
        self->timer.expires_at(when);  // cancels a pending wait, which then sees a new generation
        self->waiting = true;
        self->timer.async_wait(
            [self, generation = ++self->generation](boost::system::error_code ec) {
                std::lock_guard lock(self->mutex);
                if (generation != self->generation) return;  // superseded or released
                self->waiting = false;
                if (ec || self->deadline == Clock::time_point::max()) return;
                if (Clock::now() < self->deadline) {
                    wait(self, self->deadline);  // a later operation is running
                } else if (self->stream) {
                    // Closing aborts the operation; a connection that timed out is not reused.
                    self->expired = true;
                    self->stream->close();
                }
            });
    }
};

StreamDeadline::StreamDeadline(const asio::any_io_executor& executor, NetworkStream& stream)
    : state_(std::make_shared<State>(executor, stream)) {}

StreamDeadline::~StreamDeadline() {
    std::lock_guard lock(state_->mutex);
    state_->stream = nullptr;
    state_->idle_pending = false;
    release_timer_locked(*state_);
}

void StreamDeadline::start(std::optional<Duration> limit) {
    State& s = *state_;
    std::lock_guard lock(s.mutex);
    s.expired = false;
    s.idle_pending = false;  // a release posted by idle() leaves the timer armed
    if (!limit) {
        s.deadline = Clock::time_point::max();
        return;
    }
    s.deadline = Clock::now() + std::chrono::duration_cast<Clock::duration>(*limit);
    // An earlier pending wake-up re-arms itself when it finds this operation still running.
    if (!s.waiting || s.timer.expiry() > s.deadline) State::wait(state_, s.deadline);
}

bool StreamDeadline::finish() noexcept {
    std::lock_guard lock(state_->mutex);
    state_->deadline = Clock::time_point::max();
    return std::exchange(state_->expired, false);
}

void StreamDeadline::release_timer_locked(State& s) noexcept {
    if (!s.waiting) return;
    s.waiting = false;
    ++s.generation;
    s.timer.cancel();
}

void StreamDeadline::idle() noexcept {
    State& s = *state_;
    std::lock_guard lock(s.mutex);
    s.deadline = Clock::time_point::max();
    if (!s.waiting || s.idle_pending) return;
    // Released after the handlers already queued have run: a connection that carries its next
    // request right away (a client loop, the pool handing it to a waiter) keeps its timer armed
    // instead of cancelling it and arming it again, a timerfd_settime system call per request.
    // The armed wait finds no operation running when it fires, or re-arms for the one running.
    s.idle_pending = true;
    try {
        auto release = [state = state_] {
            std::lock_guard lock(state->mutex);
            if (std::exchange(state->idle_pending, false)) release_timer_locked(*state);
        };
        if (s.io_executor)
            asio::post(*s.io_executor, std::move(release));
        else
            asio::post(s.timer.get_executor(), std::move(release));
    } catch (...) {
        s.idle_pending = false;
        release_timer_locked(s);
    }
}

}  // namespace httpx::net
