// Every completion token through `asio::co_spawn(ex, client.get(url), token)`, over a
// MockTransport: the response or the exception reaches the caller as co_await would give it,
// and a cancellation bound to the token ends the request with operation_aborted. (The same
// against the local test server, on every executor: tests/integration/async_environments_test.)
#include <httpx/completion.hpp>

#include <httpx/async_client.hpp>
#include <httpx/async_generator.hpp>
#include <httpx/exceptions.hpp>
#include <httpx/transport.hpp>

#include <gtest/gtest.h>

#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/deferred.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/use_future.hpp>
#include "fiber_sanitizer.hpp"

#include <chrono>
#include <exception>
#include <future>
#include <memory>
#include <optional>
#include <string>

namespace asio = boost::asio;
using namespace std::chrono_literals;

namespace {

// A client over a MockTransport: "/" answers 200 "hello", "/fail" throws ReadError, "/hang"
// answers after a minute (a test cancels it first). Counts the requests it saw.
struct TokenTest : ::testing::Test {
    asio::io_context io;
    std::shared_ptr<int> requests = std::make_shared<int>(0);
    httpx::AsyncClient client{options(requests)};

    static httpx::ClientOptions options(std::shared_ptr<int> requests) {
        httpx::ClientOptions options;
        options.transport = std::make_shared<httpx::MockTransport>(
            [requests](httpx::Request& request) -> httpx::awaitable<httpx::Response> {
                ++*requests;
                const std::string path = request.url().path();
                if (path == "/fail") throw httpx::ReadError("the mock failed");
                if (path == "/hang") co_await httpx::sleep(60s);
                httpx::ResponseOptions body;
                body.content = "hello";
                co_return httpx::Response(200, body);
            });
        return options;
    }

    bool is_operation_aborted(const std::exception_ptr& error) {
        try {
            std::rethrow_exception(error);
        } catch (const boost::system::system_error& e) {
            return e.code() == asio::error::operation_aborted;
        } catch (...) {
            return false;
        }
    }
};

TEST_F(TokenTest, Callback) {
    std::optional<httpx::Response> response;
    std::exception_ptr failure;
    asio::co_spawn(io, client.get("http://example.com/"),
                   [&](std::exception_ptr, httpx::Response r) { response = std::move(r); });
    asio::co_spawn(io, client.get("http://example.com/fail"),
                   [&](std::exception_ptr e, httpx::Response) { failure = e; });
    io.run();
    ASSERT_TRUE(response);
    EXPECT_EQ(response->text(), "hello");
    ASSERT_TRUE(failure);
    EXPECT_THROW(std::rethrow_exception(failure), httpx::ReadError);
}

TEST_F(TokenTest, UseFuture) {
    std::future<httpx::Response> ok =
        asio::co_spawn(io, client.get("http://example.com/"), asio::use_future);
    std::future<httpx::Response> failed =
        asio::co_spawn(io, client.get("http://example.com/fail"), asio::use_future);
    io.run();
    EXPECT_EQ(ok.get().text(), "hello");
    EXPECT_THROW(failed.get(), httpx::ReadError);
}

TEST_F(TokenTest, YieldContext) {
    if (!httpx::test::kSanitizerFollowsFibers) GTEST_SKIP() << "see fiber_sanitizer.hpp";
    std::string text;
    bool threw = false;
    asio::spawn(
        io,
        [&](asio::yield_context yield) {
            httpx::Response r = asio::co_spawn(io, client.get("http://example.com/"), yield);
            text = r.text();
            try {
                asio::co_spawn(io, client.get("http://example.com/fail"), yield);
            } catch (const httpx::ReadError&) {
                threw = true;
            }
        },
        asio::detached);
    io.run();
    EXPECT_EQ(text, "hello");
    EXPECT_TRUE(threw);
}

TEST_F(TokenTest, DeferredAwaited) {
    auto task = [&]() -> httpx::awaitable<std::string> {
        auto executor = co_await asio::this_coro::executor;
        httpx::Response r =
            co_await asio::co_spawn(executor, client.get("http://example.com/"), asio::deferred);
        EXPECT_THROW(co_await asio::co_spawn(executor, client.get("http://example.com/fail"),
                                             asio::deferred),
                     httpx::ReadError);
        co_return r.text();
    };
    auto text = asio::co_spawn(io, task(), asio::use_future);
    io.run();
    EXPECT_EQ(text.get(), "hello");
}

TEST_F(TokenTest, DeferredStartsOnlyWhenLaunched) {
    auto operation = asio::co_spawn(io, client.get("http://example.com/"), asio::deferred);
    io.run();
    EXPECT_EQ(*requests, 0);  // a deferred operation is a description, not yet a request
    std::string text;
    std::move(operation)([&](std::exception_ptr, httpx::Response r) { text = r.text(); });
    io.restart();
    io.run();
    EXPECT_EQ(*requests, 1);
    EXPECT_EQ(text, "hello");
}

// Each token with a cancellation slot bound to it: emitting the signal ends the request with
// operation_aborted, as Asio's own operations end.

TEST_F(TokenTest, CallbackCancelled) {
    asio::cancellation_signal signal;
    std::exception_ptr failure;
    bool done = false;
    asio::co_spawn(
        io, client.get("http://example.com/hang"),
        asio::bind_cancellation_slot(signal.slot(), [&](std::exception_ptr e, httpx::Response) {
            failure = e;
            done = true;
        }));
    asio::post(io, [&] { signal.emit(asio::cancellation_type::terminal); });
    io.run_for(10s);
    ASSERT_TRUE(done);
    EXPECT_TRUE(is_operation_aborted(failure));
}

TEST_F(TokenTest, UseFutureCancelled) {
    asio::cancellation_signal signal;
    auto future = asio::co_spawn(io, client.get("http://example.com/hang"),
                                 asio::bind_cancellation_slot(signal.slot(), asio::use_future));
    asio::post(io, [&] { signal.emit(asio::cancellation_type::terminal); });
    io.run_for(10s);
    ASSERT_EQ(future.wait_for(0s), std::future_status::ready);
    EXPECT_THROW(future.get(), boost::system::system_error);
}

TEST_F(TokenTest, YieldContextCancelled) {
    if (!httpx::test::kSanitizerFollowsFibers) GTEST_SKIP() << "see fiber_sanitizer.hpp";
    asio::cancellation_signal signal;
    std::exception_ptr failure;
    bool done = false;
    asio::spawn(
        io,
        [&](asio::yield_context yield) {
            try {
                asio::co_spawn(io, client.get("http://example.com/hang"),
                               asio::bind_cancellation_slot(signal.slot(), yield));
            } catch (...) {
                failure = std::current_exception();
            }
            done = true;
        },
        asio::detached);
    asio::post(io, [&] { signal.emit(asio::cancellation_type::terminal); });
    io.run_for(10s);
    ASSERT_TRUE(done);
    EXPECT_TRUE(is_operation_aborted(failure));
}

TEST_F(TokenTest, DeferredCancelled) {
    asio::cancellation_signal signal;
    auto task = [&]() -> httpx::awaitable<bool> {
        auto executor = co_await asio::this_coro::executor;
        asio::post(executor, [&] { signal.emit(asio::cancellation_type::terminal); });
        // A deferred operation takes its cancellation slot with the token that launches it
        // (Asio 1.81 cannot bind one to `deferred` itself).
        auto operation =
            asio::co_spawn(executor, client.get("http://example.com/hang"), asio::deferred);
        try {
            co_await std::move(operation)(
                asio::bind_cancellation_slot(signal.slot(), asio::use_awaitable));
        } catch (...) {
            co_return is_operation_aborted(std::current_exception());
        }
        co_return false;
    };
    auto aborted = asio::co_spawn(io, task(), asio::use_future);
    io.run_for(10s);
    ASSERT_EQ(aborted.wait_for(0s), std::future_status::ready);
    EXPECT_TRUE(aborted.get());
}

}  // namespace
