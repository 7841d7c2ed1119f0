// Test that header file is self-contained.
#include "httpx/config.hpp"

#include "httpx/exceptions.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <sstream>
#include <stdexcept>
#include <string>

// Ported from the Timeout, Limits and Proxy parts of HTTPX's tests/test_config.py, plus the C++
// construction forms of config.hpp.

namespace {

using namespace std::chrono_literals;
using httpx::Limits;
using httpx::Proxy;
using httpx::Timeout;
using httpx::TimeoutOption;
using Seconds = Timeout::Duration;

template <class T>
std::string repr(const T& value) {
    std::ostringstream os;
    os << value;
    return os.str();
}

TEST(Timeout, DefaultIsFiveSecondsEverywhere) {
    const Timeout t;
    EXPECT_EQ(t.connect, Seconds(5));
    EXPECT_EQ(t.read, Seconds(5));
    EXPECT_EQ(t.write, Seconds(5));
    EXPECT_EQ(t.pool, Seconds(5));
    EXPECT_EQ(t, Timeout(5s));
}

TEST(Timeout, Eq) {
    EXPECT_EQ(Timeout(5s), Timeout(5s));
    EXPECT_EQ(Timeout(5s), Timeout(5000ms));
    EXPECT_NE(Timeout(5s), Timeout(6s));
    EXPECT_NE(Timeout(5s), Timeout(std::nullopt));
}

TEST(Timeout, AllParametersSet) {
    const Timeout t(std::nullopt, {.connect = 5s, .read = 5s, .write = 5s, .pool = 5s});
    EXPECT_EQ(t, Timeout(5s));
}

TEST(Timeout, FromNothing) {
    const Timeout t(std::nullopt);
    EXPECT_EQ(t.connect, std::nullopt);
    EXPECT_EQ(t.read, std::nullopt);
    EXPECT_EQ(t.write, std::nullopt);
    EXPECT_EQ(t.pool, std::nullopt);
    const Timeout assigned = std::nullopt;
    EXPECT_EQ(assigned, t);
}

TEST(Timeout, FromOneValue) {
    const Timeout t(std::nullopt, {.read = 5s});
    EXPECT_EQ(t.connect, std::nullopt);
    EXPECT_EQ(t.read, Seconds(5));
    EXPECT_EQ(t.write, std::nullopt);
    EXPECT_EQ(t.pool, std::nullopt);
}

TEST(Timeout, FromOneValueAndDefault) {
    const Timeout t(5s, {.pool = 60s});
    EXPECT_EQ(t.connect, Seconds(5));
    EXPECT_EQ(t.read, Seconds(5));
    EXPECT_EQ(t.write, Seconds(5));
    EXPECT_EQ(t.pool, Seconds(60));
}

TEST(Timeout, OverrideConnect) {
    const Timeout t(10s, {.connect = 60s});
    EXPECT_EQ(t.connect, Seconds(60));
    EXPECT_EQ(t.read, Seconds(10));
    EXPECT_EQ(t.write, Seconds(10));
    EXPECT_EQ(t.pool, Seconds(10));
}

TEST(Timeout, FractionalDurations) {
    const Timeout t(1500ms);
    EXPECT_EQ(t.read, Seconds(1.5));
    EXPECT_EQ(Timeout(0.25s).connect, Seconds(0.25));
}

TEST(Timeout, ImplicitFromDurationForOptionsStructs) {
    struct Options {
        Timeout timeout;
    };
    const Options opts{.timeout = 10s};
    EXPECT_EQ(opts.timeout, Timeout(10s));
    const Options none{.timeout = std::nullopt};
    EXPECT_EQ(none.timeout, Timeout(std::nullopt));
}

TEST(Timeout, Repr) {
    EXPECT_EQ(repr(Timeout(5s)), "Timeout(timeout=5.0)");
    EXPECT_EQ(repr(Timeout(std::nullopt, {.read = 5s})),
              "Timeout(connect=None, read=5.0, write=None, pool=None)");
    EXPECT_EQ(repr(Timeout(std::nullopt)), "Timeout(timeout=None)");
    EXPECT_EQ(repr(Timeout(10s, {.connect = 60s})),
              "Timeout(connect=60.0, read=10.0, write=10.0, pool=10.0)");
    // Python's float repr: shortest digits, positional between 1e-4 and 1e16.
    EXPECT_EQ(repr(Timeout(1500ms)), "Timeout(timeout=1.5)");
    EXPECT_EQ(repr(Timeout(100000s)), "Timeout(timeout=100000.0)");
    EXPECT_EQ(repr(Timeout(250us)), "Timeout(timeout=0.00025)");
    EXPECT_EQ(repr(Timeout(10us)), "Timeout(timeout=1e-05)");
}

TEST(Timeout, OptionDistinguishesClientDefaultFromNoLimit) {
    const Timeout client(7s);
    const TimeoutOption unset;
    EXPECT_TRUE(unset.is_client_default());
    EXPECT_EQ(unset.value_or(client), client);

    const TimeoutOption none = std::nullopt;
    EXPECT_FALSE(none.is_client_default());
    EXPECT_EQ(none.value_or(client), Timeout(std::nullopt));

    const TimeoutOption three = 3s;
    EXPECT_FALSE(three.is_client_default());
    EXPECT_EQ(three.value_or(client), Timeout(3s));

    const TimeoutOption custom = Timeout(1s, {.connect = 2s});
    EXPECT_EQ(custom.value_or(client), Timeout(1s, {.connect = 2s}));
}

TEST(Config, LimitsDefaultsAreTheClientDefaults) {
    const Limits limits;
    EXPECT_EQ(limits.max_connections, 100u);
    EXPECT_EQ(limits.max_keepalive_connections, 20u);
    EXPECT_EQ(limits.keepalive_expiry, Seconds(5));
}

TEST(Config, LimitsEq) {
    EXPECT_EQ(Limits{.max_connections = 100}, Limits{.max_connections = 100});
    EXPECT_NE(Limits{.max_connections = 100}, Limits{.max_connections = 10});
    EXPECT_NE(Limits{}, Limits{.keepalive_expiry = std::nullopt});
}

TEST(Config, LimitsRepr) {
    const Limits limits{.max_connections = 100, .max_keepalive_connections = std::nullopt};
    EXPECT_EQ(repr(limits),
              "Limits(max_connections=100, max_keepalive_connections=None, keepalive_expiry=5.0)");
    EXPECT_EQ(repr(Limits{.max_connections = std::nullopt, .keepalive_expiry = std::nullopt}),
              "Limits(max_connections=None, max_keepalive_connections=20, keepalive_expiry=None)");
}

TEST(Config, ProxyFromUrl) {
    const Proxy proxy("https://example.com");
    EXPECT_EQ(proxy.url(), "https://example.com");
    EXPECT_EQ(proxy.auth(), std::nullopt);
    EXPECT_TRUE(proxy.headers().empty());
    EXPECT_EQ(repr(proxy), "Proxy('https://example.com')");
}

TEST(Config, ProxyWithAuthFromUrl) {
    const Proxy proxy("https://username:password@example.com");
    EXPECT_EQ(proxy.url(), "https://example.com");
    ASSERT_TRUE(proxy.auth());
    EXPECT_EQ(*proxy.auth(), (httpx::Credentials{"username", "password"}));
    EXPECT_TRUE(proxy.headers().empty());
    EXPECT_EQ(repr(proxy), "Proxy('https://example.com', auth=('username', '********'))");
}

TEST(Config, ProxyAuthOptionWinsOverUrlCredentials) {
    const Proxy proxy("http://url-user:url-pass@proxy.local:8080",
                      {.auth = httpx::Credentials{"opt-user", "opt-pass"}});
    EXPECT_EQ(proxy.url(), "http://proxy.local:8080");
    EXPECT_EQ(*proxy.auth(), (httpx::Credentials{"opt-user", "opt-pass"}));
}

TEST(Config, ProxyWithHeaders) {
    const Proxy proxy(std::string("http://proxy.local:8080"),
                      {.headers = {{"X-Proxy", "1"}, {"x-proxy", "2"}}});
    EXPECT_EQ(proxy.headers().get("x-proxy"), "1, 2");
    EXPECT_EQ(repr(proxy), "Proxy('http://proxy.local:8080', headers={'x-proxy': '1, 2'})");
}

TEST(Config, ProxyAcceptsHttpxSchemes) {
    for (const char* url : {"http://p:1", "https://p:1", "socks5://p:1", "socks5h://p:1"})
        EXPECT_NO_THROW(Proxy{url}) << url;
}

TEST(Config, InvalidProxyScheme) {
    EXPECT_THROW(Proxy("invalid://example.com"), std::invalid_argument);
    EXPECT_THROW(Proxy("socks4://example.com"), std::invalid_argument);
    try {
        Proxy("invalid://example.com");
        FAIL() << "no exception";
    } catch (const std::invalid_argument& e) {
        EXPECT_STREQ(e.what(), "Unknown scheme for proxy URL URL('invalid://example.com')");
    }
}

TEST(Config, InvalidProxySchemeMessageHidesPassword) {
    try {
        Proxy("ftp://user:s3kr3t@example.com");
        FAIL() << "no exception";
    } catch (const std::invalid_argument& e) {
        EXPECT_EQ(std::string(e.what()).find("s3kr3t"), std::string::npos) << e.what();
    }
}

}  // namespace
