// httpx's vocabulary types: Bytes, awaitable and the version.
// Test that header file is self-contained.
#include "httpx/types.hpp"

#include <gtest/gtest.h>

#include "run_async.hpp"

#include <string>
#include <string_view>
#include <type_traits>

namespace {

static_assert(std::is_same_v<httpx::Bytes, std::string>);
static_assert(std::is_same_v<httpx::awaitable<int>, boost::asio::awaitable<int>>);

httpx::awaitable<httpx::Bytes> zero_byte() {
    co_return httpx::Bytes("a\0b", 3);
}

TEST(Types, BytesHoldAnyOctetAndAwaitableRunsOnAsio) {
    EXPECT_EQ(httpx::test::run_async(zero_byte()).size(), 3u);
}

TEST(Types, VersionIsTheProjectVersion) {
    EXPECT_EQ(std::string_view(httpx::version), HTTPXX_PROJECT_VERSION);
}

}  // namespace
