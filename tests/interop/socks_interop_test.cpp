// SOCKS5 against dante, started by tests/interop/dante.sh (which sets HTTPXX_DANTE_*; alone,
// every test skips): net::socks5_handshake to the project's test server, by address and by name
// (resolved by dante), with and without username/password, and dante's refusals; then the
// client through dante once the transport speaks SOCKS5.
#include "net/socks5_connect.hpp"

#include <gtest/gtest.h>

#include "socks5_request.hpp"
#include "test_server.hpp"

#include <httpx/httpx.hpp>

#include <cstdlib>
#include <optional>
#include <string>

using httpx::testing::TestServer;

namespace {

std::optional<std::string> env(const char* name) {
    const char* value = std::getenv(name);
    if (!value || !*value) return std::nullopt;
    return std::string(value);
}

std::uint16_t port_of(const std::string& url) {
    return static_cast<std::uint16_t>(std::stoi(url.substr(url.rfind(':') + 1)));
}

struct Dante : ::testing::Test {
    TestServer server;
    std::string url;
    std::uint16_t port = 0;

    void SetUp() override {
        const auto configured = env("HTTPXX_DANTE_URL");
        if (!configured) GTEST_SKIP() << "dante is not running (tests/interop/dante.sh starts it)";
        url = *configured;
        port = port_of(url);
        server.start();
    }
};

struct DanteWithAuth : Dante {
    std::string username, password;

    void SetUp() override {
        const auto configured = env("HTTPXX_DANTE_AUTH_URL");
        if (!configured)
            GTEST_SKIP() << "dante with username auth is not running (dante.sh needs root to "
                            "create its account)";
        url = *configured;
        port = port_of(url);
        username = env("HTTPXX_DANTE_USER").value_or("");
        password = env("HTTPXX_DANTE_PASSWORD").value_or("");
        server.start();
    }
};

bool proxies_wired() {
    try {
        httpx::AsyncHTTPTransport transport({.proxy = httpx::Proxy("socks5://127.0.0.1:1")});
        return true;
    } catch (const std::invalid_argument&) {
        return false;
    }
}

}  // namespace

TEST_F(Dante, HandshakeByAddress) {
    const auto answer = httpx::test::get_through_socks5(port, "127.0.0.1", server.port());
    EXPECT_TRUE(answer.starts_with("HTTP/1.1 200 OK\r\n")) << answer;
    EXPECT_TRUE(answer.ends_with("Hello, world!")) << answer;
}

TEST_F(Dante, HandshakeByNameResolvedByDante) {
    const auto answer = httpx::test::get_through_socks5(port, "localhost", server.port());
    EXPECT_TRUE(answer.ends_with("Hello, world!")) << answer;
}

TEST_F(Dante, RefusesToConnectToAClosedPort) {
    const auto message = httpx::test::socks5_error(port, 9);
    EXPECT_TRUE(message.starts_with("Proxy Server could not connect: ")) << message;
}

TEST_F(Dante, RefusesCredentialsItDoesNotAsk) {
    EXPECT_EQ(httpx::test::socks5_error(port, server.port(),
                                        httpx::net::Socks5Credentials{"user", "secret"}),
              "Requested USERNAME/PASSWORD from proxy server, but got NO ACCEPTABLE METHODS.");
}

TEST_F(DanteWithAuth, HandshakeWithUsernamePassword) {
    const auto answer = httpx::test::get_through_socks5(
        port, "127.0.0.1", server.port(), httpx::net::Socks5Credentials{username, password});
    EXPECT_TRUE(answer.ends_with("Hello, world!")) << answer;
}

TEST_F(DanteWithAuth, WrongPasswordOrNoneAreRefused) {
    EXPECT_EQ(httpx::test::socks5_error(port, server.port(),
                                        httpx::net::Socks5Credentials{username, "wrong"}),
              "Invalid username/password");
    EXPECT_EQ(httpx::test::socks5_error(port, server.port()),
              "Requested NO AUTHENTICATION REQUIRED from proxy server, but got NO ACCEPTABLE "
              "METHODS.");
}

TEST_F(Dante, ClientThroughDante) {
    if (!proxies_wired()) GTEST_SKIP() << "the transport does not take proxies yet";
    const std::string origin = "http://localhost:" + std::to_string(server.port()) + "/";
    for (const char* scheme : {"socks5://", "socks5h://"}) {
        httpx::Client client({.proxy = httpx::Proxy(scheme + url.substr(url.find("://") + 3))});
        EXPECT_EQ(client.get(origin).text(), "Hello, world!") << scheme;
    }
}

TEST_F(DanteWithAuth, ClientWithCredentialsInTheProxyUrl) {
    if (!proxies_wired()) GTEST_SKIP() << "the transport does not take proxies yet";
    const std::string at = url.substr(url.find("://") + 3);
    httpx::Client client(
        {.proxy = httpx::Proxy("socks5://" + username + ":" + password + "@" + at)});
    EXPECT_EQ(client.get(server.url("/")).text(), "Hello, world!");
    httpx::Client wrong({.proxy = httpx::Proxy("socks5://" + username + ":x@" + at)});
    EXPECT_THROW(wrong.get(server.url("/")), httpx::ProxyError);
}
