#include "net/stream_deadline.hpp"

#include <mutex>

namespace httpx::net {

using Clock = LazyTimer::Clock;

struct StreamDeadline::State {
    // The timer's on_wake may run on another thread of a multi-threaded io_context than the
    // connection's operations: everything below is guarded (uncontended, so cheap).
    std::mutex mutex;
    NetworkStream* stream;                                  // null once the owner is gone
    Clock::time_point deadline = Clock::time_point::max();  // of the operation running, if any
    bool expired = false;            // the running operation was cancelled for its deadline
    std::optional<LazyTimer> timer;  // made once the State has an owner to point back to

    explicit State(NetworkStream& s) : stream(&s) {}

    // The timer woke up: closes the stream if the running operation's time ran out, or sleeps
    // again until its deadline.
    void on_wake() {
        std::lock_guard lock(mutex);
        if (deadline == Clock::time_point::max()) return;
        if (Clock::now() < deadline) {
            timer->wake_by(deadline);  // a later operation is running
        } else if (stream) {
            // Interrupting ends the operation; its owner then closes the connection (one that
            // timed out is not reused).
            expired = true;
            stream->interrupt();
        }
    }
};

StreamDeadline::StreamDeadline(const boost::asio::any_io_executor& executor, NetworkStream& stream)
    : state_(std::make_shared<State>(stream)) {
    // The timer's handlers hold the timer's state, which holds this weak_ptr: no cycle.
    state_->timer.emplace(executor, [weak = std::weak_ptr<State>(state_)] {
        if (auto state = weak.lock()) state->on_wake();
    });
}

StreamDeadline::~StreamDeadline() {
    std::lock_guard lock(state_->mutex);
    state_->stream = nullptr;
    state_->timer->release();
}

void StreamDeadline::start(std::optional<Duration> limit) {
    State& s = *state_;
    std::lock_guard lock(s.mutex);
    s.expired = false;
    if (!limit) {
        s.deadline = Clock::time_point::max();
        s.timer->keep();  // a release posted by idle() leaves the timer armed
        return;
    }
    s.deadline = Clock::now() + std::chrono::duration_cast<Clock::duration>(*limit);
    s.timer->wake_by(s.deadline);
}

bool StreamDeadline::finish() noexcept {
    std::lock_guard lock(state_->mutex);
    state_->deadline = Clock::time_point::max();
    return std::exchange(state_->expired, false);
}

void StreamDeadline::idle() noexcept {
    State& s = *state_;
    std::lock_guard lock(s.mutex);
    s.deadline = Clock::time_point::max();
    // A connection that carries its next request right away (a client loop, the pool handing it
    // to a waiter) keeps its timer armed instead of cancelling it and arming it again. The armed
    // wake-up finds no operation running, or re-arms for the one running.
    s.timer->idle();
}

}  // namespace httpx::net
