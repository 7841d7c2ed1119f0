// httpx::AsyncGenerator<T>: a coroutine that can both `co_await` Asio awaitables and `co_yield`.
#pragma once

#include <httpx/types.hpp>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/this_coro.hpp>

#include <chrono>
#include <coroutine>
#include <exception>
#include <memory>
#include <optional>
#include <utility>

namespace httpx {

namespace detail {
// The asynchronous plumbing shared by every AsyncGenerator<T>, compiled once in
// src/support/async_generator.cpp so that this header stays light.
struct GeneratorCore;
std::shared_ptr<GeneratorCore> make_generator_core(std::coroutine_handle<> body);
// Consumer side: resumes the body on the awaiting coroutine's executor and waits until it
// yields, returns or throws. Honours per-operation cancellation of the consumer.
awaitable<void> generator_resume(GeneratorCore& core);
// Body side: wakes the consumer (after a co_yield, or at the end).
void generator_notify(GeneratorCore& core);
// Body side: runs `op` on the consumer's executor, then resumes the body.
void generator_run(GeneratorCore& core, awaitable<void> op);
// Body side: the exception the last awaited operation ended with, if any.
std::exception_ptr generator_take_step_error(GeneratorCore& core);
// Body side: the executor the body runs on (that of the coroutine calling next()).
boost::asio::any_io_executor generator_executor(GeneratorCore& core);
// Owner side: the generator object is going away; cancels an awaited operation in flight.
void generator_detach(GeneratorCore& core);
}  // namespace detail

/// A coroutine producing a sequence of `T` asynchronously:
/// ```
/// httpx::AsyncGenerator<httpx::Bytes> chunks() {
///     co_await httpx::sleep(10ms);   // any httpx::awaitable<U>
///     co_yield "chunk";
/// }
/// ```
/// Consume it with `while (auto x = co_await gen.next())`. The body starts on the first
/// `next()` and runs on the executor of the coroutine calling `next()`. An exception thrown by
/// the body propagates from `next()`. Destroying the generator destroys its body, cancelling
/// an operation it was awaiting.
template <class T>
class AsyncGenerator {
public:
    struct promise_type;
    using handle_type = std::coroutine_handle<promise_type>;

    struct promise_type {
        // User-declared, so that the promise is not an aggregate: otherwise C++20's
        // parenthesised aggregate initialisation builds it from the coroutine's arguments.
        promise_type() noexcept {}

        std::optional<T> value;
        std::shared_ptr<detail::GeneratorCore> core;

        AsyncGenerator get_return_object() {
            return AsyncGenerator(handle_type::from_promise(*this));
        }
        std::suspend_always initial_suspend() noexcept { return {}; }
        auto final_suspend() noexcept {
            struct Final {
                detail::GeneratorCore* core;
                bool await_ready() noexcept { return false; }
                void await_suspend(std::coroutine_handle<>) noexcept {
                    detail::generator_notify(*core);
                }
                void await_resume() noexcept {}
            };
            return Final{core.get()};
        }
        void unhandled_exception() { error = std::current_exception(); }
        void return_void() noexcept {}

        template <class U>
        requires std::convertible_to<U&&, T>
        auto yield_value(U&& v) {
            value.emplace(std::forward<U>(v));
            struct Yield {
                detail::GeneratorCore* core;
                bool await_ready() noexcept { return false; }
                void await_suspend(std::coroutine_handle<>) noexcept {
                    detail::generator_notify(*core);
                }
                void await_resume() noexcept {}
            };
            return Yield{core.get()};
        }

        template <class U>
        auto await_transform(awaitable<U> op) {
            struct Await {
                detail::GeneratorCore* core;
                awaitable<U> op;
                std::shared_ptr<std::optional<U>> result = std::make_shared<std::optional<U>>();
                bool await_ready() noexcept { return false; }
                void await_suspend(std::coroutine_handle<>) {
                    detail::generator_run(*core, store(std::move(op), result));
                }
                U await_resume() {
                    if (auto e = detail::generator_take_step_error(*core))
                        std::rethrow_exception(e);
                    return std::move(**result);
                }
                static awaitable<void> store(awaitable<U> op,
                                             std::shared_ptr<std::optional<U>> out) {
                    out->emplace(co_await std::move(op));
                }
            };
            return Await{core.get(), std::move(op)};
        }
        auto await_transform(awaitable<void> op) {
            struct Await {
                detail::GeneratorCore* core;
                awaitable<void> op;
                bool await_ready() noexcept { return false; }
                void await_suspend(std::coroutine_handle<>) {
                    detail::generator_run(*core, std::move(op));
                }
                void await_resume() {
                    if (auto e = detail::generator_take_step_error(*core))
                        std::rethrow_exception(e);
                }
            };
            return Await{core.get(), std::move(op)};
        }

        /// `co_await asio::this_coro::executor` inside the body.
        auto await_transform(boost::asio::this_coro::executor_t) {
            struct Ready {
                boost::asio::any_io_executor executor;
                bool await_ready() noexcept { return true; }
                void await_suspend(std::coroutine_handle<>) noexcept {}
                boost::asio::any_io_executor await_resume() { return executor; }
            };
            return Ready{detail::generator_executor(*core)};
        }

        std::exception_ptr error;
    };

    AsyncGenerator(AsyncGenerator&& other) noexcept : handle_(std::exchange(other.handle_, {})) {}
    AsyncGenerator& operator=(AsyncGenerator&& other) noexcept {
        if (this != &other) {
            reset();
            handle_ = std::exchange(other.handle_, {});
        }
        return *this;
    }
    AsyncGenerator(const AsyncGenerator&) = delete;
    AsyncGenerator& operator=(const AsyncGenerator&) = delete;
    ~AsyncGenerator() { reset(); }

    /// The next yielded value, or nullopt once the body has returned.
    awaitable<std::optional<T>> next() {
        if (!handle_) co_return std::nullopt;
        auto& promise = handle_.promise();
        if (!handle_.done()) co_await detail::generator_resume(*promise.core);
        if (promise.error) std::rethrow_exception(std::exchange(promise.error, nullptr));
        if (!promise.value) co_return std::nullopt;
        std::optional<T> out = std::move(promise.value);
        promise.value.reset();
        co_return out;
    }

private:
    explicit AsyncGenerator(handle_type handle) : handle_(handle) {
        handle_.promise().core = detail::make_generator_core(handle_);
    }
    void reset() {
        if (!handle_) return;
        detail::generator_detach(*handle_.promise().core);
        handle_.destroy();
        handle_ = {};
    }

    handle_type handle_;
};

/// Waits for `duration` on the current coroutine's executor (cancellable).
awaitable<void> sleep(std::chrono::steady_clock::duration duration);

}  // namespace httpx
