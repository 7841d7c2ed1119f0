// The type-erased half of httpx::AsyncGenerator<T>: hand-over between the generator's body and
// its consumer, and the operations the body awaits. Kept here so the public header needs no
// more of Asio than awaitable.hpp.
#include "httpx/async_generator.hpp"

#include <boost/asio/associated_executor.hpp>
#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <mutex>

namespace asio = boost::asio;

namespace httpx::detail {

struct GeneratorCore : std::enable_shared_from_this<GeneratorCore> {
    // Type-erased by hand: Asio 1.81's any_completion_handler recurses when it carries a
    // cancellation slot.
    using ConsumerHandler = std::function<void(boost::system::error_code)>;

    std::mutex mutex;
    std::coroutine_handle<> body;  // null once the generator object is gone
    asio::any_io_executor executor;
    ConsumerHandler consumer;                 // the next() call waiting for the body
    asio::any_io_executor consumer_executor;  // where to complete it
    asio::cancellation_slot consumer_slot;    // its cancellation slot, cleared on completion
    std::shared_ptr<asio::cancellation_signal> inner_cancel;  // the op the body awaits
    std::exception_ptr step_error;

    // Completes the waiting consumer (if any) with `ec`, never inline.
    void complete_consumer(boost::system::error_code ec) {
        ConsumerHandler handler;
        asio::any_io_executor handler_executor;
        {
            std::lock_guard lock(mutex);
            handler = std::exchange(consumer, nullptr);
            handler_executor = consumer_executor;
            if (consumer_slot.is_connected()) consumer_slot.clear();
            consumer_slot = {};
        }
        if (!handler) return;
        // Dispatched through the handler's own executor, and never inline: the body may still
        // be inside await_suspend.
        asio::post(handler_executor, [handler = std::move(handler), ec] { handler(ec); });
    }

    void cancel_inner(asio::cancellation_type type) {
        std::shared_ptr<asio::cancellation_signal> signal;
        {
            std::lock_guard lock(mutex);
            signal = inner_cancel;
        }
        if (signal) signal->emit(type);
    }
};

std::shared_ptr<GeneratorCore> make_generator_core(std::coroutine_handle<> body) {
    auto core = std::make_shared<GeneratorCore>();
    core->body = body;
    return core;
}

// Takes a reference, not a shared_ptr by value: g++ 12 destroys by-value temporaries of a
// co_await expression twice. The caller's promise keeps the core alive.
awaitable<void> generator_resume(GeneratorCore& core_ref) {
    auto core = core_ref.shared_from_this();
    core->executor = co_await asio::this_coro::executor;
    // The initiation captures only a raw pointer (`core` above keeps it alive): g++ 12 may
    // destroy temporaries of a co_await expression twice, so none may own anything.
    auto initiate = [c = core.get()](auto handler) {
        auto slot = asio::get_associated_cancellation_slot(handler);
        {
            std::lock_guard lock(c->mutex);
            c->consumer_executor = asio::get_associated_executor(handler, c->executor);
            auto shared = std::make_shared<decltype(handler)>(std::move(handler));
            c->consumer = [shared](boost::system::error_code ec) { std::move (*shared)(ec); };
            c->consumer_slot = slot;
        }
        if (slot.is_connected()) {
            // A cancelled next(): cancel what the body awaits and fail the consumer now;
            // the body resumes later with the operation's error.
            slot.assign([weak = c->weak_from_this()](asio::cancellation_type type) {
                if (auto locked = weak.lock()) {
                    locked->cancel_inner(type);
                    locked->complete_consumer(asio::error::operation_aborted);
                }
            });
        }
        c->body.resume();
    };
    co_await asio::async_initiate<const asio::use_awaitable_t<>&, void(boost::system::error_code)>(
        initiate, asio::use_awaitable);
}

void generator_notify(GeneratorCore& core) {
    core.complete_consumer({});
}

void generator_run(GeneratorCore& core, awaitable<void> op) {
    auto signal = std::make_shared<asio::cancellation_signal>();
    {
        std::lock_guard lock(core.mutex);
        core.inner_cancel = signal;
    }
    asio::co_spawn(
        core.executor, std::move(op),
        asio::bind_cancellation_slot(
            signal->slot(), [signal, core = core.shared_from_this()](std::exception_ptr error) {
                std::coroutine_handle<> body;
                {
                    std::lock_guard lock(core->mutex);
                    core->inner_cancel.reset();
                    core->step_error = error;
                    body = core->body;
                }
                if (body) body.resume();
            }));
}

asio::any_io_executor generator_executor(GeneratorCore& core) {
    return core.executor;
}

std::exception_ptr generator_take_step_error(GeneratorCore& core) {
    std::lock_guard lock(core.mutex);
    return std::exchange(core.step_error, nullptr);
}

void generator_detach(GeneratorCore& core) {
    {
        std::lock_guard lock(core.mutex);
        core.body = nullptr;
        core.consumer = nullptr;
        if (core.consumer_slot.is_connected()) core.consumer_slot.clear();
    }
    core.cancel_inner(asio::cancellation_type::all);
}

}  // namespace httpx::detail

namespace httpx {

awaitable<void> sleep(std::chrono::steady_clock::duration duration) {
    asio::steady_timer timer(co_await asio::this_coro::executor, duration);
    co_await timer.async_wait(asio::use_awaitable);
}

}  // namespace httpx
