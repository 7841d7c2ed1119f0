// Running an operation under a time limit: HTTPX's per-phase timeouts.
#pragma once

#include "httpx/types.hpp"

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/deferred.hpp>
#include <boost/asio/experimental/parallel_group.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <chrono>
#include <exception>
#include <optional>

namespace httpx::net {

using Duration = std::chrono::duration<double>;

namespace within_impl {

/// `executor` if it is a strand already, else a new strand of it: what runs there never runs
/// on two threads at once.
inline boost::asio::any_io_executor serialized(const boost::asio::any_io_executor& executor) {
    namespace asio = boost::asio;
    if (executor.target<asio::strand<asio::any_io_executor>>() ||
        executor.target<asio::strand<asio::io_context::executor_type>>())
        return executor;
    return asio::make_strand(executor);
}

// The race itself; both halves and the group's bookkeeping complete on this coroutine's
// executor (see within()).
template <class TimeoutError, class T>
awaitable<T> race_timer(Duration limit, awaitable<T> op, const char* message) {
    namespace asio = boost::asio;
    auto executor = co_await asio::this_coro::executor;
    asio::steady_timer timer(
        executor, std::chrono::duration_cast<std::chrono::steady_clock::duration>(limit));
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

}  // namespace within_impl

/// Awaits `op`; if `limit` passes first, cancels it and throws `TimeoutError(message)`.
/// Whichever finishes first decides, an exception included (asio's `||` would instead wait
/// for a success).
///
/// `op` and its timer run on one strand (the caller's executor if it is a strand, else a new
/// strand of it): on a multi-threaded executor the two halves would otherwise complete on two
/// threads at once, the first cancelling the second while it runs (a data race on its
/// cancellation state). The caller's own cancellation reaches them through that strand too.
/// `op` should create its I/O objects on the caller's executor (passed to it), not on the
/// strand it runs on: a connection outlives its connect and needs no strand per operation.
template <class TimeoutError, class T>
awaitable<T> within(std::optional<Duration> limit, awaitable<T> op, const char* message) {
    if (!limit) co_return co_await std::move(op);
    namespace asio = boost::asio;
    const auto executor = co_await asio::this_coro::executor;
    const auto strand = within_impl::serialized(executor);
    if (strand == executor)  // on a strand already
        co_return co_await within_impl::race_timer<TimeoutError>(*limit, std::move(op), message);
    co_return co_await asio::co_spawn(
        strand, within_impl::race_timer<TimeoutError>(*limit, std::move(op), message),
        asio::use_awaitable);
}

}  // namespace httpx::net
