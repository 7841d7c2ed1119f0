// One httpx::AsyncClient on each kind of Asio executor: a single-threaded io_context, a
// multi-threaded one, an asio::thread_pool, and a strand. The client runs on the executor of
// whichever coroutine awaits it (no io_context argument), and one client may be shared by
// coroutines on several threads. Runs against the bundled test server, started in-process.
#include <httpx/httpx.hpp>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/asio/use_future.hpp>

#include "test_server.hpp"

#include <future>
#include <iostream>
#include <string>
#include <thread>
#include <vector>

namespace asio = boost::asio;

// Ten requests, one after the other; returns how many succeeded.
httpx::awaitable<int> fetch(httpx::AsyncClient& client, std::string url) {
    int ok = 0;
    for (int i = 0; i < 10; ++i) {
        httpx::Response r = co_await client.get(url);
        ok += r.is_success();
    }
    co_return ok;
}

// Waits for every result (from main(), a thread that runs none of the executors).
int total(std::vector<std::future<int>>& results) {
    int sum = 0;
    for (auto& result : results) sum += result.get();
    return sum;
}

int main() {
    httpx::testing::TestServer server;
    server.start();
    const std::string url = server.url("/");
    int failures = 0;
    auto report = [&](const char* executor, int ok, int expected) {
        std::cout << executor << ": " << ok << "/" << expected << " requests succeeded\n";
        failures += ok != expected;
    };

    {  // A single-threaded io_context: everything runs on the thread that calls run().
        asio::io_context io;  // declared before the client: the client's sockets live on it
        httpx::AsyncClient client;
        std::vector<std::future<int>> results;
        for (int i = 0; i < 4; ++i)
            results.push_back(asio::co_spawn(io, fetch(client, url), asio::use_future));
        io.run();
        report("io_context, one thread", total(results), 40);
    }

    {  // A multi-threaded io_context: four threads call run(); the client is shared by all.
        asio::io_context io(4);
        httpx::AsyncClient client;
        std::vector<std::future<int>> results;
        for (int i = 0; i < 8; ++i)
            results.push_back(asio::co_spawn(io, fetch(client, url), asio::use_future));
        std::vector<std::jthread> threads;
        for (int i = 0; i < 4; ++i) threads.emplace_back([&io] { io.run(); });
        threads.clear();  // joins: run() returns once every request is done
        report("io_context, four threads", total(results), 80);
    }

    {  // asio::thread_pool: its own threads; main() waits on the futures.
        asio::thread_pool pool(4);  // outlives the client
        httpx::AsyncClient client;
        std::vector<std::future<int>> results;
        for (int i = 0; i < 8; ++i)
            results.push_back(asio::co_spawn(pool, fetch(client, url), asio::use_future));
        report("thread_pool, four threads", total(results), 80);
    }

    {  // A strand of a thread pool: coroutines on one strand never run at the same time, so
       // they share `done` without a lock, while the pool's threads do the I/O.
        asio::thread_pool pool(4);
        auto strand = asio::make_strand(pool);
        httpx::AsyncClient client;
        int done = 0;  // touched only on the strand
        auto counted = [&]() -> httpx::awaitable<int> {
            int ok = co_await fetch(client, url);
            done += ok;
            co_return ok;
        };
        std::vector<std::future<int>> results;
        for (int i = 0; i < 4; ++i)
            results.push_back(asio::co_spawn(strand, counted(), asio::use_future));
        const int ok = total(results);
        report("strand of a thread pool", done == ok ? ok : -1, 40);
    }
    return failures == 0 ? 0 : 1;
}
