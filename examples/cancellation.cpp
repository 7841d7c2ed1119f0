// Cancelling a request: the awaitable operator `||` (whichever finishes first cancels the
// other), or a cancellation signal bound to the token with asio::bind_cancellation_slot.
// A cancelled request ends as Asio's own operations end, with boost::system::system_error
// (asio::error::operation_aborted); a timeout, by contrast, is httpx's ReadTimeout & co. The
// connection pool stays consistent either way. Runs against the bundled test server.
#include <httpx/httpx.hpp>

#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/use_future.hpp>

#include "test_server.hpp"

#include <chrono>
#include <iostream>

namespace asio = boost::asio;
using namespace std::chrono_literals;
using namespace asio::experimental::awaitable_operators;

httpx::awaitable<int> tour(httpx::testing::TestServer& server) {
    httpx::AsyncClient client;
    auto executor = co_await asio::this_coro::executor;
    const httpx::URL slow = server.url("/slow?ms=5000");
    int ok = 0;

    // `||`: the timer wins, the request is cancelled (its connection is closed, not pooled).
    asio::steady_timer timer(executor, 100ms);
    auto first = co_await (client.get(slow) || timer.async_wait(asio::use_awaitable));
    std::cout << "||: "
              << (first.index() == 1 ? "the timer won, the request was cancelled\n"
                                     : "the request won?\n");
    ok += first.index() == 1;

    // bind_cancellation_slot: the request ends with operation_aborted when the signal is
    // emitted (here by a timer; any code on the same executor may emit it).
    asio::cancellation_signal signal;
    asio::steady_timer trigger(executor, 100ms);
    trigger.async_wait([&](boost::system::error_code ec) {
        if (!ec) signal.emit(asio::cancellation_type::terminal);
    });
    try {
        co_await asio::co_spawn(executor, client.get(slow),
                                asio::bind_cancellation_slot(signal.slot(), asio::use_awaitable));
    } catch (const boost::system::system_error& e) {
        std::cout << "bind_cancellation_slot: " << e.what() << "\n";
        ok += e.code() == asio::error::operation_aborted;
    }

    // A timeout is not a cancellation: it raises httpx's exception.
    httpx::RequestOptions options;
    options.timeout = httpx::Timeout(10s, {.read = 100ms});
    try {
        co_await client.get(slow, options);
    } catch (const httpx::ReadTimeout& e) {
        std::cout << "timeout: ReadTimeout: " << e.what() << "\n";
        ++ok;
    }

    // The client is as good as new.
    httpx::Response r = co_await client.get(server.url("/"));
    std::cout << "afterwards: " << r << "\n";
    ok += r.is_success();
    co_return ok;
}

int main() {
    httpx::testing::TestServer server;
    server.start();
    asio::io_context io;
    auto ok = asio::co_spawn(io, tour(server), asio::use_future);
    io.run();
    return ok.get() == 4 ? 0 : 1;
}
