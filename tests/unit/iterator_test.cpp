// httpx::Iterator<T>: range-for and next() over a blocking source.
// Test that header file is self-contained.
#include "httpx/iterator.hpp"

#include <gtest/gtest.h>

#include <optional>
#include <string>
#include <vector>

namespace {

httpx::Iterator<int> count_to(int n) {
    return httpx::Iterator<int>([i = 0, n]() mutable -> std::optional<int> {
        if (i == n) return std::nullopt;
        return ++i;
    });
}

TEST(Iterator, RangeForVisitsEveryElementInOrder) {
    std::vector<int> seen;
    for (int x : count_to(4)) seen.push_back(x);
    EXPECT_EQ(seen, (std::vector<int>{1, 2, 3, 4}));
}

TEST(Iterator, NextReturnsNulloptAtTheEndAndEveryCallAfter) {
    auto it = count_to(1);
    EXPECT_EQ(it.next(), 1);
    EXPECT_EQ(it.next(), std::nullopt);
    EXPECT_EQ(it.next(), std::nullopt);
}

TEST(Iterator, ADefaultConstructedOneIsEmpty) {
    httpx::Iterator<std::string> empty;
    int n = 0;
    for (const auto& x : empty) n += static_cast<int>(x.size()) + 1;
    EXPECT_EQ(n, 0);
}

TEST(Iterator, TheSourcesExceptionPropagatesFromTheStep) {
    int calls = 0;
    httpx::Iterator<int> it([&calls]() -> std::optional<int> {
        if (++calls == 2) throw std::runtime_error("source failed");
        return calls;
    });
    auto pos = it.begin();
    EXPECT_EQ(*pos, 1);
    EXPECT_THROW(++pos, std::runtime_error);
}

}  // namespace
