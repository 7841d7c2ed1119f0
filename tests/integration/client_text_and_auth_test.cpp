// AsyncClient's text decoding and auth flows against the project's test server on loopback:
// bodies and header bytes as a real server sends them, responses that arrive unread.
#include <gtest/gtest.h>

#include "client_fixture.hpp"
#include "httpx/httpx.hpp"
#include "test_server.hpp"

#include <nlohmann/json.hpp>

#include <string>

namespace {

using httpx::Request;
using httpx::Response;
using httpx::testing::TestServer;

struct ClientTextAndAuth : ::testing::Test, httpx::test::ClientFixture {
    TestServer server;

    void SetUp() override { server.start(); }
    std::string url(std::string_view path) const { return server.url(path); }

    // A client over the default transport with `options` (its timeout: the fixture's).
    httpx::AsyncClient client_with(httpx::ClientOptions options) {
        options.timeout = httpx::Timeout(std::chrono::seconds(10));
        return httpx::AsyncClient(std::move(options));
    }
};

// "Привет, мир! ..." in windows-1251: /echo sends it back, its Content-Type names no charset.
const std::string kWindows1251 =
    "\317\360\350\342\345\362, \354\350\360! \335\362\356 \362\345\352\361\362 \342 \352"
    "\356\344\350\360\356\342\352\345 Windows-1251, \367\362\356\341\373 \357\360\356\342"
    "\345\360\350\362\374 \340\342\362\356\354\340\362\350\367\345\361\352\356\345 \356"
    "\357\360\345\344\345\353\345\355\350\345.";
const std::string kRussian =
    "Привет, мир! Это текст в кодировке Windows-1251, чтобы проверить автоматическое определение.";

TEST_F(ClientTextAndAuth, AutodetectedEncodingDecodesABodyWithoutCharset) {
    httpx::AsyncClient client = client_with({.default_encoding = httpx::autodetect_encoding});
    httpx::RequestOptions options{.content = kWindows1251,
                                  .headers = {{"Content-Type", "text/plain"}}};
    Response response = run(client.post(url("/echo"), options));
    EXPECT_EQ(response.content(), kWindows1251);
    EXPECT_EQ(response.encoding(), "windows-1251");
    EXPECT_EQ(response.text(), kRussian);

    // Streamed: nothing to detect from until the body is read, then the detector decides.
    // One coroutine: a run() returning between the head and the body would wait for the
    // connection's armed read timer first.
    auto streamed_text = [&]() -> httpx::awaitable<std::string> {
        Response streamed = co_await client.stream("POST", url("/echo"), options);
        EXPECT_EQ(streamed.encoding(), "utf-8");
        co_await streamed.aread();
        co_return streamed.text();
    };
    EXPECT_EQ(run(streamed_text()), kRussian);
}

TEST_F(ClientTextAndAuth, ResponseHeaderBytesAreDecodedAsHttpxDoes) {
    httpx::AsyncClient client = client_with({});
    // /echo sends the request's Content-Type back, byte for byte: here with a Latin-1 "é".
    httpx::RequestOptions options{.content = "x",
                                  .headers = {{"Content-Type", "text/plain; name=caf\xE9"}}};
    Response response = run(client.post(url("/echo"), options));
    EXPECT_EQ(response.headers().encoding(), "iso-8859-1");
    EXPECT_EQ(response.headers().get("Content-Type"), "text/plain; name=caf\xC3\xA9");
    // UTF-8 bytes come back as they are.
    options.headers = {{"Content-Type", "text/plain; name=caf\xC3\xA9"}};
    Response utf8 = run(client.post(url("/echo"), options));
    EXPECT_EQ(utf8.headers().encoding(), "utf-8");
    EXPECT_EQ(utf8.headers().get("Content-Type"), "text/plain; name=caf\xC3\xA9");
}

// Logs in first (the token is the body of the login response), then sends the request with it.
class LoginAuth : public httpx::Auth {
public:
    LoginAuth(std::string login_url, bool requires_body)
        : login_url_(std::move(login_url)), requires_body_(requires_body) {}
    bool requires_response_body() const override { return requires_body_; }

    httpx::awaitable<Response> auth_flow(Request& request, httpx::AuthSend send) override {
        httpx::RequestOptions credentials{.content = "t0k3n"};
        Request login("POST", login_url_, std::move(credentials));
        Response response = co_await send(login);
        saw_body_read = response.is_stream_consumed();
        if (!saw_body_read) co_await response.aread();  // a flow may still read it itself
        request.headers().set("Authorization", "Bearer " + response.content());
        co_return co_await send(request);
    }

    bool saw_body_read = false;

private:
    std::string login_url_;
    bool requires_body_;
};

TEST_F(ClientTextAndAuth, AFlowThatRequiresResponseBodiesGetsThemRead) {
    for (bool requires_body : {true, false}) {
        auto auth = std::make_shared<LoginAuth>(url("/echo"), requires_body);
        httpx::AsyncClient client = client_with({.auth = auth});
        Response response = run(client.get(url("/echo_headers")));
        EXPECT_EQ(auth->saw_body_read, requires_body);
        EXPECT_EQ(response.json()["authorization"], "Bearer t0k3n");
        ASSERT_EQ(response.history().size(), 1u);
        EXPECT_EQ(response.history()[0].content(), "t0k3n");
    }
}

}  // namespace
