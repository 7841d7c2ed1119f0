// httpx::AsyncIterator: the `async for` of httpxx, over any `next()` function.
// Test that header file is self-contained.
#include "httpx/async_iterator.hpp"

#include <gtest/gtest.h>

#include "run_async.hpp"

#include <memory>
#include <optional>
#include <stdexcept>
#include <vector>

using httpx::test::run_async;

namespace {

// An iterator over 1, 2, 3.
httpx::AsyncIterator<int> one_two_three() {
    auto next = std::make_shared<int>(0);
    return httpx::AsyncIterator<int>([next]() -> httpx::awaitable<std::optional<int>> {
        if (*next == 3) co_return std::nullopt;
        co_return ++*next;
    });
}

TEST(AsyncIterator, YieldsEachElementThenNulloptOnEveryLaterCall) {
    auto it = one_two_three();
    EXPECT_TRUE(it);
    auto drain = [](httpx::AsyncIterator<int>& it) -> httpx::awaitable<std::vector<int>> {
        std::vector<int> seen;
        while (auto x = co_await it.next()) seen.push_back(*x);
        co_return seen;
    };
    EXPECT_EQ(run_async(drain(it)), (std::vector<int>{1, 2, 3}));
    EXPECT_EQ(run_async(it.next()), std::nullopt);
}

TEST(AsyncIterator, DefaultConstructedIsEmpty) {
    httpx::AsyncIterator<int> it;
    EXPECT_FALSE(it);
    EXPECT_EQ(run_async(it.next()), std::nullopt);
}

TEST(AsyncIterator, ExceptionsOfTheSourcePropagate) {
    httpx::AsyncIterator<int> it([]() -> httpx::awaitable<std::optional<int>> {
        throw std::runtime_error("source failed");
        co_return std::nullopt;
    });
    EXPECT_THROW(run_async(it.next()), std::runtime_error);
}

}  // namespace
