// Cancellation torture: thousands of requests, 64 in flight against a pool of 32 connections,
// each cancelled the way a user would (a timer racing it in a parallel_group, a cancellation
// signal, `||`) at a random moment: waiting in the pool queue, connecting, in the TLS
// handshake, uploading, waiting for the head, reading the body, or not at all. Afterwards the
// client must still serve max_connections requests at once, hold no slot and leak nothing.
//
// 1,000 requests by default; HTTPXX_TORTURE_REQUESTS=10000 runs the full torture. The
// MultiThreaded suite runs the same on a 4-thread io_context (ctest label `threads`, for TSan).
#include <gtest/gtest.h>

#include "httpx/httpx.hpp"
#include "plain_and_tls_servers.hpp"
#include "test_certificates.hpp"
#include "test_server.hpp"

#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/deferred.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/experimental/parallel_group.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/use_future.hpp>

#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <random>
#include <thread>

namespace asio = boost::asio;
using namespace std::chrono_literals;
using httpx::testing::TestServer;

namespace {

constexpr std::size_t kInFlight = 64;
constexpr std::size_t kMaxConnections = 32;  // below kInFlight: requests also wait in the pool

std::size_t torture_requests() {
    const char* env = std::getenv("HTTPXX_TORTURE_REQUESTS");
    return env ? std::strtoul(env, nullptr, 10) : 1000;
}

struct Servers : httpx::test::PlainAndTlsServers {
    Servers() : PlainAndTlsServers("torture") {}
};

// What the requests of one run came to.
struct Tally {
    std::atomic<std::size_t> next{0};  // the next request to start
    std::atomic<std::size_t> succeeded{0}, cancelled{0}, failed_uncancelled{0}, wrong{0};
    std::atomic<std::size_t> never_cancelled{0};  // requests run without any cancellation
};

httpx::AsyncGenerator<httpx::Bytes> slow_upload(int chunks) {
    for (int i = 0; i < chunks; ++i) {
        co_await httpx::sleep(1ms);
        co_yield httpx::Bytes(4096, 'u');
    }
}

// One exchange as a user writes it; returns whether what came back is right.
httpx::awaitable<bool> exchange(httpx::AsyncClient& client, const Servers& servers, int kind,
                                std::size_t size) {
    const std::string plain = servers.plain.origin();
    switch (kind) {
        case 0: {  // a body read in one go
            httpx::Response r = co_await client.get(plain + "/bytes/" + std::to_string(size));
            co_return r.content() == httpx::testing::pattern(0, size);
        }
        case 1: {  // a slow head
            httpx::Response r =
                co_await client.get(plain + "/slow?ms=" + std::to_string(size % 20));
            co_return r.text() == "Hello, world!";
        }
        case 2: {  // a body that trickles in, streamed
            httpx::Response r =
                co_await client.stream("GET", plain + "/drip?chunks=4&ms=2&size=500");
            std::size_t total = 0;
            auto chunks = r.aiter_bytes();
            while (auto chunk = co_await chunks.next()) total += chunk->size();
            co_return total == 2000;
        }
        case 3: {  // a streamed upload
            httpx::RequestOptions upload;
            upload.content = httpx::AsyncByteStream(slow_upload(static_cast<int>(size % 8)));
            httpx::Response r = co_await client.post(plain + "/upload", upload);
            co_return r.json()["bytes"] == 4096 * (size % 8);
        }
        case 4: {  // TLS: connect and handshake whenever no idle connection is left
            httpx::Response r = co_await client.get(servers.tls_origin() + "/bytes/" +
                                                    std::to_string(size % 50000));
            co_return r.content() == httpx::testing::pattern(0, size % 50000);
        }
        default: {  // a streamed response closed after its first chunk: never reused half-read
            httpx::Response r = co_await client.stream("GET", plain + "/bytes/300000");
            auto chunks = r.aiter_bytes();
            auto first = co_await chunks.next();
            co_await r.aclose();
            co_return first && !first->empty();
        }
    }
}

void count(Tally& tally, bool cancelled, std::exception_ptr error, bool right) {
    if (!error) {
        ++(right ? tally.succeeded : tally.wrong);
    } else if (cancelled) {
        ++tally.cancelled;
    } else {
        ++tally.failed_uncancelled;
        try {
            std::rethrow_exception(error);
        } catch (const std::exception& e) {
            ADD_FAILURE() << "an uncancelled request failed: " << e.what();
        }
    }
}

// One of 64 workers: takes requests until `total` have started.
httpx::awaitable<void> worker(httpx::AsyncClient& client, const Servers& servers, Tally& tally,
                              std::size_t total, unsigned seed, bool cancel) {
    using namespace asio::experimental::awaitable_operators;
    std::mt19937 random(seed);
    auto executor = co_await asio::this_coro::executor;
    while (tally.next++ < total) {
        const int kind = static_cast<int>(random() % 6);
        const std::size_t size = random() % 100000;
        // No cancellation for a quarter; otherwise after 0 to 30 ms (a few microseconds to
        // catch the pool queue and the connect, longer for the head, the body and uploads).
        const int style = cancel ? static_cast<int>(random() % 4) : 0;
        const auto delay =
            std::chrono::microseconds(random() % 2 ? random() % 500 : random() % 30000);
        if (style == 0) {
            ++tally.never_cancelled;
            std::exception_ptr error;
            bool right = false;
            try {
                right = co_await exchange(client, servers, kind, size);
            } catch (...) {
                error = std::current_exception();
            }
            count(tally, false, error, right);
        } else if (style == 1) {  // a timer racing the request in a parallel_group
            asio::steady_timer timer(executor, delay);
            auto [order, error, right, timer_ec] =
                co_await asio::experimental::make_parallel_group(
                    asio::co_spawn(executor, exchange(client, servers, kind, size), asio::deferred),
                    timer.async_wait(asio::deferred))
                    .async_wait(asio::experimental::wait_for_one(), asio::use_awaitable);
            count(tally, order[0] == 1, error, right);
        } else if (style == 2) {  // a cancellation signal emitted by a timer
            struct Canceller {
                asio::cancellation_signal signal;
                bool emitted = false;
            };
            auto canceller = std::make_shared<Canceller>();
            asio::steady_timer timer(executor, delay);
            timer.async_wait([canceller](boost::system::error_code ec) {
                if (ec) return;
                canceller->emitted = true;
                canceller->signal.emit(asio::cancellation_type::terminal);
            });
            std::exception_ptr error;
            bool right = false;
            try {
                right = co_await asio::co_spawn(
                    executor, exchange(client, servers, kind, size),
                    asio::bind_cancellation_slot(canceller->signal.slot(), asio::use_awaitable));
            } catch (...) {
                error = std::current_exception();
            }
            timer.cancel();
            count(tally, canceller->emitted, error, right);
        } else {  // the awaitable operator a user reaches for first
            asio::steady_timer timer(executor, delay);
            auto result = co_await (exchange(client, servers, kind, size) ||
                                    timer.async_wait(asio::use_awaitable));
            if (result.index() == 0)
                count(tally, false, nullptr, std::get<0>(result));
            else
                ++tally.cancelled;
        }
    }
}

// Holds `n` streamed responses open at once: each needs its own connection.
httpx::awaitable<std::size_t> hold_connections(httpx::AsyncClient& client, std::string url,
                                               std::size_t n) {
    std::vector<httpx::Response> held;
    for (std::size_t i = 0; i < n; ++i) held.push_back(co_await client.stream("GET", url));
    std::size_t ok = 0;
    for (auto& r : held) {
        co_await r.aread();
        ok += r.content() == httpx::testing::pattern(0, 1000);
    }
    co_return ok;
}

std::size_t open_file_descriptors() {
    return static_cast<std::size_t>(
        std::distance(std::filesystem::directory_iterator("/proc/self/fd"),
                      std::filesystem::directory_iterator{}));
}

template <class T>
T run_on(asio::io_context& io, asio::awaitable<T> task, int threads) {
    io.restart();
    auto future = asio::co_spawn(io, std::move(task), asio::use_future);
    std::vector<std::thread> pool;
    for (int i = 1; i < threads; ++i) pool.emplace_back([&io] { io.run(); });
    io.run();
    for (auto& t : pool) t.join();
    return future.get();
}

// How the workers run: each on its own strand and racing cancellations against its requests
// (the supported model for cancellation on several threads: a coroutine and what races it
// share a strand), or on the bare io_context executor without user cancellation (the library
// alone must be thread-safe there).
enum class Workers { strands_with_cancellation, bare_executor_no_cancellation };

void torture_client(asio::io_context& io, const Servers& servers, int threads, Workers workers);

void torture(int threads, Workers workers = Workers::strands_with_cancellation) {
    Servers servers;
    const std::size_t fds_before = open_file_descriptors();
    {
        asio::io_context io(threads);  // outlives the client
        torture_client(io, servers, threads, workers);
    }
    // Every socket the client opened is closed: the servers see each connection go, and the
    // process holds the descriptors it held before.
    for (int i = 0;
         i < 500 && servers.plain.open_connections() + servers.tls->open_connections() > 0; ++i)
        std::this_thread::sleep_for(10ms);
    EXPECT_EQ(servers.plain.open_connections() + servers.tls->open_connections(), 0u);
    EXPECT_EQ(open_file_descriptors(), fds_before);
}

void torture_client(asio::io_context& io, const Servers& servers, int threads, Workers mode) {
    httpx::HTTPTransportOptions transport_options;
    transport_options.verify = servers.certs.ca_cert;
    transport_options.limits.max_connections = kMaxConnections;
    transport_options.limits.max_keepalive_connections = kMaxConnections;
    auto transport = std::make_shared<httpx::AsyncHTTPTransport>(transport_options);
    httpx::ClientOptions options;
    options.transport = transport;
    options.timeout = httpx::Timeout(30s, {.pool = 5s});  // a leaked slot ends in PoolTimeout
    httpx::AsyncClient client(options);

    const std::size_t total = torture_requests();
    Tally tally;
    {
        // The client is shared by all workers.
        io.restart();
        const bool cancel = mode == Workers::strands_with_cancellation;
        std::vector<std::future<void>> workers;
        for (std::size_t i = 0; i < kInFlight; ++i) {
            auto task = worker(client, servers, tally, total, static_cast<unsigned>(i + 1), cancel);
            if (cancel)
                workers.push_back(
                    asio::co_spawn(asio::make_strand(io), std::move(task), asio::use_future));
            else
                workers.push_back(asio::co_spawn(io, std::move(task), asio::use_future));
        }
        std::vector<std::thread> pool;
        for (int i = 1; i < threads; ++i) pool.emplace_back([&io] { io.run(); });
        io.run();
        for (auto& t : pool) t.join();
        for (auto& w : workers) w.get();
    }
    std::cout << "torture: " << total << " requests on " << threads
              << " thread(s): " << tally.succeeded << " succeeded, " << tally.cancelled
              << " cancelled; "
              << servers.plain.connections_accepted() + servers.tls->connections_accepted()
              << " connections (" << servers.tls->connections_accepted() << " TLS), "
              << servers.plain.requests_served() + servers.tls->requests_served()
              << " requests reached the servers\n";
    EXPECT_EQ(tally.succeeded + tally.cancelled + tally.failed_uncancelled + tally.wrong, total);
    EXPECT_EQ(tally.failed_uncancelled, 0u);
    EXPECT_EQ(tally.wrong, 0u);
    if (mode == Workers::strands_with_cancellation) {
        EXPECT_GT(tally.cancelled, 0u);
    }
    EXPECT_GE(tally.succeeded, tally.never_cancelled);  // those all succeed, and some others

    // No slot held by a cancelled request, nobody waiting.
    auto stats = transport->pool_stats();
    EXPECT_EQ(stats.connections, stats.idle);
    EXPECT_EQ(stats.waiting, 0u);
    // Full concurrency again: max_connections streamed responses open at once (a leaked slot
    // would leave the last one waiting into its PoolTimeout), all read correctly.
    EXPECT_EQ(
        run_on(io, hold_connections(client, servers.plain.url("/bytes/1000"), kMaxConnections),
               threads),
        kMaxConnections);
    stats = transport->pool_stats();
    EXPECT_EQ(stats.connections, stats.idle);
    EXPECT_EQ(stats.waiting, 0u);
    // No socket lives outside the pool: the servers see exactly the pooled connections open.
    auto server_side = [&] {
        return servers.plain.open_connections() + servers.tls->open_connections();
    };
    for (int i = 0; i < 500 && server_side() != stats.connections; ++i)
        std::this_thread::sleep_for(10ms);
    EXPECT_EQ(server_side(), stats.connections);
}

TEST(CancellationTorture, RandomCancellationsLeaveThePoolConsistent) {
    torture(1);
}

TEST(MultiThreadedCancellationTorture, RandomCancellationsOnFourThreads) {
    torture(4);
}

TEST(MultiThreadedCancellationTorture, UnstrandedCoroutinesShareOneClientOnFourThreads) {
    torture(4, Workers::bare_executor_no_cancellation);
}

}  // namespace
