// Every async environment a C++ program may run the client in, against the local test server
// (API.md, "Async environments"): the executors (a single-threaded io_context, a
// multi-threaded one, asio::thread_pool, a strand, and one client shared between them), and
// the completion tokens of `asio::co_spawn(ex, client.get(url), token)` (callback, use_future,
// yield_context, deferred), each also cancelled through asio::bind_cancellation_slot. Tests
// named "*Thread*" run under TSan too (`make tsan`).
#include <gtest/gtest.h>

#include "fiber_sanitizer.hpp"
#include "httpx/completion.hpp"
#include "httpx/httpx.hpp"
#include "test_server.hpp"

#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/deferred.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/spawn.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/use_future.hpp>

#include <atomic>
#include <future>
#include <string>
#include <thread>
#include <vector>

namespace asio = boost::asio;
using namespace std::chrono_literals;
using httpx::testing::TestServer;

namespace {

// `rounds` requests in a row, of three kinds; returns how many came back right.
httpx::awaitable<int> fetch(httpx::AsyncClient& client, const TestServer& server, int rounds) {
    int ok = 0;
    for (int i = 0; i < rounds; ++i) {
        if (i % 3 == 0) {
            httpx::Response r = co_await client.get(server.url("/"));
            ok += r.text() == "Hello, world!";
        } else if (i % 3 == 1) {
            httpx::Response r = co_await client.get(server.url("/stream/20000?chunk=999"));
            ok += r.content() == httpx::testing::pattern(0, 20000);
        } else {
            httpx::RequestOptions options;
            options.content = std::string(5000, 'e');
            httpx::Response r = co_await client.post(server.url("/echo"), options);
            ok += r.content() == std::string(5000, 'e');
        }
    }
    co_return ok;
}

int sum(std::vector<std::future<int>>& results) {
    int total = 0;
    for (auto& result : results) total += result.get();
    return total;
}

std::shared_ptr<httpx::AsyncHTTPTransport> make_transport() {
    httpx::HTTPTransportOptions options;
    options.limits.max_connections = 4;  // fewer than the coroutines: they also queue
    return std::make_shared<httpx::AsyncHTTPTransport>(options);
}

httpx::ClientOptions client_options(std::shared_ptr<httpx::AsyncHTTPTransport> transport) {
    httpx::ClientOptions options;
    options.transport = std::move(transport);
    options.timeout = httpx::Timeout(30s);
    return options;
}

void expect_pool_settled(const httpx::AsyncHTTPTransport& transport) {
    const auto stats = transport.pool_stats();
    EXPECT_LE(stats.connections, 4u);
    EXPECT_EQ(stats.connections, stats.idle);
    EXPECT_EQ(stats.waiting, 0u);
}

constexpr int kCoroutines = 8, kRounds = 9;

struct AsyncEnvironments : ::testing::Test {
    TestServer server;
    void SetUp() override { server.start(); }
};

TEST_F(AsyncEnvironments, SingleThreadedIoContext) {
    asio::io_context io;  // outlives the client: its sockets were opened on it
    auto transport = make_transport();
    httpx::AsyncClient client(client_options(transport));
    std::vector<std::future<int>> results;
    for (int i = 0; i < kCoroutines; ++i)
        results.push_back(asio::co_spawn(io, fetch(client, server, kRounds), asio::use_future));
    io.run();
    EXPECT_EQ(sum(results), kCoroutines * kRounds);
    expect_pool_settled(*transport);
}

TEST_F(AsyncEnvironments, MultiThreadedIoContext) {
    asio::io_context io(4);
    auto transport = make_transport();
    httpx::AsyncClient client(client_options(transport));
    std::vector<std::future<int>> results;
    for (int i = 0; i < kCoroutines; ++i)
        results.push_back(asio::co_spawn(io, fetch(client, server, kRounds), asio::use_future));
    std::vector<std::thread> threads;
    for (int i = 0; i < 4; ++i) threads.emplace_back([&io] { io.run(); });
    for (auto& t : threads) t.join();
    EXPECT_EQ(sum(results), kCoroutines * kRounds);
    expect_pool_settled(*transport);
}

TEST_F(AsyncEnvironments, ThreadPool) {
    asio::thread_pool pool(4);
    {
        auto transport = make_transport();
        httpx::AsyncClient client(client_options(transport));
        std::vector<std::future<int>> results;
        for (int i = 0; i < kCoroutines; ++i)
            results.push_back(
                asio::co_spawn(pool, fetch(client, server, kRounds), asio::use_future));
        EXPECT_EQ(sum(results), kCoroutines * kRounds);
        expect_pool_settled(*transport);
    }
    pool.join();
}

TEST_F(AsyncEnvironments, StrandOfAThreadPool) {
    // Coroutines on one strand of a 4-thread pool: never two at once, so they share `done`
    // without a lock; the client's connections do their I/O on the pool's threads.
    asio::thread_pool pool(4);
    {
        auto strand = asio::make_strand(pool);
        auto transport = make_transport();
        httpx::AsyncClient client(client_options(transport));
        int done = 0;
        auto counted = [&]() -> httpx::awaitable<int> {
            const int ok = co_await fetch(client, server, kRounds);
            done += ok;
            co_return ok;
        };
        std::vector<std::future<int>> results;
        for (int i = 0; i < kCoroutines; ++i)
            results.push_back(asio::co_spawn(strand, counted(), asio::use_future));
        EXPECT_EQ(sum(results), kCoroutines * kRounds);
        EXPECT_EQ(done, kCoroutines * kRounds);
        expect_pool_settled(*transport);
    }
    pool.join();
}

TEST_F(AsyncEnvironments, OneClientSharedByAnIoContextThreadAndAThreadPool) {
    // The same pool serves coroutines of two executors at once: a connection opened for one
    // carries the other's next request (its socket stays on the first executor).
    asio::io_context io;
    asio::thread_pool pool(3);
    {
        auto transport = make_transport();
        httpx::AsyncClient client(client_options(transport));
        std::vector<std::future<int>> results;
        for (int i = 0; i < kCoroutines; ++i) {
            if (i % 2)
                results.push_back(
                    asio::co_spawn(io, fetch(client, server, kRounds), asio::use_future));
            else
                results.push_back(
                    asio::co_spawn(pool, fetch(client, server, kRounds), asio::use_future));
        }
        auto work = asio::make_work_guard(io);  // until the pool's coroutines are done too
        std::thread io_thread([&io] { io.run(); });
        EXPECT_EQ(sum(results), kCoroutines * kRounds);
        expect_pool_settled(*transport);
        work.reset();
        io_thread.join();
    }
    pool.join();
}

// --- Completion tokens against the server, each also cancelled through a bound slot ---

bool is_operation_aborted(const std::exception_ptr& error) {
    try {
        std::rethrow_exception(error);
    } catch (const boost::system::system_error& e) {
        return e.code() == asio::error::operation_aborted;
    } catch (const std::exception& e) {
        ADD_FAILURE() << "the cancelled request ended with: " << e.what();
        return false;
    } catch (...) {
        return false;
    }
}

struct Tokens : AsyncEnvironments {
    asio::io_context io;
    std::shared_ptr<httpx::AsyncHTTPTransport> transport = make_transport();
    httpx::AsyncClient client{client_options(transport)};
    asio::cancellation_signal signal;

    // Emits the cancellation once the server has seen `count` requests (the last one the
    // request to cancel, which never gets an answer), from the io_context's thread.
    void cancel_when_served(std::uint64_t count) {
        asio::co_spawn(
            io,
            [this, count]() -> httpx::awaitable<void> {
                asio::steady_timer timer(io);
                while (server.requests_served() < count) {
                    timer.expires_after(1ms);
                    co_await timer.async_wait(asio::use_awaitable);
                }
                signal.emit(asio::cancellation_type::terminal);
            },
            asio::detached);
    }

    // A response that takes half a minute: its body trickles (the server notices at its next
    // write that the client closed the connection).
    std::string stall() const { return server.url("/drip?chunks=600&ms=50&size=1"); }

    // No connection leaked: the server sees only the pooled ones open, once it has noticed
    // the cancelled request's connection close.
    void TearDown() override {
        expect_pool_settled(*transport);
        const auto pooled = transport->pool_stats().connections;
        io.restart();
        asio::co_spawn(
            io,
            [&]() -> httpx::awaitable<void> {
                asio::steady_timer timer(io);
                for (int i = 0; i < 1000 && server.open_connections() != pooled; ++i) {
                    timer.expires_after(5ms);
                    co_await timer.async_wait(asio::use_awaitable);
                }
            },
            asio::detached);
        io.run();
        EXPECT_EQ(server.open_connections(), pooled);
    }
};

TEST_F(Tokens, Callback) {
    std::string text;
    std::exception_ptr cancelled;
    asio::co_spawn(io, client.get(server.url("/")),
                   [&](std::exception_ptr, httpx::Response r) { text = r.text(); });
    cancel_when_served(2);  // "/", then the stalled one
    asio::co_spawn(
        io, client.get(stall()),
        asio::bind_cancellation_slot(
            signal.slot(), [&](std::exception_ptr e, httpx::Response) { cancelled = e; }));
    io.run();
    EXPECT_EQ(text, "Hello, world!");
    EXPECT_TRUE(is_operation_aborted(cancelled));
}

TEST_F(Tokens, UseFuture) {
    // Futures waited for from another thread than the io_context's.
    auto work = asio::make_work_guard(io);
    std::thread runner([this] { io.run(); });
    auto ok = asio::co_spawn(io, client.get(server.url("/")), asio::use_future);
    EXPECT_EQ(ok.get().text(), "Hello, world!");
    auto stalled = asio::co_spawn(io, client.get(stall()),
                                  asio::bind_cancellation_slot(signal.slot(), asio::use_future));
    cancel_when_served(2);
    try {
        stalled.get();
        ADD_FAILURE() << "not cancelled";
    } catch (...) {
        EXPECT_TRUE(is_operation_aborted(std::current_exception()));
    }
    work.reset();
    runner.join();
}

TEST_F(Tokens, YieldContext) {
    if (!httpx::test::kSanitizerFollowsFibers) GTEST_SKIP() << "see fiber_sanitizer.hpp";
    std::string text;
    std::exception_ptr cancelled, refused;
    asio::spawn(
        io,
        [&](asio::yield_context yield) {
            text = asio::co_spawn(io, client.get(server.url("/")), yield).text();
            try {
                asio::co_spawn(io, client.get("http://127.0.0.1:1/"), yield);
            } catch (...) {
                refused = std::current_exception();
            }
            cancel_when_served(2);  // "/" and the stalled one (the refused one never came)
            try {
                asio::co_spawn(io, client.get(stall()),
                               asio::bind_cancellation_slot(signal.slot(), yield));
            } catch (...) {
                cancelled = std::current_exception();
            }
        },
        asio::detached);
    io.run();
    EXPECT_EQ(text, "Hello, world!");
    ASSERT_TRUE(refused);
    EXPECT_THROW(std::rethrow_exception(refused), httpx::ConnectError);
    ASSERT_TRUE(cancelled);
    EXPECT_TRUE(is_operation_aborted(cancelled));
}

TEST_F(Tokens, Deferred) {
    auto task = [&]() -> httpx::awaitable<void> {
        httpx::Response r =
            co_await asio::co_spawn(io, client.get(server.url("/")), asio::deferred);
        EXPECT_EQ(r.text(), "Hello, world!");
        // A deferred operation takes its slot with the token that launches it.
        auto stalled = asio::co_spawn(io, client.get(stall()), asio::deferred);
        cancel_when_served(2);
        try {
            co_await std::move(stalled)(
                asio::bind_cancellation_slot(signal.slot(), asio::use_awaitable));
            ADD_FAILURE() << "not cancelled";
        } catch (...) {
            EXPECT_TRUE(is_operation_aborted(std::current_exception()));
        }
    };
    auto done = asio::co_spawn(io, task(), asio::use_future);
    io.run();
    done.get();
}

// --- Mixed use under TSan ---

// Under ASan and TSan the stackful part is left out (fiber_sanitizer.hpp).

// One AsyncClient shared, on a 4-thread pool, by coroutines, stackful coroutines
// (yield_context), callback chains and deferred operations, all making requests at once, while
// plain threads share one blocking httpx::Client against the same server.
TEST(MixedUseOnThreads, OneAsyncClientSharedByEveryTokenOnAFourThreadPool) {
    TestServer server;
    server.start();
    asio::thread_pool pool(4);
    {
        auto transport = make_transport();
        httpx::AsyncClient client(client_options(transport));
        std::atomic<int> ok{0};
        constexpr int kEach = 4, kRequests = 12;
        std::vector<std::future<int>> coroutines;
        for (int i = 0; i < kEach; ++i)
            coroutines.push_back(
                asio::co_spawn(pool, fetch(client, server, kRequests), asio::use_future));
        std::vector<std::future<void>> others;
        const int fibers = httpx::test::kSanitizerFollowsFibers ? kEach : 0;
        for (int i = 0; i < fibers; ++i) {
            std::promise<void> done;
            others.push_back(done.get_future());
            asio::spawn(
                pool,
                [&, done = std::move(done)](asio::yield_context yield) mutable {
                    for (int n = 0; n < kRequests; ++n) {
                        httpx::Response r =
                            asio::co_spawn(pool, client.get(server.url("/")), yield);
                        ok += r.text() == "Hello, world!";
                    }
                    done.set_value();
                },
                asio::detached);
        }
        // Callback chains: each completion starts the next request.
        struct Chain {
            httpx::AsyncClient& client;
            const TestServer& server;
            asio::thread_pool& pool;
            std::atomic<int>& ok;
            int left;
            std::promise<void> done;
            static void next(std::shared_ptr<Chain> self) {
                if (self->left-- == 0) return self->done.set_value();
                asio::co_spawn(self->pool, self->client.get(self->server.url("/")),
                               [self](std::exception_ptr error, httpx::Response r) {
                                   if (!error) self->ok += r.text() == "Hello, world!";
                                   next(self);
                               });
            }
        };
        for (int i = 0; i < kEach; ++i) {
            auto chain = std::make_shared<Chain>(
                Chain{client, server, pool, ok, kRequests, std::promise<void>()});
            others.push_back(chain->done.get_future());
            Chain::next(chain);
        }
        // A coroutine lambda's captures live in the closure, not in the coroutine's frame: the
        // closure must outlive every coroutine it starts.
        auto deferred = [&]() -> httpx::awaitable<void> {
            for (int n = 0; n < kRequests; ++n) {
                httpx::Response r =
                    co_await asio::co_spawn(pool, client.get(server.url("/")), asio::deferred);
                ok += r.text() == "Hello, world!";
            }
        };
        for (int i = 0; i < kEach; ++i)
            others.push_back(asio::co_spawn(pool, deferred(), asio::use_future));
        // Plain threads sharing one sync Client meanwhile (its own private loop and pool).
        httpx::Client sync_client;
        std::atomic<int> sync_ok{0};
        std::vector<std::thread> threads;
        for (int i = 0; i < kEach; ++i)
            threads.emplace_back([&] {
                for (int n = 0; n < kRequests; ++n)
                    sync_ok += sync_client.get(server.url("/")).text() == "Hello, world!";
            });
        const int coroutine_ok = sum(coroutines);
        for (auto& f : others) f.get();
        for (auto& t : threads) t.join();
        EXPECT_EQ(coroutine_ok + ok, (3 * kEach + fibers) * kRequests);
        EXPECT_EQ(sync_ok, kEach * kRequests);
        expect_pool_settled(*transport);
    }
    pool.join();
}

}  // namespace
