// Requests without co_await: `asio::co_spawn(executor, client.get(url), token)` completes with
// `void(std::exception_ptr, httpx::Response)`, and any Asio completion token takes it: a
// callback, asio::use_future, asio::yield_context (stackful coroutines), asio::deferred.
// Runs against the bundled test server, started in-process.
#include <httpx/completion.hpp>  // yield_context and `co_await` of deferred, with Boost 1.81
#include <httpx/httpx.hpp>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/deferred.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/spawn.hpp>
#include <boost/asio/use_future.hpp>

#include "test_server.hpp"

#include <future>
#include <iostream>
#include <thread>

namespace asio = boost::asio;

int main() {
    httpx::testing::TestServer server;
    server.start();
    asio::io_context io;
    httpx::AsyncClient client;
    int ok = 0;

    // A callback: the exception (or null) and the response.
    asio::co_spawn(io, client.get(server.url("/")),
                   [&](std::exception_ptr error, httpx::Response r) {
                       if (error) return;
                       std::cout << "callback:      " << r << "\n";
                       ++ok;
                   });
    io.run();

    // asio::use_future: a thread that does not run the io_context waits for the response.
    {
        io.restart();
        auto work = asio::make_work_guard(io);
        std::jthread runner([&io] { io.run(); });
        std::future<httpx::Response> future =
            asio::co_spawn(io, client.get(server.url("/")), asio::use_future);
        httpx::Response r = future.get();  // rethrows the request's exception, if any
        std::cout << "use_future:    " << r << "\n";
        ok += r.is_success();
        work.reset();
    }

    // asio::yield_context: a stackful coroutine (Boost.Context) that reads like blocking code;
    // failures are thrown at the call, as with co_await.
    io.restart();
    asio::spawn(
        io,
        [&](asio::yield_context yield) {
            httpx::Response r = asio::co_spawn(io, client.get(server.url("/")), yield);
            std::cout << "yield_context: " << r << "\n";
            ok += r.is_success();
            try {
                asio::co_spawn(io, client.get("http://127.0.0.1:1/"), yield);  // nobody listens
            } catch (const httpx::ConnectError& e) {
                std::cout << "yield_context: ConnectError: " << e.what() << "\n";
                ++ok;
            }
        },
        asio::detached);
    io.run();

    // asio::deferred: an operation described now and launched later, with any token; or
    // co_awaited (parallel groups take deferred operations too).
    io.restart();
    auto later = asio::co_spawn(io, client.get(server.url("/")), asio::deferred);
    std::move(later)([&](std::exception_ptr error, httpx::Response r) {
        if (error) return;
        std::cout << "deferred:      " << r << " (launched with a callback)\n";
        ++ok;
    });
    asio::co_spawn(
        io,
        [&]() -> httpx::awaitable<void> {
            httpx::Response r =
                co_await asio::co_spawn(io, client.get(server.url("/")), asio::deferred);
            std::cout << "deferred:      " << r << " (co_awaited)\n";
            ok += r.is_success();
        },
        asio::detached);
    io.run();

    std::cout << ok << "/6 as expected\n";
    return ok == 6 ? 0 : 1;
}
