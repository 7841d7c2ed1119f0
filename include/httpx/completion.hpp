// Completion tokens for a request run without co_await: `asio::co_spawn(ex, client.get(url),
// token)` completes with `void(std::exception_ptr, httpx::Response)`, and every Asio token
// takes that signature: a callback, `asio::use_future`, `asio::yield_context` (stackful
// coroutines, Boost.Context), `asio::deferred`, `asio::use_awaitable`, parallel groups.
//
// Include this header where a request completes into a `yield_context` or a deferred
// operation is co_awaited, with Boost 1.81 (Debian 12). That Asio has two bugs in the handlers
// it makes for a completion signature `void(std::exception_ptr, T)`:
//   - `co_spawn(ex, client.get(url), yield)`: its yield_context handler stores a pointer to
//     the exception_ptr in an exception_ptr member (detail::spawn_handler): no compile.
//   - `co_await co_spawn(ex, client.get(url), asio::deferred)`: its awaitable handler tests the
//     result struct instead of the exception_ptr in it (detail::awaitable_async_op_handler):
//     no compile (chriskohlhoff/asio#1172).
// This header supplies both handlers, for `T = httpx::Response` only, as Asio later fixed them.
// It replaces nothing that compiles: a translation unit without it that uses these tokens fails
// to build, it never behaves differently. On other Boost versions it adds nothing.
//
// Not fixed here (it is not httpx's signature): with Boost 1.81, `co_spawn` of an
// `awaitable<void>` into a yield_context rethrows a null exception_ptr on success (a crash).
// Spawn the request itself, as below, rather than a void coroutine around it.
//
//     #include <httpx/completion.hpp>
//     asio::spawn(io, [&](asio::yield_context yield) {
//         httpx::Response r = asio::co_spawn(io, client.get(url), yield);  // throws as co_await
//     }, asio::detached);
//
// Link Boost::context (CMake: find_package(Boost CONFIG COMPONENTS context)) for yield_context.
#pragma once

#include "httpx/response.hpp"

#include <boost/asio/awaitable.hpp>
#include <boost/asio/spawn.hpp>
#include <boost/asio/version.hpp>

#include <exception>
#include <utility>

#if BOOST_ASIO_VERSION == 102600  // Boost 1.81

namespace boost::asio::detail {

/// The awaitable side (`co_await` of a deferred co_spawn, or of any operation completing with
/// `void(std::exception_ptr, httpx::Response)`): resumes the coroutine with the response, or
/// rethrows the exception in it.
template <typename R, typename Executor>
class awaitable_async_op_handler<R(std::exception_ptr, httpx::Response), Executor>
    : public awaitable_thread<Executor> {
public:
    struct result_type {
        std::exception_ptr* error = nullptr;
        httpx::Response* value = nullptr;
    };

    awaitable_async_op_handler(awaitable_thread<Executor>* thread, result_type& result)
        : awaitable_thread<Executor>(std::move(*thread)), result_(result) {}

    void operator()(std::exception_ptr error, httpx::Response value) {
        // Both live until the coroutine has taken them: pump() resumes it before returning.
        result_.error = &error;
        result_.value = &value;
        this->entry_point()->top_of_stack_->attach_thread(this);
        this->entry_point()->top_of_stack_->clear_cancellation_slot();
        this->pump();
    }

    static httpx::Response resume(result_type& result) {
        if (*result.error) std::rethrow_exception(std::exchange(*result.error, nullptr));
        return std::move(*result.value);
    }

private:
    result_type& result_;
};

#if defined(BOOST_ASIO_HAS_BOOST_CONTEXT_FIBER)

/// The yield_context side: resumes the stackful coroutine with the response, or rethrows the
/// exception in it.
template <typename Executor, typename R>
class spawn_handler<Executor, R(std::exception_ptr, httpx::Response)>
    : public spawn_handler_base<Executor> {
public:
    using return_type = httpx::Response;

    struct result_type {
        std::exception_ptr* error = nullptr;
        httpx::Response* value = nullptr;
    };

    spawn_handler(const basic_yield_context<Executor>& yield, result_type& result)
        : spawn_handler_base<Executor>(yield), result_(result) {}

    void operator()(std::exception_ptr error, httpx::Response value) {
        // Both live until the coroutine has taken them: resume() runs it before returning.
        result_.error = &error;
        result_.value = &value;
        this->resume();
    }

    static return_type on_resume(result_type& result) {
        if (*result.error) std::rethrow_exception(*result.error);
        return std::move(*result.value);
    }

private:
    result_type& result_;
};

#endif  // BOOST_ASIO_HAS_BOOST_CONTEXT_FIBER

}  // namespace boost::asio::detail

#endif  // Boost 1.81
