// httpx::EventHook and EventHooks on their own: a plain or a coroutine function, called with the
// request or response it may change. (The client's use of them: async_client_test.cpp.)
// Test that header file is self-contained.
#include "httpx/event_hooks.hpp"

#include <gtest/gtest.h>

#include "httpx/exceptions.hpp"
#include "run_async.hpp"

#include <stdexcept>

using httpx::test::run_async;

namespace {

TEST(EventHooks, APlainAndACoroutineHookBothChangeTheRequest) {
    httpx::EventHooks hooks;
    hooks.request.emplace_back(
        [](httpx::Request& request) { request.headers().set("X-Plain", "1"); });
    hooks.request.emplace_back([](httpx::Request& request) -> httpx::awaitable<void> {
        request.headers().set("X-Coroutine", "2");
        co_return;
    });
    httpx::Request request("GET", "https://example.com/");
    for (const auto& hook : hooks.request) run_async(hook(request));
    EXPECT_EQ(request.headers()["X-Plain"], "1");
    EXPECT_EQ(request.headers()["X-Coroutine"], "2");
}

TEST(EventHooks, AResponseHookSeesTheResponseAndMayThrow) {
    httpx::ResponseHook hook([](httpx::Response& response) { response.raise_for_status(); });
    httpx::Response ok(200);
    ok.set_request(httpx::Request("GET", "https://example.com/"));
    EXPECT_NO_THROW(run_async(hook(ok)));
    httpx::Response missing(404);
    missing.set_request(httpx::Request("GET", "https://example.com/missing"));
    EXPECT_THROW(run_async(hook(missing)), httpx::HTTPStatusError);
}

TEST(EventHooks, AreEmptyByDefault) {
    httpx::EventHooks hooks;
    EXPECT_TRUE(hooks.request.empty());
    EXPECT_TRUE(hooks.response.empty());
}

}  // namespace
