// Test helpers for running coroutines from a test body.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>

#include <httpx/async_generator.hpp>

#include <chrono>
#include <future>

namespace httpx::test {

/// Runs an awaitable to completion on a fresh io_context and returns its result.
template <class T>
T run_async(boost::asio::awaitable<T> task) {
    boost::asio::io_context io;
    auto future = boost::asio::co_spawn(io, std::move(task), boost::asio::use_future);
    io.run();
    return future.get();
}

/// Runs an awaitable to completion on `io`, which outlives the call: pooled sockets belong to
/// the io_context they were opened on, so a test keeps one that outlives its client.
template <class T>
T run_on(boost::asio::io_context& io, boost::asio::awaitable<T> task) {
    io.restart();
    auto future = boost::asio::co_spawn(io, std::move(task), boost::asio::use_future);
    io.run();
    return future.get();
}

/// Waits, without blocking the io_context, for a future of a coroutine spawned on it.
template <class T>
boost::asio::awaitable<T> await_future(std::future<T>& future) {
    using namespace std::chrono_literals;
    while (future.wait_for(0s) != std::future_status::ready) co_await httpx::sleep(1ms);
    co_return future.get();
}

}  // namespace httpx::test
