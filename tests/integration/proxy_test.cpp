// HTTP and HTTPS proxies through the real stack, against the test server's proxy role
// (tools/test_server/test_proxy.hpp): forwarding (absolute-form target, proxy headers, Basic
// credentials, a connection per origin), CONNECT tunnels (TLS to the origin inside, HTTP/2 by
// ALPN), an HTTPS proxy (TLS in TLS, the proxy's own verify), the 407s, and a proxy that
// misbehaves (a garbage answer, a close, a stall, a refusal).
#include "test_proxy.hpp"

#include <gtest/gtest.h>

#include "httpx/httpx.hpp"
#include "net/fault_injection.hpp"
#include "plain_and_tls_servers.hpp"
#include "run_async.hpp"
#include "test_server.hpp"
#include "transport/http_transport_access.hpp"

#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <memory>
#include <set>
#include <string>
#include <typeindex>

namespace asio = boost::asio;
using namespace std::chrono_literals;
using httpx::test::run_on;
using httpx::testing::TestProxy;
using httpx::testing::TestServer;

namespace {

struct ProxyTest : ::testing::Test {
    static inline std::unique_ptr<httpx::test::PlainAndTlsServers> servers;
    static inline std::unique_ptr<TestServer> h2_tls;

    static void SetUpTestSuite() {
        servers = std::make_unique<httpx::test::PlainAndTlsServers>("proxy");
        TestServer::Options options;
        options.http2 = true;
        options.tls = servers->certs.server();
        h2_tls = std::make_unique<TestServer>(options);
        h2_tls->start();
    }
    static void TearDownTestSuite() {
        h2_tls.reset();
        servers.reset();
    }

    std::string ca() const { return servers->certs.ca_cert; }

    // A transport through `proxy`, trusting the test CA for the origins.
    std::shared_ptr<httpx::AsyncHTTPTransport> transport(httpx::Proxy proxy, bool http2 = false,
                                                         httpx::Limits limits = {}) {
        httpx::HTTPTransportOptions options;
        options.verify = ca();
        options.http2 = http2;
        options.limits = limits;
        options.proxy = std::move(proxy);
        return std::make_shared<httpx::AsyncHTTPTransport>(std::move(options));
    }

    httpx::Response get(std::shared_ptr<httpx::AsyncHTTPTransport> t, const std::string& url,
                        httpx::Timeout timeout = httpx::Timeout(5s)) {
        return run_on(io, [&]() -> httpx::awaitable<httpx::Response> {
            httpx::ClientOptions options;
            options.transport = t;
            options.timeout = timeout;
            httpx::AsyncClient client(std::move(options));
            httpx::Response r = co_await client.get(url);
            co_return r;
        }());
    }

    asio::io_context io;
};

std::string first_line(const std::string& head) {
    return head.substr(0, head.find("\r\n"));
}

TEST_F(ProxyTest, ForwardsPlainHttpInAbsoluteFormWithProxyHeadersFirst) {
    TestProxy proxy;
    proxy.start();
    httpx::Proxy::Options options;
    options.auth = httpx::Credentials{"user", "secret"};
    options.headers = {{"X-Proxy", "yes"}};
    auto t = transport(httpx::Proxy(proxy.url(), options));
    const std::string url = servers->plain.url("/echo_headers");
    httpx::Response r = get(t, url);
    EXPECT_EQ(r.status_code(), 200);
    const auto json = r.json();
    EXPECT_EQ(json["x-proxy"], "yes");
    EXPECT_EQ(json["proxy-authorization"], "Basic dXNlcjpzZWNyZXQ=");

    const auto heads = proxy.heads();
    ASSERT_EQ(heads.size(), 1u);
    EXPECT_EQ(first_line(heads[0]), "GET " + url + " HTTP/1.1");
    // Proxy-Authorization first, then the proxy's headers, then the request's own.
    EXPECT_EQ(heads[0].substr(heads[0].find("\r\n") + 2, 19), "Proxy-Authorization");
    EXPECT_NE(heads[0].find("Host: 127.0.0.1:" + std::to_string(servers->plain.port())),
              std::string::npos);
}

TEST_F(ProxyTest, CredentialsFromTheProxyUrl) {
    TestProxy::Options options;
    options.credentials = "user:secret";
    TestProxy proxy(options);
    proxy.start();
    const std::string with_userinfo =
        "http://user:secret@127.0.0.1:" + std::to_string(proxy.port());
    EXPECT_EQ(get(transport(with_userinfo), servers->plain.url("/")).status_code(), 200);
    EXPECT_EQ(get(transport(with_userinfo), servers->tls_origin() + "/").text(), "Hello, world!");
}

TEST_F(ProxyTest, ForwardedConnectionsArePooledPerOrigin) {
    TestProxy proxy;
    proxy.start();
    auto t = transport(proxy.url());
    EXPECT_EQ(get(t, servers->plain.url("/")).status_code(), 200);
    EXPECT_EQ(get(t, servers->plain.url("/")).status_code(), 200);
    EXPECT_EQ(proxy.connections_accepted(), 1u);  // kept alive, reused
    const std::string other = "http://localhost:" + std::to_string(servers->plain.port()) + "/";
    EXPECT_EQ(get(t, other).status_code(), 200);
    EXPECT_EQ(proxy.connections_accepted(), 2u);  // another origin: a connection of its own
    EXPECT_EQ(t->pool_stats().connections, 2u);
}

TEST_F(ProxyTest, TunnelsHttpsWithConnectAndReusesTheTunnel) {
    TestProxy proxy;
    proxy.start();
    auto t = transport(proxy.url());
    const std::string url = servers->tls_origin() + "/tls/sni";
    httpx::Response r = get(t, url);
    EXPECT_EQ(r.status_code(), 200);
    EXPECT_EQ(r.text(), "localhost");  // TLS to the origin, through the tunnel
    EXPECT_EQ(get(t, url).status_code(), 200);
    EXPECT_EQ(proxy.connections_accepted(), 1u);

    const auto heads = proxy.heads();
    ASSERT_EQ(heads.size(), 1u);
    const std::string authority = "localhost:" + std::to_string(servers->tls->port());
    EXPECT_EQ(heads[0], "CONNECT " + authority + " HTTP/1.1\r\nHost: " + authority +
                            "\r\nAccept: */*\r\n\r\n");
}

// The three kinds of proxy, each a TestProxy, for the tests that must hold through every kind.
enum class ProxyKind { http, https, socks5 };

struct ProxyUnderTest {
    std::unique_ptr<TestProxy> server;
    httpx::Proxy proxy;
};

ProxyUnderTest start_proxy(ProxyKind kind, const std::string& ca,
                           const httpx::test::PlainAndTlsServers& servers) {
    TestProxy::Options options;
    if (kind == ProxyKind::https) options.tls = servers.certs.server();
    options.socks5 = kind == ProxyKind::socks5;
    auto server = std::make_unique<TestProxy>(options);
    server->start();
    const std::string port = std::to_string(server->port());
    if (kind == ProxyKind::https) {
        httpx::Proxy::Options proxy_options;
        proxy_options.verify = ca;
        return {std::move(server), httpx::Proxy("https://localhost:" + port, proxy_options)};
    }
    const char* scheme = kind == ProxyKind::socks5 ? "socks5://" : "http://";
    return {std::move(server), httpx::Proxy(scheme + std::string("127.0.0.1:") + port)};
}

constexpr ProxyKind kProxyKinds[] = {ProxyKind::http, ProxyKind::https, ProxyKind::socks5};

// A pooled connection through the proxy that the origin drops unanswered (as after a restart
// it did not announce): the request goes again once, on a new connection through the proxy.
// Plain origins (forwarded through HTTP proxies) and TLS origins (tunnelled), every kind.
TEST_F(ProxyTest, ARequestMeetingAStaleConnectionGoesAgainOnANewOneThroughEveryKind) {
    std::string plain = servers->plain.url("/");
    plain.pop_back();  // the origin without its path
    for (const ProxyKind kind : kProxyKinds) {
        for (const std::string& origin : {plain, servers->tls_origin()}) {
            SCOPED_TRACE(static_cast<int>(kind));
            SCOPED_TRACE(origin);
            ProxyUnderTest p = start_proxy(kind, ca(), *servers);
            auto t = transport(p.proxy);
            EXPECT_EQ(get(t, origin + "/misbehave/drop_next").status_code(), 200);
            EXPECT_EQ(get(t, origin + "/").text(), "Hello, world!");
            EXPECT_EQ(p.server->connections_accepted(), 2u);
        }
    }
}

// A request cancelled while it waits for its response through the proxy ends as
// operation_aborted (API.md), and the client goes on through the proxy.
TEST_F(ProxyTest, ACancelledRequestThroughEveryKindLeavesTheClientUsable) {
    for (const ProxyKind kind : kProxyKinds) {
        SCOPED_TRACE(static_cast<int>(kind));
        ProxyUnderTest p = start_proxy(kind, ca(), *servers);
        auto t = transport(p.proxy);
        httpx::ClientOptions options;
        options.transport = t;
        httpx::AsyncClient client(std::move(options));
        asio::cancellation_signal cancel;
        std::exception_ptr error;
        asio::co_spawn(
            io, client.get(servers->tls_origin() + "/slow?ms=2000"),
            asio::bind_cancellation_slot(
                cancel.slot(), [&](std::exception_ptr e, httpx::Response) { error = e; }));
        auto task = [&]() -> httpx::awaitable<std::string> {
            asio::steady_timer timer(co_await asio::this_coro::executor, 200ms);
            co_await timer.async_wait(asio::use_awaitable);
            cancel.emit(asio::cancellation_type::terminal);
            httpx::Response r = co_await client.get(servers->tls_origin() + "/");
            co_return r.text();
        };
        EXPECT_EQ(run_on(io, task()), "Hello, world!");
        ASSERT_TRUE(error);
        try {
            std::rethrow_exception(error);
        } catch (const boost::system::system_error& e) {
            EXPECT_EQ(e.code(), asio::error::operation_aborted);
        } catch (...) {
            ADD_FAILURE() << "not operation_aborted";
        }
        EXPECT_EQ(t->pool_stats().connections, t->pool_stats().idle);
    }
}

TEST_F(ProxyTest, Http2InsideATunnel) {
    TestProxy proxy;
    proxy.start();
    auto t = transport(proxy.url(), true);
    httpx::Response r = get(t, "https://localhost:" + std::to_string(h2_tls->port()) + "/");
    EXPECT_EQ(r.http_version(), "HTTP/2");
    EXPECT_EQ(r.text(), "Hello, world!");
}

TEST_F(ProxyTest, OriginCertificateIsCheckedThroughTheTunnel) {
    TestProxy proxy;
    proxy.start();
    httpx::HTTPTransportOptions options;  // the system store: the test CA is not trusted
    options.proxy = httpx::Proxy(proxy.url());
    auto t = std::make_shared<httpx::AsyncHTTPTransport>(std::move(options));
    EXPECT_THROW(get(t, servers->tls_origin() + "/"), httpx::ConnectError);
    EXPECT_EQ(t->pool_stats().connections, 0u);
}

TEST_F(ProxyTest, HttpsProxyForwardsAndTunnelsTlsInTls) {
    TestProxy::Options proxy_options;
    proxy_options.tls = servers->certs.server();
    TestProxy proxy(proxy_options);
    proxy.start();
    httpx::Proxy::Options options;
    options.verify = ca();
    const std::string proxy_url = "https://localhost:" + std::to_string(proxy.port());
    auto t = transport(httpx::Proxy(proxy_url, options), true);
    EXPECT_EQ(get(t, servers->plain.url("/")).text(), "Hello, world!");
    httpx::Response r = get(t, "https://localhost:" + std::to_string(h2_tls->port()) + "/");
    EXPECT_EQ(r.http_version(), "HTTP/2");
    EXPECT_EQ(r.text(), "Hello, world!");
    // The TLS facts are the origin's (the inner TLS), not the proxy's.
    const auto& tls = std::any_cast<const httpx::TLSInfo&>(r.extensions().at("tls"));
    EXPECT_EQ(tls.server_name, "localhost");
    EXPECT_EQ(tls.alpn, "h2");
}

TEST_F(ProxyTest, HttpsProxyCertificateIsCheckedWithTheProxysVerify) {
    TestProxy::Options proxy_options;
    proxy_options.tls = servers->certs.server();
    TestProxy proxy(proxy_options);
    proxy.start();
    // The origins' verify trusts the test CA; the proxy's (default: the system store) does not.
    auto t = transport("https://localhost:" + std::to_string(proxy.port()));
    try {
        get(t, servers->plain.url("/"));
        FAIL() << "expected ConnectError";
    } catch (const httpx::ConnectError& e) {
        EXPECT_NE(std::string(e.what()).find("certificate verify failed"), std::string::npos)
            << e.what();
    }
}

TEST_F(ProxyTest, ConnectAnswered407IsAProxyError) {
    TestProxy::Options options;
    options.credentials = "user:secret";
    TestProxy proxy(options);
    proxy.start();
    auto t = transport(proxy.url());
    try {
        get(t, servers->tls_origin() + "/");
        FAIL() << "expected ProxyError";
    } catch (const httpx::ProxyError& e) {
        EXPECT_STREQ(e.what(), "407 Proxy Authentication Required");
    }
    EXPECT_EQ(t->pool_stats().connections, 0u);
    // Wrong credentials: the same.
    httpx::Proxy::Options wrong;
    wrong.auth = httpx::Credentials{"user", "wrong"};
    EXPECT_THROW(get(transport(httpx::Proxy(proxy.url(), wrong)), servers->tls_origin() + "/"),
                 httpx::ProxyError);
}

TEST_F(ProxyTest, ForwardedRequestAnswered407IsAnOrdinaryResponse) {
    TestProxy::Options options;
    options.credentials = "user:secret";
    TestProxy proxy(options);
    proxy.start();
    httpx::Response r = get(transport(proxy.url()), servers->plain.url("/"));
    EXPECT_EQ(r.status_code(), 407);
    EXPECT_EQ(r.headers().get("Proxy-Authenticate"), "Basic realm=\"test\"");
}

TEST_F(ProxyTest, RefusedConnectNamesTheAnswer) {
    TestProxy proxy({.behaviour = TestProxy::Behaviour::refuse});
    proxy.start();
    try {
        get(transport(proxy.url()), servers->tls_origin() + "/");
        FAIL() << "expected ProxyError";
    } catch (const httpx::ProxyError& e) {
        EXPECT_STREQ(e.what(), "403 Forbidden");
    }
}

TEST_F(ProxyTest, GarbageAnswerToConnect) {
    TestProxy proxy({.behaviour = TestProxy::Behaviour::garbage});
    proxy.start();
    auto t = transport(proxy.url());
    EXPECT_THROW(get(t, servers->tls_origin() + "/"), httpx::RemoteProtocolError);
    EXPECT_EQ(t->pool_stats().connections, 0u);
}

TEST_F(ProxyTest, ProxyClosingMidHandshake) {
    TestProxy proxy({.behaviour = TestProxy::Behaviour::close});
    proxy.start();
    auto t = transport(proxy.url());
    try {
        get(t, servers->tls_origin() + "/");
        FAIL() << "expected RemoteProtocolError";
    } catch (const httpx::RemoteProtocolError& e) {
        EXPECT_STREQ(e.what(), "Server disconnected without sending a response.");
    }
    // A forwarded request meets the close as any server's.
    EXPECT_THROW(get(t, servers->plain.url("/")), httpx::RemoteProtocolError);
    EXPECT_EQ(t->pool_stats().connections, 0u);
}

TEST_F(ProxyTest, StallingProxyEndsInTheConnectTimeout) {
    TestProxy proxy({.behaviour = TestProxy::Behaviour::stall});
    proxy.start();
    auto t = transport(proxy.url());
    const auto start = std::chrono::steady_clock::now();
    EXPECT_THROW(get(t, servers->tls_origin() + "/", httpx::Timeout(5s, {.connect = 300ms})),
                 httpx::ConnectTimeout);
    EXPECT_LT(std::chrono::steady_clock::now() - start, 3s);
    EXPECT_EQ(t->pool_stats().connections, 0u);
}

TEST_F(ProxyTest, UnreachableProxyIsAConnectError) {
    TestProxy proxy;
    proxy.start();
    const std::string url = proxy.url();
    proxy.stop();  // nothing listens there any more
    EXPECT_THROW(get(transport(url), servers->plain.url("/")), httpx::ConnectError);
}

TEST_F(ProxyTest, ProxyWithUnixSocketIsRefused) {
    httpx::HTTPTransportOptions options;
    options.proxy = httpx::Proxy("http://127.0.0.1:3128");
    options.uds = "/tmp/nothing.sock";
    EXPECT_THROW(httpx::AsyncHTTPTransport(std::move(options)), std::invalid_argument);
}

// SOCKS5 through the connector (the handshake itself is tested in socks5_test.cpp): socks5://
// resolves the name here and sends the address, socks5h:// sends the name.
TEST_F(ProxyTest, Socks5SendsAnAddressAndSocks5hTheName) {
    TestProxy::Options options;
    options.socks5 = true;
    TestProxy proxy(options);
    proxy.start();
    const std::string port = std::to_string(servers->plain.port());
    const std::string proxy_port = std::to_string(proxy.port());
    EXPECT_EQ(
        get(transport("socks5://127.0.0.1:" + proxy_port), "http://localhost:" + port + "/").text(),
        "Hello, world!");
    EXPECT_EQ(get(transport("socks5h://127.0.0.1:" + proxy_port), "http://localhost:" + port + "/")
                  .text(),
              "Hello, world!");
    // TLS to the origin through the SOCKS tunnel, its name verified.
    httpx::Response r = get(transport("socks5h://127.0.0.1:" + proxy_port, true),
                            "https://localhost:" + std::to_string(h2_tls->port()) + "/tls/sni");
    EXPECT_EQ(r.http_version(), "HTTP/2");
    EXPECT_EQ(r.text(), "localhost");
    const auto heads = proxy.heads();
    ASSERT_EQ(heads.size(), 3u);
    EXPECT_EQ(heads[0], "127.0.0.1:" + port);  // resolved here
    EXPECT_EQ(heads[1], "localhost:" + port);  // resolved by the proxy
    EXPECT_EQ(heads[2], "localhost:" + std::to_string(h2_tls->port()));
}

TEST_F(ProxyTest, Socks5RefusalIsAProxyError) {
    TestProxy::Options options;
    options.socks5 = true;
    TestProxy proxy(options);
    proxy.start();
    auto t = transport("socks5h://127.0.0.1:" + std::to_string(proxy.port()));
    // Nothing listens on port 1: the proxy answers "connection refused".
    EXPECT_THROW(get(t, "http://127.0.0.1:1/"), httpx::ProxyError);
    EXPECT_EQ(t->pool_stats().connections, 0u);
}

// --- Fault injection: every step of each way through a proxy ---

enum class Route { forward, tunnel, tunnel_h2, https_proxy_tls_in_tls, socks5h_tls };

// The exception of a failure at any step: what a user of HTTPX meets from a transport.
// (A SOCKS5 proxy that closes mid-handshake is a ProxyError, as in httpcore.)
bool expected_failure(const std::exception& e, Route route) {
    if (route == Route::socks5h_tls && dynamic_cast<const httpx::ProxyError*>(&e)) return true;
    return dynamic_cast<const httpx::ConnectError*>(&e) ||
           dynamic_cast<const httpx::ConnectTimeout*>(&e) ||
           dynamic_cast<const httpx::ReadError*>(&e) ||
           dynamic_cast<const httpx::WriteError*>(&e) ||
           dynamic_cast<const httpx::ReadTimeout*>(&e) ||
           dynamic_cast<const httpx::WriteTimeout*>(&e) ||
           dynamic_cast<const httpx::RemoteProtocolError*>(&e);
}

// The exact exception of a failure in the way to the tunnel: the connect to the proxy, the
// CONNECT written, its answer read. All of it is the connect phase.
std::type_index tunnel_step_error(httpx::net::IoOperation operation, httpx::net::Fault fault) {
    using httpx::net::Fault;
    if (fault == Fault::stall) return typeid(httpx::ConnectTimeout);
    if (operation == httpx::net::IoOperation::read && fault == Fault::eof)
        return typeid(httpx::RemoteProtocolError);  // "Server disconnected without ..."
    return typeid(httpx::ConnectError);
}

class ProxyFaults : public ProxyTest,
                    public ::testing::WithParamInterface<std::tuple<Route, httpx::net::Fault>> {};

TEST_P(ProxyFaults, EveryStepFailsCleanlyAndTheClientRecovers) {
    using httpx::net::Fault;
    using httpx::net::FaultInjector;
    const auto [route, fault] = GetParam();
    TestProxy::Options proxy_options;
    if (route == Route::https_proxy_tls_in_tls) proxy_options.tls = servers->certs.server();
    proxy_options.socks5 = route == Route::socks5h_tls;
    TestProxy proxy(proxy_options);
    proxy.start();
    httpx::Proxy::Options options;
    options.verify = ca();
    const std::string proxy_url = std::string(proxy_options.socks5 ? "socks5h"
                                              : proxy_options.tls  ? "https"
                                                                   : "http") +
                                  "://localhost:" + std::to_string(proxy.port());
    const bool http2 = route == Route::tunnel_h2 || route == Route::https_proxy_tls_in_tls;
    const std::string url =
        route == Route::forward ? servers->plain.url("/bytes/100000")
        : http2 ? "https://localhost:" + std::to_string(h2_tls->port()) + "/bytes/100000"
                : servers->tls_origin() + "/bytes/100000";
    const httpx::Timeout timeout =
        fault == Fault::stall ? httpx::Timeout(400ms) : httpx::Timeout(5s);

    for (std::size_t n = 0;; ++n) {
        ASSERT_LT(n, 400u) << "the exchange never ran untouched";
        SCOPED_TRACE("operation " + std::to_string(n));
        auto t = transport(httpx::Proxy(proxy_url, options), http2);
        auto faults = std::make_shared<FaultInjector>(n, fault);
        httpx::detail::HTTPTransportAccess::inject_faults(*t, faults);
        std::string error;
        std::optional<std::type_index> thrown;
        int done = 0;
        try {
            // Two requests: the second one on the connection kept alive.
            for (; done < 2; ++done) {
                httpx::Response r = get(t, url, timeout);
                if (r.content() != httpx::testing::pattern(0, 100000))
                    throw std::runtime_error("body");
            }
        } catch (const std::exception& e) {
            error = e.what();
            thrown = typeid(e);
            EXPECT_TRUE(expected_failure(e, route)) << typeid(e).name() << ": " << e.what();
        }
        if (!faults->fired()) {
            EXPECT_EQ(done, 2) << error;
            break;
        }
        const auto log = faults->log();
        // The way to the tunnel (the connect, CONNECT's write and the first read of its answer
        // on the first connection) fails in the connect phase, with its own exception.
        if ((route == Route::tunnel || route == Route::tunnel_h2) && n < 3) {
            ASSERT_TRUE(thrown.has_value()) << "operation " << n << " failed unnoticed";
            EXPECT_EQ(*thrown, tunnel_step_error(log[n].operation, fault)) << error;
        }
        // Nothing held, nothing broken reused: the next request works.
        httpx::Response again = get(t, url, httpx::Timeout(5s));
        EXPECT_EQ(again.content().size(), 100000u);
        EXPECT_EQ(t->pool_stats().waiting, 0u);
        if (!http2) {
            EXPECT_EQ(t->pool_stats().connections, 1u);
        }
    }
}

INSTANTIATE_TEST_SUITE_P(
    Routes, ProxyFaults,
    ::testing::Combine(::testing::Values(Route::forward, Route::tunnel, Route::tunnel_h2,
                                         Route::https_proxy_tls_in_tls, Route::socks5h_tls),
                       ::testing::Values(httpx::net::Fault::reset, httpx::net::Fault::eof,
                                         httpx::net::Fault::stall)));

}  // namespace
