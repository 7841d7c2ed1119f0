// One client shared by coroutines on a multi-threaded executor, against the local test server:
// the pool, connections and responses are used from several threads at once. Named "*Thread*"
// so that `make tsan` runs it under ThreadSanitizer (label `threads`).
#include <gtest/gtest.h>

#include "httpx/httpx.hpp"
#include "plain_and_tls_servers.hpp"
#include "test_server.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/asio/use_future.hpp>

#include <atomic>
#include <future>
#include <random>
#include <string>
#include <vector>

namespace asio = boost::asio;
using namespace std::chrono_literals;
using httpx::testing::TestServer;

namespace {

// A mix of exchanges: plain, chunked, gzip, a streamed upload echoed back. Returns how many
// gave the right answer.
httpx::awaitable<int> worker(httpx::AsyncClient& client, const TestServer& server, int id,
                             int rounds) {
    int ok = 0;
    for (int i = 0; i < rounds; ++i) {
        switch ((id + i) % 4) {
            case 0: {
                httpx::Response r = co_await client.get(server.url("/"));
                ok += r.text() == "Hello, world!";
                break;
            }
            case 1: {
                httpx::Response r = co_await client.get(server.url("/stream/20000?chunk=999"));
                ok += r.content() == httpx::testing::pattern(0, 20000);
                break;
            }
            case 2: {
                httpx::Response r = co_await client.get(server.url("/gzip?n=5000"));
                ok += r.content() == httpx::testing::pattern(0, 5000);
                break;
            }
            case 3: {
                httpx::RequestOptions options;
                options.content = std::string(3000, static_cast<char>('a' + id % 26));
                httpx::Response r = co_await client.post(server.url("/echo"), options);
                ok += r.content() == std::string(3000, static_cast<char>('a' + id % 26));
                break;
            }
        }
    }
    co_return ok;
}

TEST(ClientOnThreads, OneClientSharedByCoroutinesOnAFourThreadPool) {
    TestServer server;
    server.start();
    asio::thread_pool pool(4);  // outlives the client: its sockets were opened on it
    {
        auto transport = std::make_shared<httpx::AsyncHTTPTransport>(
            httpx::HTTPTransportOptions{.limits = {.max_connections = 6}});
        httpx::ClientOptions options;
        options.transport = transport;
        options.timeout = httpx::Timeout(30s);
        httpx::AsyncClient client(std::move(options));
        std::vector<std::future<int>> results;
        constexpr int kWorkers = 16, kRounds = 12;
        for (int w = 0; w < kWorkers; ++w) {
            results.push_back(
                asio::co_spawn(pool, worker(client, server, w, kRounds), asio::use_future));
        }
        int ok = 0;
        for (auto& result : results) ok += result.get();
        EXPECT_EQ(ok, kWorkers * kRounds);
        const auto stats = transport->pool_stats();
        EXPECT_LE(stats.connections, 6u);
        EXPECT_EQ(stats.connections, stats.idle);
        EXPECT_EQ(stats.waiting, 0u);
    }
    pool.join();
}

// Timeouts that fire while other coroutines run on other threads: the timer's completion
// cancels the read from whichever thread it completes on.
httpx::awaitable<int> time_out(httpx::AsyncClient& client, const TestServer& server, int rounds) {
    int timed_out = 0;
    httpx::RequestOptions options;
    options.timeout = httpx::Timeout(10s, {.read = 20ms});
    for (int i = 0; i < rounds; ++i) {
        try {
            co_await client.get(server.url("/slow?ms=300"), options);
        } catch (const httpx::ReadTimeout&) {
            ++timed_out;
        }
        httpx::Response r = co_await client.get(server.url("/"));
        timed_out += r.status_code() == 200 ? 0 : 1000;  // a wrong answer spoils the count
    }
    co_return timed_out;
}

TEST(ClientOnThreads, TimeoutsFiringOnAFourThreadPoolLeaveThePoolConsistent) {
    TestServer server;
    server.start();
    asio::thread_pool pool(4);
    {
        auto transport = std::make_shared<httpx::AsyncHTTPTransport>();
        httpx::ClientOptions options;
        options.transport = transport;
        httpx::AsyncClient client(std::move(options));
        std::vector<std::future<int>> results;
        constexpr int kWorkers = 12, kRounds = 4;
        for (int w = 0; w < kWorkers; ++w) {
            results.push_back(
                asio::co_spawn(pool, time_out(client, server, kRounds), asio::use_future));
        }
        int timed_out = 0;
        for (auto& result : results) timed_out += result.get();
        EXPECT_EQ(timed_out, kWorkers * kRounds);
        const auto stats = transport->pool_stats();
        EXPECT_EQ(stats.connections, stats.idle);
        EXPECT_EQ(stats.waiting, 0u);
    }
    pool.join();
}

// Connect timeouts (they cover the TCP connect and the TLS handshake) about as long as a
// connect takes, on a 4-thread pool without strands: the timer and the connect complete at
// nearly the same time on different threads, and whichever comes first cancels the other.
// Each request opens a new connection (no keep-alive). Every request ends in a response or a
// ConnectTimeout; under TSan (`make tsan`) nothing races.
httpx::awaitable<void> connect_racing_its_timeout(httpx::AsyncClient& client, std::string url,
                                                  unsigned seed, int rounds,
                                                  std::atomic<int>& connected,
                                                  std::atomic<int>& timed_out) {
    std::mt19937 random(seed);
    for (int i = 0; i < rounds; ++i) {
        // 1 us to 4 ms (roughly log-uniform), and now and then a limit that never fires.
        const auto limit = i % 8 == 7 ? std::chrono::microseconds(10s)
                                      : std::chrono::microseconds(1 << random() % 13);
        httpx::RequestOptions options;
        options.timeout = httpx::Timeout(10s, {.connect = limit});
        try {
            httpx::Response r = co_await client.get(url, options);
            if (r.text() == "Hello, world!") ++connected;
        } catch (const httpx::ConnectTimeout&) {
            ++timed_out;
        }
    }
}

TEST(ClientOnThreads, ConnectTimeoutsFiringAsConnectsCompleteOnAFourThreadPool) {
    httpx::test::PlainAndTlsServers servers("connect-race");
    asio::thread_pool pool(4);
    {
        httpx::HTTPTransportOptions transport_options;
        transport_options.verify = servers.certs.ca_cert;
        transport_options.limits.max_keepalive_connections = 0;  // a new connection each time
        auto transport = std::make_shared<httpx::AsyncHTTPTransport>(transport_options);
        httpx::ClientOptions options;
        options.transport = transport;
        httpx::AsyncClient client(std::move(options));
        std::atomic<int> connected{0}, timed_out{0};
        std::vector<std::future<void>> results;
        constexpr int kWorkers = 16, kRounds = 24;
        for (int w = 0; w < kWorkers; ++w) {
            const std::string url = (w % 2 ? servers.tls_origin() : servers.plain.origin()) + "/";
            results.push_back(
                asio::co_spawn(pool,
                               connect_racing_its_timeout(client, url, static_cast<unsigned>(w + 1),
                                                          kRounds, connected, timed_out),
                               asio::use_future));
        }
        for (auto& result : results) result.get();  // rethrows any other exception
        EXPECT_EQ(connected + timed_out, kWorkers * kRounds);
        EXPECT_GT(connected, 0);
        EXPECT_GT(timed_out, 0);
        const auto stats = transport->pool_stats();
        EXPECT_EQ(stats.connections, stats.idle);
        EXPECT_EQ(stats.waiting, 0u);
    }
    pool.join();
}

}  // namespace
