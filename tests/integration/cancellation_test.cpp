// A request cancelled by its caller in each phase (waiting for the pool, connecting, sending,
// waiting for the head, reading the body), over HTTP/1.1 and HTTP/2, in the two ways a user
// cancels: a cancellation slot bound to the token (`asio::bind_cancellation_slot`), and the
// awaitable operator `client.get(u) || other`. The request ends as Asio's own operations end,
// with system_error(operation_aborted), never as an httpx exception (API.md, "Async
// environments"); the pool keeps no slot, no stream stays open on the server, and the next
// request works. Each cancellation is emitted once the phase is reached (as the server or the
// pool reports it), not after a guessed delay.
#include <gtest/gtest.h>

#include "client_fixture.hpp"
#include "httpx/httpx.hpp"
#include "test_server.hpp"

#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <functional>
#include <string>

namespace asio = boost::asio;
using namespace std::chrono_literals;
using httpx::testing::TestServer;

namespace {

enum class Protocol { http11, h2c };
enum class Style { slot, awaitable_or };

// Waits (without blocking the io_context) until `reached` holds: the phase to cancel in.
httpx::awaitable<void> until(std::function<bool()> reached) {
    asio::steady_timer timer(co_await asio::this_coro::executor);
    while (!reached()) {
        timer.expires_after(1ms);
        co_await timer.async_wait(asio::use_awaitable);
    }
}

bool is_operation_aborted(const std::exception_ptr& error) {
    try {
        std::rethrow_exception(error);
    } catch (const boost::system::system_error& e) {
        return e.code() == asio::error::operation_aborted;
    } catch (const std::exception& e) {
        ADD_FAILURE() << "the cancelled request ended with: " << e.what();
        return false;
    }
}

struct Cancellation : ::testing::TestWithParam<std::tuple<Protocol, Style>>,
                      httpx::test::ClientFixture {
    TestServer server{server_options()};

    static TestServer::Options server_options() {
        TestServer::Options options;
        options.http2 = true;  // plain TCP: HTTP/2 with prior knowledge, HTTP/1.1 otherwise
        // One stream per HTTP/2 connection: with one connection allowed, a second request
        // waits in the pool, as over HTTP/1.1.
        options.http2_max_concurrent_streams = 1;
        return options;
    }

    void SetUp() override {
        server.start();
        make_client(transport_options(), httpx::Timeout(10s));
    }

    httpx::HTTPTransportOptions transport_options(int max_connections = 10) const {
        httpx::HTTPTransportOptions options;
        options.limits.max_connections = max_connections;
        if (std::get<0>(GetParam()) == Protocol::h2c) {
            options.http1 = false;
            options.http2 = true;
        }
        return options;
    }

    std::string url(const std::string& path) const { return server.url(path); }

    // Runs `request`, cancelled once `reached` holds, in this test's style.
    void cancel_when(std::function<httpx::awaitable<void>()> request,
                     std::function<bool()> reached) {
        auto task = [&]() -> httpx::awaitable<void> {
            auto executor = co_await asio::this_coro::executor;
            if (std::get<1>(GetParam()) == Style::slot) {
                asio::cancellation_signal signal;
                asio::co_spawn(
                    executor,
                    [&]() -> httpx::awaitable<void> {
                        co_await until(reached);
                        signal.emit(asio::cancellation_type::terminal);
                    },
                    asio::detached);
                std::exception_ptr error;
                try {
                    co_await asio::co_spawn(
                        executor, request(),
                        asio::bind_cancellation_slot(signal.slot(), asio::use_awaitable));
                } catch (...) {
                    error = std::current_exception();
                }
                EXPECT_TRUE(error) << "the request was not cancelled";
                if (error) {
                    EXPECT_TRUE(is_operation_aborted(error));
                }
            } else {
                using namespace asio::experimental::awaitable_operators;
                auto result = co_await (request() || until(reached));
                EXPECT_EQ(result.index(), 1u) << "the request was not cancelled";
            }
        };
        run(task());
    }

    // No slot held, nobody waiting, no HTTP/2 stream left open on the server; the next request
    // works.
    void expect_settled() {
        const auto stats = transport->pool_stats();
        EXPECT_EQ(stats.connections, stats.idle);
        EXPECT_EQ(stats.waiting, 0u);
        EXPECT_EQ(run(client->get(url("/"))).text(), "Hello, world!");
        auto open_streams = [&] {
            std::uint64_t n = 0;
            for (const auto& c : server.connection_stats()) n += c.open ? c.open_streams : 0;
            return n;
        };
        run([&]() -> httpx::awaitable<void> {
            using namespace asio::experimental::awaitable_operators;
            co_await (until([&] { return open_streams() == 0; }) || httpx::sleep(5s));
        }());
        EXPECT_EQ(open_streams(), 0u);
    }
};

TEST_P(Cancellation, WhileWaitingForThePool) {
    // (A short read timeout: the held response's connection keeps its read timer armed, and
    // with it the io_context busy, until then.)
    make_client(transport_options(1), httpx::Timeout(10s, {.read = 1s}));
    std::optional<httpx::Response> held;
    run([&]() -> httpx::awaitable<void> {
        held.emplace(co_await client->stream("GET", url("/bytes/10")));  // the only connection
    }());
    cancel_when([&]() -> httpx::awaitable<void> { co_await client->get(url("/")); },
                [&] { return transport->pool_stats().waiting == 1; });
    run(held->aclose());
    held.reset();
    expect_settled();
}

TEST_P(Cancellation, WhileConnecting) {
    // A TLS handshake that never ends: the listener accepts and never answers the ClientHello.
    // (The connect timeout races the connect here: the user's cancellation must win over it.)
    asio::ip::tcp::acceptor silent(io, {asio::ip::make_address("127.0.0.1"), 0});
    silent.listen();
    asio::ip::tcp::socket accepted(io);
    bool connected = false;
    silent.async_accept(accepted, [&](boost::system::error_code ec) { connected = !ec; });
    const std::string target =
        "https://127.0.0.1:" + std::to_string(silent.local_endpoint().port()) + "/";
    cancel_when([&]() -> httpx::awaitable<void> { co_await client->get(target); },
                [&] { return connected; });
    expect_settled();
}

TEST_P(Cancellation, WhileSending) {
    // 16 MiB to a route that reads 64 KiB a second: the body waits for the socket (HTTP/1.1) or
    // for flow-control window (HTTP/2).
    const auto before = server.requests_served();
    cancel_when(
        [&]() -> httpx::awaitable<void> {
            httpx::RequestOptions options;
            options.content = std::string(16 << 20, 'x');
            co_await client->post(url("/upload?read_ms=1000"), options);
        },
        [&] { return server.requests_served() > before; });
    expect_settled();
}

TEST_P(Cancellation, WhileWaitingForTheHead) {
    const auto before = server.requests_served();
    cancel_when([&]() -> httpx::awaitable<void> { co_await client->get(url("/misbehave/stall")); },
                [&] { return server.requests_served() > before; });
    expect_settled();
}

TEST_P(Cancellation, WhileReadingTheBody) {
    // get() reads the body before it returns: the first chunk comes at once, the rest over 10 s.
    const auto before = server.requests_served();
    cancel_when(
        [&]() -> httpx::awaitable<void> { co_await client->get(url("/drip?chunks=100&ms=100")); },
        [&] { return server.requests_served() > before; });
    expect_settled();
}

TEST_P(Cancellation, WhileReadingAStreamedBody) {
    bool first_chunk = false;
    cancel_when(
        [&]() -> httpx::awaitable<void> {
            httpx::Response r = co_await client->stream("GET", url("/drip?chunks=100&ms=100"));
            auto chunks = r.aiter_bytes();
            while (co_await chunks.next()) first_chunk = true;
        },
        [&] { return first_chunk; });
    expect_settled();
}

INSTANTIATE_TEST_SUITE_P(, Cancellation,
                         ::testing::Combine(::testing::Values(Protocol::http11, Protocol::h2c),
                                            ::testing::Values(Style::slot, Style::awaitable_or)),
                         [](const auto& info) {
                             std::string name =
                                 std::get<0>(info.param) == Protocol::http11 ? "Http11" : "H2c";
                             return name + (std::get<1>(info.param) == Style::slot ? "Slot"
                                                                                   : "AwaitableOr");
                         });

}  // namespace
