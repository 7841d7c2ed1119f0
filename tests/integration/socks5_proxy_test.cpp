// SOCKS5 against the project's test proxy (tools/test_server/socks5_proxy.hpp): the handshake
// alone (net::socks5_handshake over a TCP stream, then a request by hand to the test server),
// every refusal and misbehaviour of the proxy, and, once the transport speaks SOCKS5 (the
// connector calls socks5_handshake), the client through it: `proxy=`, mounts per scheme and
// host, and the environment. The client tests skip, saying so, while proxies are not wired in.
#include "net/connect.hpp"
#include "net/socks5_connect.hpp"

#include <gtest/gtest.h>

#include "run_async.hpp"
#include "socks5_proxy.hpp"
#include "socks5_request.hpp"
#include "test_server.hpp"

#include <httpx/httpx.hpp>

#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <array>
#include <cstdlib>
#include <optional>
#include <string>
#include <variant>

namespace asio = boost::asio;
using namespace std::chrono_literals;
using namespace asio::experimental::awaitable_operators;
using httpx::testing::Socks5TestProxy;
using httpx::testing::TestServer;
using Behaviour = Socks5TestProxy::Behaviour;

namespace {

std::string get_through(const Socks5TestProxy& proxy, const std::string& host, std::uint16_t port,
                        std::optional<httpx::net::Socks5Credentials> credentials = {}) {
    return httpx::test::get_through_socks5(proxy.port(), host, port, std::move(credentials));
}

// Port 9 (discard) on loopback: nothing listens there.
std::string proxy_error(const Socks5TestProxy& proxy,
                        std::optional<httpx::net::Socks5Credentials> credentials = {}) {
    return httpx::test::socks5_error(proxy.port(), 9, std::move(credentials));
}

Socks5TestProxy::Options misbehaving(Behaviour behaviour) {
    Socks5TestProxy::Options options;
    options.behaviour = behaviour;
    return options;
}

}  // namespace

TEST(Socks5ViaTestProxy, RelaysToTheTestServerByAddress) {
    TestServer server;
    server.start();
    Socks5TestProxy proxy({});
    const auto answer = get_through(proxy, "127.0.0.1", server.port());
    EXPECT_TRUE(answer.starts_with("HTTP/1.1 200 OK\r\n")) << answer;
    EXPECT_TRUE(answer.ends_with("Hello, world!")) << answer;
    EXPECT_EQ(proxy.connect_targets(),
              std::vector<std::string>{"127.0.0.1:" + std::to_string(server.port())});
}

TEST(Socks5ViaTestProxy, SendsNamesForTheProxyToResolve) {
    TestServer server;
    server.start();
    Socks5TestProxy proxy({});
    EXPECT_TRUE(get_through(proxy, "localhost", server.port()).ends_with("Hello, world!"));
    EXPECT_EQ(proxy.connect_targets(),
              std::vector<std::string>{"localhost:" + std::to_string(server.port())});
}

TEST(Socks5ViaTestProxy, UsernamePassword) {
    TestServer server;
    server.start();
    Socks5TestProxy proxy({.username = "user", .password = "secret"});
    EXPECT_TRUE(get_through(proxy, "127.0.0.1", server.port(),
                            httpx::net::Socks5Credentials{"user", "secret"})
                    .ends_with("Hello, world!"));
    EXPECT_EQ(proxy_error(proxy, httpx::net::Socks5Credentials{"user", "wrong"}),
              "Invalid username/password");
    EXPECT_EQ(proxy_error(proxy),
              "Requested NO AUTHENTICATION REQUIRED from proxy server, but got NO ACCEPTABLE "
              "METHODS.");
}

TEST(Socks5ViaTestProxy, ProxyWithoutAuthRefusesCredentials) {
    Socks5TestProxy proxy({});
    EXPECT_EQ(proxy_error(proxy, httpx::net::Socks5Credentials{"user", "secret"}),
              "Requested USERNAME/PASSWORD from proxy server, but got NO ACCEPTABLE METHODS.");
}

TEST(Socks5ViaTestProxy, EveryReplyCodeIsAProxyError) {
    const std::vector<std::string> names = {"General SOCKS server failure",
                                            "Connection not allowed by ruleset",
                                            "Network unreachable",
                                            "Host unreachable",
                                            "Connection refused",
                                            "TTL expired",
                                            "Command not supported",
                                            "Address type not supported",
                                            "UNKOWN"};
    for (std::uint8_t code = 1; code <= 9; ++code) {
        auto options = misbehaving(Behaviour::reply_code);
        options.reply_code = code;
        Socks5TestProxy proxy(options);
        EXPECT_EQ(proxy_error(proxy), "Proxy Server could not connect: " + names[code - 1] + ".");
    }
}

TEST(Socks5ViaTestProxy, ConnectToAClosedPortIsConnectionRefused) {
    Socks5TestProxy proxy({});
    EXPECT_EQ(proxy_error(proxy), "Proxy Server could not connect: Connection refused.");
}

TEST(Socks5ViaTestProxy, WrongMethod) {
    auto options = misbehaving(Behaviour::wrong_method);
    options.method = 0x02;
    Socks5TestProxy proxy(options);
    EXPECT_EQ(proxy_error(proxy),
              "Requested NO AUTHENTICATION REQUIRED from proxy server, but got USERNAME/PASSWORD.");
}

TEST(Socks5ViaTestProxy, HttpAnswerIsMalformed) {
    Socks5TestProxy proxy(misbehaving(Behaviour::bad_version));
    EXPECT_EQ(proxy_error(proxy), "Malformed SOCKS5 method reply: version 0x48 instead of 0x05");
}

TEST(Socks5ViaTestProxy, CloseMidHandshake) {
    for (auto behaviour : {Behaviour::close_after_greeting, Behaviour::close_mid_reply}) {
        Socks5TestProxy proxy(misbehaving(behaviour));
        EXPECT_EQ(proxy_error(proxy),
                  "The SOCKS5 proxy closed the connection during the handshake");
    }
}

TEST(Socks5ViaTestProxy, StallIsBoundedByTheCaller) {
    Socks5TestProxy proxy(misbehaving(Behaviour::stall));
    const auto result = httpx::test::run_async([&]() -> httpx::awaitable<int> {
        httpx::net::ConnectSettings settings;
        auto stream = co_await httpx::net::open_socket("127.0.0.1", proxy.port(), settings,
                                                       co_await asio::this_coro::executor);
        asio::steady_timer timer(co_await asio::this_coro::executor, 200ms);
        const auto first =
            co_await (httpx::net::socks5_handshake(*stream, "127.0.0.1", 80, std::nullopt) ||
                      timer.async_wait(asio::use_awaitable));
        co_return static_cast<int>(first.index());
    }());
    EXPECT_EQ(result, 1);  // the timer: the handshake is still waiting
}

// ---------------------------------------------------------------------------------------------
// The client through a SOCKS5 proxy (once the transport's connector speaks it).

namespace {

bool proxies_wired() {
    try {
        httpx::AsyncHTTPTransport transport({.proxy = httpx::Proxy("socks5://127.0.0.1:1")});
        return true;
    } catch (const std::invalid_argument&) {
        return false;
    }
}

#define SKIP_UNLESS_PROXIES_WIRED()                                                        \
    if (!proxies_wired())                                                                  \
    GTEST_SKIP() << "the transport does not take proxies yet (the proxy branch wires the " \
                    "connector to socks5_handshake)"

// Sets an environment variable for one scope, restoring what was there.
class ScopedEnv {
public:
    ScopedEnv(const char* name, const char* value) : name_(name) {
        if (const char* old = std::getenv(name)) old_ = old;
        ::setenv(name, value, 1);
    }
    ~ScopedEnv() {
        if (old_)
            ::setenv(name_.c_str(), old_->c_str(), 1);
        else
            ::unsetenv(name_.c_str());
    }

private:
    std::string name_;
    std::optional<std::string> old_;
};

}  // namespace

TEST(Socks5Client, ProxyOptionLocalAndRemoteDns) {
    SKIP_UNLESS_PROXIES_WIRED();
    TestServer server;
    server.start();
    Socks5TestProxy proxy({});
    const std::string port = std::to_string(server.port());
    {
        httpx::Client client({.proxy = httpx::Proxy(proxy.url())});
        EXPECT_EQ(client.get("http://localhost:" + port + "/").text(), "Hello, world!");
    }
    {
        httpx::Client client(
            {.proxy = httpx::Proxy("socks5h://127.0.0.1:" + std::to_string(proxy.port()))});
        EXPECT_EQ(client.get("http://localhost:" + port + "/").text(), "Hello, world!");
    }
    const auto targets = proxy.connect_targets();
    ASSERT_EQ(targets.size(), 2u);
    // socks5:// resolves on the client; socks5h:// sends the name.
    EXPECT_NE(targets[0], "localhost:" + port);
    EXPECT_EQ(targets[1], "localhost:" + port);
}

TEST(Socks5Client, RefusalsAreProxyErrors) {
    SKIP_UNLESS_PROXIES_WIRED();
    auto options = misbehaving(Behaviour::reply_code);
    options.reply_code = 0x02;
    Socks5TestProxy proxy(options);
    httpx::Client client({.proxy = httpx::Proxy(proxy.url())});
    try {
        client.get("http://127.0.0.1:9/");
        ADD_FAILURE() << "expected ProxyError";
    } catch (const httpx::ProxyError& e) {
        EXPECT_STREQ(e.what(),
                     "Proxy Server could not connect: Connection not allowed by ruleset.");
    }
}

TEST(Socks5Client, CredentialsFromTheProxyUrl) {
    SKIP_UNLESS_PROXIES_WIRED();
    TestServer server;
    server.start();
    Socks5TestProxy proxy({.username = "user", .password = "secret"});
    const std::string at = "127.0.0.1:" + std::to_string(proxy.port());
    httpx::Client good({.proxy = httpx::Proxy("socks5://user:secret@" + at)});
    EXPECT_EQ(good.get(server.url("/")).text(), "Hello, world!");
    httpx::Client bad({.proxy = httpx::Proxy("socks5://user:nope@" + at)});
    EXPECT_THROW(bad.get(server.url("/")), httpx::ProxyError);
}

TEST(Socks5Client, StallingProxyIsAConnectTimeout) {
    SKIP_UNLESS_PROXIES_WIRED();
    Socks5TestProxy proxy(misbehaving(Behaviour::stall));
    httpx::Client client(
        {.proxy = httpx::Proxy(proxy.url()), .timeout = httpx::Timeout(5s, {.connect = 300ms})});
    EXPECT_THROW(client.get("http://127.0.0.1:9/"), httpx::ConnectTimeout);
}

TEST(Socks5Client, MountsPickAProxyPerSchemeAndHost) {
    SKIP_UNLESS_PROXIES_WIRED();
    TestServer server;
    server.start();
    Socks5TestProxy proxy({});
    auto via_proxy = std::make_shared<httpx::AsyncHTTPTransport>(
        httpx::HTTPTransportOptions{.proxy = httpx::Proxy(proxy.url())});
    // HTTPX's docs: proxy every http:// request, except one host which goes direct.
    httpx::Client client({.mounts = {{"http://", via_proxy}, {"http://localhost", nullptr}}});
    EXPECT_EQ(client.get(server.url("/")).text(), "Hello, world!");
    EXPECT_EQ(proxy.connect_targets().size(), 1u);
    EXPECT_EQ(client.get("http://localhost:" + std::to_string(server.port()) + "/").text(),
              "Hello, world!");
    EXPECT_EQ(proxy.connect_targets().size(), 1u);  // direct
}

TEST(Socks5Client, EnvironmentProxyAndNoProxy) {
    SKIP_UNLESS_PROXIES_WIRED();
    TestServer server;
    server.start();
    Socks5TestProxy proxy({});
    const ScopedEnv all("ALL_PROXY", proxy.url().c_str());
    const ScopedEnv all_lower("all_proxy", proxy.url().c_str());
    const ScopedEnv no("NO_PROXY", "localhost");
    const ScopedEnv no_lower("no_proxy", "localhost");
    {
        httpx::Client client;
        EXPECT_EQ(client.get(server.url("/")).text(), "Hello, world!");
        EXPECT_EQ(proxy.connect_targets().size(), 1u);
        EXPECT_EQ(client.get("http://localhost:" + std::to_string(server.port()) + "/").text(),
                  "Hello, world!");
        EXPECT_EQ(proxy.connect_targets().size(), 1u);  // NO_PROXY: direct
    }
    {
        httpx::Client client({.trust_env = false});
        EXPECT_EQ(client.get(server.url("/")).text(), "Hello, world!");
        EXPECT_EQ(proxy.connect_targets().size(), 1u);  // the environment is not read
    }
}
