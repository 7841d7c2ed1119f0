// <httpx/httpx.hpp>, the header users include: alone it is enough to write the code of the README
// and API.md, JSON literals and `Response::json()` included.
// Test that header file is self-contained.
#include "httpx/httpx.hpp"

#include <gtest/gtest.h>

#include "run_async.hpp"

#include <memory>
#include <string>

namespace {

// A client whose transport answers with the JSON body it was sent, plus a field.
httpx::awaitable<httpx::Response> post_json() {
    auto transport = std::make_shared<httpx::MockTransport>([](httpx::Request& request) {
        auto body = nlohmann::json::parse(request.content());
        body["echoed"] = true;
        return httpx::Response(200, httpx::ResponseOptions{.json = body});
    });
    httpx::AsyncClient client(httpx::ClientOptions{.transport = transport});
    // One pair in braces is an object, as in a Python dict (JsonOption).
    httpx::RequestOptions options{.json = {{"name", "httpxx"}}};
    httpx::Response response = co_await client.post("https://example.com/echo", options);
    co_return response;
}

TEST(Httpx, TheUmbrellaHeaderIsTheWholeApiJsonIncluded) {
    auto response = httpx::test::run_async(post_json());
    EXPECT_EQ(response.status_code(), httpx::codes::OK);
    EXPECT_EQ(response.request().headers()["Content-Type"], "application/json");
    EXPECT_EQ(response.json()["name"], "httpxx");
    EXPECT_EQ(response.json()["echoed"], true);
}

}  // namespace
