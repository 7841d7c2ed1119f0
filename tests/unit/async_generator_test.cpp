// Test that header file is self-contained.
#include "httpx/async_generator.hpp"

#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "run_async.hpp"

#include <string>
#include <vector>

using namespace std::chrono_literals;
namespace asio = boost::asio;
using httpx::test::run_async;

namespace {

httpx::AsyncGenerator<int> count_to(int n) {
    for (int i = 1; i <= n; ++i) co_yield i;
}

httpx::AsyncGenerator<std::string> sleepy_words() {
    co_await httpx::sleep(1ms);
    co_yield "a";
    asio::steady_timer timer(co_await asio::this_coro::executor, 1ms);
    co_await timer.async_wait(asio::use_awaitable);
    co_yield "b";
    int x = co_await []() -> httpx::awaitable<int> { co_return 42; }();
    co_yield std::to_string(x);
}

httpx::AsyncGenerator<int> throws_after_one() {
    co_yield 1;
    co_await httpx::sleep(1ms);
    throw std::runtime_error("boom");
}

template <class T>
httpx::awaitable<std::vector<T>> collect(httpx::AsyncGenerator<T> gen) {
    std::vector<T> out;
    while (auto v = co_await gen.next()) out.push_back(*v);
    co_return out;
}

TEST(AsyncGenerator, YieldsInOrderThenEnds) {
    EXPECT_EQ(run_async(collect(count_to(4))), (std::vector<int>{1, 2, 3, 4}));
    EXPECT_TRUE(run_async(collect(count_to(0))).empty());
}

TEST(AsyncGenerator, AwaitsAsioOperationsBetweenYields) {
    EXPECT_EQ(run_async(collect(sleepy_words())), (std::vector<std::string>{"a", "b", "42"}));
}

TEST(AsyncGenerator, ExceptionInBodyReachesConsumer) {
    auto gen = throws_after_one();
    auto task = [&]() -> httpx::awaitable<void> {
        EXPECT_EQ(co_await gen.next(), 1);
        EXPECT_THROW(co_await gen.next(), std::runtime_error);
        EXPECT_EQ(co_await gen.next(), std::nullopt);
    };
    run_async(task());
}

httpx::AsyncGenerator<int> slow_forever(bool& destroyed_cleanly) {
    struct Flag {
        bool& f;
        ~Flag() { f = true; }
    } flag{destroyed_cleanly};
    for (int i = 0;; ++i) {
        co_await httpx::sleep(10s);
        co_yield i;
    }
}

TEST(AsyncGenerator, CancellingNextCancelsTheAwaitedOperation) {
    using namespace asio::experimental::awaitable_operators;
    bool destroyed = false;
    auto task = [&]() -> httpx::awaitable<void> {
        auto gen = slow_forever(destroyed);
        auto start = std::chrono::steady_clock::now();
        auto result = co_await (gen.next() || httpx::sleep(5ms));
        EXPECT_EQ(result.index(), 1u);  // the timer won
        EXPECT_LT(std::chrono::steady_clock::now() - start, 2s);
    };
    run_async(task());
    EXPECT_TRUE(destroyed);
}

TEST(AsyncGenerator, RunsOnAMultiThreadedPool) {
    asio::thread_pool pool(4);
    std::vector<std::future<std::vector<std::string>>> results;
    for (int i = 0; i < 16; ++i)
        results.push_back(asio::co_spawn(pool, collect(sleepy_words()), asio::use_future));
    for (auto& r : results) EXPECT_EQ(r.get(), (std::vector<std::string>{"a", "b", "42"}));
    pool.join();
}

}  // namespace
