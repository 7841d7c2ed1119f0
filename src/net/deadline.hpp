// Running an operation under a time limit: HTTPX's per-phase timeouts.
#pragma once

#include "httpx/types.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/deferred.hpp>
#include <boost/asio/experimental/parallel_group.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <chrono>
#include <exception>
#include <optional>

namespace httpx::net {

using Duration = std::chrono::duration<double>;

/// Awaits `op`; if `limit` passes first, cancels it and throws `TimeoutError(message)`.
/// Whichever finishes first decides, an exception included (asio's `||` would instead wait
/// for a success).
template <class TimeoutError, class T>
awaitable<T> within(std::optional<Duration> limit, awaitable<T> op, const char* message) {
    if (!limit) co_return co_await std::move(op);
    namespace asio = boost::asio;
    auto executor = co_await asio::this_coro::executor;
    asio::steady_timer timer(
        executor, std::chrono::duration_cast<std::chrono::steady_clock::duration>(*limit));
    auto group = asio::experimental::make_parallel_group(
        asio::co_spawn(executor, std::move(op), asio::deferred), timer.async_wait(asio::deferred));
    if constexpr (std::is_void_v<T>) {
        auto [order, error, timer_ec] =
            co_await group.async_wait(asio::experimental::wait_for_one(), asio::use_awaitable);
        if (order[0] != 0) throw TimeoutError(message);
        if (error) std::rethrow_exception(error);
    } else {
        auto [order, error, result, timer_ec] =
            co_await group.async_wait(asio::experimental::wait_for_one(), asio::use_awaitable);
        if (order[0] != 0) throw TimeoutError(message);
        if (error) std::rethrow_exception(error);
        co_return std::move(result);
    }
}

}  // namespace httpx::net
