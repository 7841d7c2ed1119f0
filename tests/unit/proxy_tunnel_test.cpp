// The pieces of HTTP(S) proxies without a network: the route made from a Proxy (kinds, ports,
// Proxy-Authorization first), the CONNECT head, the forwarded request head (absolute form,
// httpcore's merge_headers), and the CONNECT exchange over a scripted stream.
#include "transport/proxy_tunnel.hpp"

#include <gtest/gtest.h>

#include "httpx/exceptions.hpp"
#include "httpx/request.hpp"
#include "protocol/http11_exchange.hpp"
#include "protocol/request_target.hpp"
#include "run_async.hpp"
#include "scripted_stream.hpp"

#include <memory>
#include <string>

using httpx::net::ProxyRoute;
using httpx::test::run_async;
using httpx::test::Script;
using httpx::test::ScriptedStream;

namespace {

TEST(ProxyRoute, KindsAndDefaultPorts) {
    auto http = httpx::transport::make_proxy_route(httpx::Proxy("http://proxy.test"), false);
    EXPECT_EQ(http->kind, ProxyRoute::Kind::http);
    EXPECT_EQ(http->host, "proxy.test");
    EXPECT_EQ(http->port, 80);
    EXPECT_EQ(http->tls, nullptr);
    EXPECT_TRUE(http->forwards(false));
    EXPECT_FALSE(http->forwards(true));

    auto https = httpx::transport::make_proxy_route(httpx::Proxy("https://proxy.test"), false);
    EXPECT_EQ(https->kind, ProxyRoute::Kind::https);
    EXPECT_EQ(https->port, 443);
    ASSERT_NE(https->tls, nullptr);
    EXPECT_EQ(https->tls->alpn, std::string("\x08http/1.1", 9));  // HTTP/1.1 to the proxy

    auto socks =
        httpx::transport::make_proxy_route(httpx::Proxy("socks5h://u:p@[::1]:9050"), false);
    EXPECT_EQ(socks->kind, ProxyRoute::Kind::socks5h);
    EXPECT_EQ(socks->host, "::1");
    EXPECT_EQ(socks->port, 9050);
    EXPECT_FALSE(socks->forwards(false));
    ASSERT_TRUE(socks->credentials);
    EXPECT_EQ(socks->credentials->username, "u");
    EXPECT_TRUE(socks->headers.empty());  // SOCKS has no HTTP headers
    EXPECT_EQ(httpx::transport::make_proxy_route(httpx::Proxy("socks5://p"), false)->port, 1080);
}

TEST(ProxyRoute, ProxyAuthorizationComesFirst) {
    httpx::Proxy::Options options;
    options.auth = httpx::Credentials{"user", "secret"};
    options.headers = {{"X-Proxy", "1"}};
    auto route = httpx::transport::make_proxy_route(httpx::Proxy("http://p:3128", options), false);
    ASSERT_EQ(route->headers.size(), 2u);
    EXPECT_EQ(route->headers.multi_items()[0].first, "Proxy-Authorization");
    EXPECT_EQ(route->headers.multi_items()[0].second, "Basic dXNlcjpzZWNyZXQ=");
    EXPECT_EQ(route->headers.multi_items()[1].first, "X-Proxy");
    // A Proxy-Authorization among the proxy's own headers wins (httpcore's merge).
    options.headers = {{"proxy-authorization", "Bearer token"}};
    route = httpx::transport::make_proxy_route(httpx::Proxy("http://p:3128", options), false);
    ASSERT_EQ(route->headers.size(), 1u);
    EXPECT_EQ(route->headers.get("Proxy-Authorization"), "Bearer token");
}

TEST(ProxyTunnel, ConnectHead) {
    EXPECT_EQ(httpx::transport::connect_request_head("example.com", 443, {}),
              "CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\nAccept: */*\r\n\r\n");
    EXPECT_EQ(httpx::transport::connect_request_head("::1", 8443, {{"Proxy-Authorization", "x"}}),
              "CONNECT [::1]:8443 HTTP/1.1\r\nHost: [::1]:8443\r\nAccept: */*\r\n"
              "Proxy-Authorization: x\r\n\r\n");
}

TEST(ProxyForwarding, AbsoluteFormTargetAndProxyHeadersFirst) {
    httpx::Request request("GET", "http://example.com:8080/a/b?x=1#frag");
    request.headers().set("Accept", "text/plain");
    const httpx::Headers proxy_headers{{"Proxy-Authorization", "Basic abc"}, {"Accept", "*/*"}};
    httpx::protocol::Http11Exchange exchange;
    exchange.start(request, &proxy_headers);
    EXPECT_EQ(exchange.head(),
              "GET http://example.com:8080/a/b?x=1 HTTP/1.1\r\nProxy-Authorization: Basic abc\r\n"
              "Host: example.com:8080\r\nAccept: text/plain\r\n\r\n");
    // The request's "target" extension still wins.
    httpx::Request star("OPTIONS", "http://example.com/");
    star.extensions()["target"] = std::string("*");
    EXPECT_EQ(httpx::protocol::forwarded_target(star), "*");
}

// Runs the CONNECT exchange over `script`; returns what was written.
std::unique_ptr<httpx::net::NetworkStream> connect_through(std::shared_ptr<Script> script) {
    httpx::net::ProxyRoute route;
    route.host = "proxy.test";
    route.port = 3128;
    route.headers = {{"Proxy-Authorization", "Basic abc"}};
    const httpx::net::Destination to{"origin.test", 443, true};
    return run_async(
        httpx::transport::open_connect_tunnel(std::make_unique<ScriptedStream>(script), to, route));
}

TEST(ProxyTunnel, TwoHundredOpensTheTunnel) {
    auto script = std::make_shared<Script>();
    script->then("HTTP/1.1 200 Connection established\r\n", 10).then("\r\n");
    auto stream = connect_through(script);
    ASSERT_NE(stream, nullptr);
    EXPECT_EQ(script->written,
              "CONNECT origin.test:443 HTTP/1.1\r\nHost: origin.test:443\r\nAccept: */*\r\n"
              "Proxy-Authorization: Basic abc\r\n\r\n");
    EXPECT_FALSE(script->closed);
}

TEST(ProxyTunnel, RefusalIsAProxyErrorAndClosesTheStream) {
    auto script = std::make_shared<Script>();
    script->then("HTTP/1.0 407 Proxy Authentication Required\r\nContent-Length: 5\r\n\r\ndenied");
    try {
        connect_through(script);
        FAIL() << "expected ProxyError";
    } catch (const httpx::ProxyError& e) {
        EXPECT_STREQ(e.what(), "407 Proxy Authentication Required");
    }
    EXPECT_TRUE(script->closed);
}

TEST(ProxyTunnel, BadAnswers) {
    auto garbage = std::make_shared<Script>();
    garbage->then("NOT HTTP\r\n\r\n");
    EXPECT_THROW(connect_through(garbage), httpx::RemoteProtocolError);

    auto silent = std::make_shared<Script>();  // the proxy closes without answering
    EXPECT_THROW(connect_through(silent), httpx::RemoteProtocolError);

    auto chatty = std::make_shared<Script>();  // bytes past the answer: nobody could send them
    chatty->then("HTTP/1.1 200 OK\r\n\r\nhello");
    EXPECT_THROW(connect_through(chatty), httpx::ProxyError);

    auto reset = std::make_shared<Script>();
    reset->then_error(boost::asio::error::connection_reset);
    EXPECT_THROW(connect_through(reset), httpx::ConnectError);

    auto unwritable = std::make_shared<Script>();
    unwritable->write_error = boost::asio::error::broken_pipe;
    EXPECT_THROW(connect_through(unwritable), httpx::ConnectError);
}

}  // namespace
