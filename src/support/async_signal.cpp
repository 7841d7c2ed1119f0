#include "support/async_signal.hpp"

#include <boost/asio/associated_cancellation_slot.hpp>
#include <boost/asio/associated_executor.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/error.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace httpx::detail {

namespace asio = boost::asio;

AsyncSignal::AsyncSignal() : state_(std::make_shared<State>()) {}

awaitable<void> AsyncSignal::wait() {
    auto initiate = [state = state_](auto handler) {
        auto executor = asio::get_associated_executor(handler);
        auto slot = asio::get_associated_cancellation_slot(handler);
        auto shared = std::make_shared<decltype(handler)>(std::move(handler));
        auto complete = [shared, executor](bool aborted) {
            asio::post(executor, [shared, aborted] {
                std::move (*shared)(aborted ? asio::error::operation_aborted
                                            : boost::system::error_code());
            });
        };
        std::unique_lock lock(state->mutex);
        if (state->notified) {
            state->notified = false;
            lock.unlock();
            complete(false);
            return;
        }
        state->complete = std::move(complete);
        if (slot.is_connected()) {
            slot.assign([weak = std::weak_ptr<State>(state)](asio::cancellation_type) {
                auto s = weak.lock();
                if (!s) return;
                std::function<void(bool)> done;
                {
                    std::lock_guard guard(s->mutex);
                    done = std::exchange(s->complete, nullptr);
                }
                if (done) done(true);
            });
        }
    };
    co_await asio::async_initiate<const asio::use_awaitable_t<>&, void(boost::system::error_code)>(
        initiate, asio::use_awaitable);
}

void AsyncSignal::notify() {
    std::function<void(bool)> done;
    {
        std::lock_guard lock(state_->mutex);
        done = std::exchange(state_->complete, nullptr);
        if (!done) state_->notified = true;
    }
    if (done) done(false);
}

void AsyncSignal::abort() {
    std::function<void(bool)> done;
    {
        std::lock_guard lock(state_->mutex);
        done = std::exchange(state_->complete, nullptr);
        state_->notified = false;
    }
    if (done) done(true);
}

void AsyncSignal::interrupt() {
    std::function<void(bool)> done;
    {
        std::lock_guard lock(state_->mutex);
        done = std::exchange(state_->complete, nullptr);
    }
    if (done) done(true);
}

}  // namespace httpx::detail
