// Proxies against real ones, started by tests/interop/proxies.sh: squid (forwarding, CONNECT,
// its https_port as an HTTPS proxy, Basic auth and its 407s) and tinyproxy (forwarding,
// CONNECT, 407), with nginx and the project's test server as origins, HTTP/1.1 and HTTP/2
// inside the tunnels.
#include <gtest/gtest.h>

#include "httpx/httpx.hpp"
#include "interop_support.hpp"
#include "run_async.hpp"
#include "test_certificates.hpp"
#include "test_server.hpp"

#include <boost/asio/io_context.hpp>

#include <filesystem>
#include <memory>
#include <string>

namespace asio = boost::asio;
using namespace std::chrono_literals;
using httpx::interop::env;
using httpx::interop::NginxAccessLog;
using httpx::test::run_on;
using httpx::testing::TestServer;

namespace {

struct ProxyInterop : ::testing::Test {
    std::string squid, squid_tls, squid_auth, tinyproxy, tinyproxy_auth;
    std::string nginx, nginx_tls, nginx_h2, ca, access_log;
    asio::io_context io;

    void SetUp() override {
        squid = env("HTTPXX_INTEROP_SQUID_URL");
        squid_tls = env("HTTPXX_INTEROP_SQUID_TLS_URL");
        squid_auth = env("HTTPXX_INTEROP_SQUID_AUTH_URL");
        tinyproxy = env("HTTPXX_INTEROP_TINYPROXY_URL");
        tinyproxy_auth = env("HTTPXX_INTEROP_TINYPROXY_AUTH_URL");
        nginx = env("HTTPXX_INTEROP_NGINX_URL");
        nginx_tls = env("HTTPXX_INTEROP_NGINX_TLS_URL");
        nginx_h2 = env("HTTPXX_INTEROP_NGINX_H2_TLS_URL");
        ca = env("HTTPXX_INTEROP_CA");
        access_log = env("HTTPXX_INTEROP_NGINX_ACCESS_LOG");
        if (squid.empty() || tinyproxy.empty() || nginx.empty())
            GTEST_SKIP() << "run through tests/interop/run.sh (HTTPXX_INTEROP_* unset)";
    }

    std::shared_ptr<httpx::AsyncHTTPTransport> transport(httpx::Proxy proxy, bool http2 = false,
                                                         std::string verify = "") {
        httpx::HTTPTransportOptions options;
        options.verify = verify.empty() ? ca : verify;
        options.http2 = http2;
        options.proxy = std::move(proxy);
        return std::make_shared<httpx::AsyncHTTPTransport>(std::move(options));
    }

    httpx::Response get(std::shared_ptr<httpx::AsyncHTTPTransport> t, const std::string& url) {
        return run_on(io, [&]() -> httpx::awaitable<httpx::Response> {
            httpx::ClientOptions options;
            options.transport = t;
            options.timeout = httpx::Timeout(10s);
            httpx::AsyncClient client(std::move(options));
            httpx::Response r = co_await client.get(url);
            co_return r;
        }());
    }

    static httpx::Proxy with_auth(const std::string& url, std::string password) {
        httpx::Proxy::Options options;
        options.auth = httpx::Credentials{"user", std::move(password)};
        return httpx::Proxy(url, options);
    }

    // The ProxyError of a request through `t`, or "" when none was thrown.
    std::string proxy_error(std::shared_ptr<httpx::AsyncHTTPTransport> t, const std::string& url) {
        try {
            get(t, url);
        } catch (const httpx::ProxyError& e) {
            return e.what();
        }
        return "";
    }
};

TEST_F(ProxyInterop, SquidForwardsPlainHttp) {
    httpx::Response r = get(transport(squid), nginx + "/hello.txt");
    EXPECT_EQ(r.status_code(), 200);
    EXPECT_EQ(r.text(), "Hello from nginx!\n");
    EXPECT_NE(r.headers().get("Via").value_or("").find("squid"), std::string::npos);
}

TEST_F(ProxyInterop, SquidTunnelsHttpsAndKeepsTheTunnel) {
    auto t = transport(squid);
    const std::string marker = NginxAccessLog::unique_marker("squid-tunnel");
    for (int i = 0; i < 3; ++i) {
        httpx::Response r = get(t, nginx_tls + "/hello.txt?" + marker);
        EXPECT_EQ(r.text(), "Hello from nginx!\n");
        EXPECT_EQ(r.headers().get("Via"), std::nullopt);  // end to end: squid sees no HTTP
    }
    NginxAccessLog log{access_log};
    EXPECT_EQ(NginxAccessLog::connection_ids(log.log_lines(marker, 3)).size(), 1u);
}

TEST_F(ProxyInterop, Http2InsideASquidTunnel) {
    httpx::Response r = get(transport(squid, true), nginx_h2 + "/hello.txt");
    EXPECT_EQ(r.http_version(), "HTTP/2");
    EXPECT_EQ(r.text(), "Hello from nginx!\n");
}

TEST_F(ProxyInterop, SquidHttpsPortAsAnHttpsProxy) {
    httpx::Proxy::Options options;
    options.verify = ca;
    httpx::Proxy proxy(squid_tls, options);
    EXPECT_EQ(get(transport(proxy), nginx + "/hello.txt").text(), "Hello from nginx!\n");
    // TLS in TLS, HTTP/2 inside.
    httpx::Response r = get(transport(proxy, true), nginx_h2 + "/hello.txt");
    EXPECT_EQ(r.http_version(), "HTTP/2");
    EXPECT_EQ(r.text(), "Hello from nginx!\n");
}

TEST_F(ProxyInterop, SquidBasicAuth) {
    // Without or with wrong credentials: a forwarded request gets squid's 407 as a response,
    // a CONNECT a ProxyError.
    EXPECT_EQ(get(transport(squid_auth), nginx + "/hello.txt").status_code(), 407);
    EXPECT_EQ(get(transport(with_auth(squid_auth, "wrong")), nginx + "/hello.txt").status_code(),
              407);
    EXPECT_EQ(proxy_error(transport(squid_auth), nginx_tls + "/hello.txt"),
              "407 Proxy Authentication Required");
    EXPECT_EQ(proxy_error(transport(with_auth(squid_auth, "wrong")), nginx_tls + "/hello.txt"),
              "407 Proxy Authentication Required");
    // Right ones, from the options or from the URL.
    EXPECT_EQ(get(transport(with_auth(squid_auth, "secret")), nginx + "/hello.txt").status_code(),
              200);
    const std::string userinfo = "http://user:secret@" + squid_auth.substr(7);
    EXPECT_EQ(get(transport(userinfo), nginx_tls + "/hello.txt").status_code(), 200);
}

TEST_F(ProxyInterop, TinyproxyForwardsAndTunnels) {
    EXPECT_EQ(get(transport(tinyproxy), nginx + "/hello.txt").text(), "Hello from nginx!\n");
    EXPECT_EQ(get(transport(tinyproxy), nginx_tls + "/hello.txt").text(), "Hello from nginx!\n");
    httpx::Response r = get(transport(tinyproxy, true), nginx_h2 + "/hello.txt");
    EXPECT_EQ(r.http_version(), "HTTP/2");
}

TEST_F(ProxyInterop, Tinyproxy407) {
    EXPECT_EQ(get(transport(tinyproxy_auth), nginx + "/hello.txt").status_code(), 407);
    EXPECT_EQ(proxy_error(transport(tinyproxy_auth), nginx_tls + "/hello.txt"),
              "407 Proxy Authentication Required");
    EXPECT_EQ(
        get(transport(with_auth(tinyproxy_auth, "secret")), nginx_tls + "/hello.txt").status_code(),
        200);
}

// The project's test server as the origin behind both proxies: HTTP/1.1 and HTTP/2 tunnels.
TEST_F(ProxyInterop, TestServerBehindSquidAndTinyproxy) {
    const auto dir = std::filesystem::temp_directory_path() /
                     ("httpxx-proxy-interop-" + std::to_string(::getpid()));
    const auto certs = httpx::testing::make_test_certificates(dir);
    TestServer plain;
    plain.start();
    TestServer::Options options;
    options.tls = certs.server();
    options.http2 = true;
    TestServer tls(options);
    tls.start();
    const std::string tls_origin = "https://localhost:" + std::to_string(tls.port());
    for (const std::string& proxy : {squid, tinyproxy}) {
        SCOPED_TRACE(proxy);
        EXPECT_EQ(get(transport(proxy, false, certs.ca_cert), plain.url("/")).text(),
                  "Hello, world!");
        httpx::Response h1 = get(transport(proxy, false, certs.ca_cert), tls_origin + "/tls/sni");
        EXPECT_EQ(h1.http_version(), "HTTP/1.1");
        EXPECT_EQ(h1.text(), "localhost");
        httpx::Response h2 =
            get(transport(proxy, true, certs.ca_cert), tls_origin + "/bytes/100000");
        EXPECT_EQ(h2.http_version(), "HTTP/2");
        EXPECT_EQ(h2.content().size(), 100000u);
    }
    std::filesystem::remove_all(dir);
}

}  // namespace
