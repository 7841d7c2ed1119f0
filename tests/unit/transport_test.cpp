// The in-process transports called directly, without a client: MockTransport and AppTransport
// (HTTPX's MockTransport and ASGITransport). Through the client: streaming_test.cpp.
// Test that header file is self-contained.
#include "httpx/transport.hpp"

#include <gtest/gtest.h>

#include "httpx/async_generator.hpp"
#include "run_async.hpp"

#include <any>
#include <memory>
#include <stdexcept>
#include <string>

using httpx::test::run_async;

namespace {

httpx::AsyncGenerator<httpx::Bytes> two_chunks() {
    co_yield "ab";
    co_yield "cd";
}

httpx::Request streamed_post() {
    return httpx::Request("POST", "https://example.com/upload",
                          httpx::RequestOptions{.content = httpx::AsyncByteStream(two_chunks())});
}

TEST(MockTransport, ReadsTheRequestBodyBeforeASyncHandler) {
    httpx::MockTransport transport([](httpx::Request& request) {
        httpx::ResponseOptions options;
        options.text = "got " + request.content();
        return httpx::Response(201, std::move(options));
    });
    auto request = streamed_post();
    auto response = run_async(transport.handle_async_request(request));
    EXPECT_EQ(response.status_code(), 201);
    EXPECT_EQ(response.text(), "got abcd");
}

TEST(MockTransport, TakesACoroutineHandler) {
    httpx::MockTransport transport(
        [](httpx::Request& request) -> httpx::awaitable<httpx::Response> {
            httpx::ResponseOptions options;
            options.text = request.method();
            co_return httpx::Response(200, std::move(options));
        });
    httpx::Request request("DELETE", "https://example.com/");
    EXPECT_EQ(run_async(transport.handle_async_request(request)).text(), "DELETE");
}

TEST(AppTransport, TellsTheAppItsRootPathAndClient) {
    httpx::AppTransport::Options options;
    options.root_path = "/app";
    options.client = "10.0.0.1:4000";
    httpx::AppTransport transport(
        [](httpx::Request& request) {
            httpx::ResponseOptions answer;
            answer.text = std::any_cast<std::string>(request.extensions().at("root_path")) + " " +
                          std::any_cast<std::string>(request.extensions().at("client"));
            return httpx::Response(200, std::move(answer));
        },
        options);
    httpx::Request request("GET", "https://example.com/app/x");
    EXPECT_EQ(run_async(transport.handle_async_request(request)).text(), "/app 10.0.0.1:4000");
}

TEST(AppTransport, AnAppExceptionPropagatesOrBecomesA500) {
    auto failing = [](httpx::Request&) -> httpx::Response { throw std::runtime_error("app bug"); };
    httpx::Request request("GET", "https://example.com/");
    httpx::AppTransport raising(failing);
    EXPECT_THROW(run_async(raising.handle_async_request(request)), std::runtime_error);
    httpx::AppTransport quiet(failing, httpx::AppTransport::Options{.raise_app_exceptions = false});
    EXPECT_EQ(run_async(quiet.handle_async_request(request)).status_code(), 500);
}

TEST(AppTransport, AHeadResponseKeepsItsHeadersButNoBody) {
    httpx::AppTransport transport([](httpx::Request&) {
        httpx::ResponseOptions options;
        options.text.emplace("body");
        options.headers = httpx::Headers{{"X-App", "yes"}};
        return httpx::Response(200, std::move(options));
    });
    httpx::Request request("HEAD", "https://example.com/");
    auto response = run_async(transport.handle_async_request(request));
    EXPECT_EQ(response.headers()["X-App"], "yes");
    EXPECT_EQ(run_async(response.aread()), "");
}

TEST(AsyncBaseTransport, ACustomTransportInheritsANoOpClose) {
    struct Teapot : httpx::AsyncBaseTransport {
        httpx::awaitable<httpx::Response> handle_async_request(httpx::Request&) override {
            co_return httpx::Response(418);
        }
    };
    Teapot transport;
    httpx::Request request("GET", "https://example.com/");
    EXPECT_EQ(run_async(transport.handle_async_request(request)).status_code(), 418);
    EXPECT_NO_THROW(run_async(transport.aclose()));
}

}  // namespace
