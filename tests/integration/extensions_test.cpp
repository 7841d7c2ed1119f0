// HTTPX's extensions end to end against the test server: "network_stream" after a 101,
// "stream_id" over HTTP/2, and "target".
#include "httpx/network_stream.hpp"

#include <gtest/gtest.h>

#include "httpx/httpx.hpp"
#include "plain_and_tls_servers.hpp"
#include "run_async.hpp"
#include "test_server.hpp"

#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/io_context.hpp>

#include <memory>
#include <string>

namespace asio = boost::asio;
using namespace std::chrono_literals;
using namespace boost::asio::experimental::awaitable_operators;
using httpx::awaitable;
using httpx::test::run_on;
using httpx::testing::TestServer;

namespace {

httpx::NetworkStream network_stream_of(httpx::Response& response) {
    auto it = response.extensions().find("network_stream");
    if (it == response.extensions().end()) throw std::runtime_error("no network_stream");
    return std::any_cast<httpx::NetworkStream>(it->second);
}

// Reads until `want` bytes came (or the stream ended).
awaitable<std::string> read_exactly(httpx::NetworkStream stream, std::size_t want) {
    std::string got;
    while (got.size() < want) {
        httpx::Bytes piece = co_await stream.read(64 * 1024, 5s);
        if (piece.empty()) break;
        got += piece;
    }
    co_return got;
}

// Upgrades, then: the server's greeting, a short exchange and a large one both ways.
awaitable<std::string> talk(httpx::AsyncClient& client, std::string url,
                            std::shared_ptr<httpx::AsyncHTTPTransport> transport,
                            std::vector<std::size_t>& connections) {
    httpx::RequestOptions options;
    options.headers.set("Connection", "Upgrade");
    options.headers.set("Upgrade", "echo");
    httpx::Response response = co_await client.get(url, std::move(options));
    if (response.status_code() != 101) co_return "status " + std::to_string(response.status_code());
    httpx::NetworkStream stream = network_stream_of(response);
    std::string log = co_await read_exactly(stream, 8);  // "welcome\n"
    co_await stream.write("ping");
    log += co_await read_exactly(stream, 4);
    const std::string big = httpx::testing::pattern(0, 300 * 1024);
    // Written while read: the echo comes back before the whole of it went out.
    const std::string echoed = co_await (stream.write(big) && read_exactly(stream, big.size()));
    log += echoed == big ? " big ok" : " big differs";
    connections.push_back(transport->pool_stats().connections);
    co_await stream.aclose();
    connections.push_back(transport->pool_stats().connections);
    co_return log;
}

struct Extensions : ::testing::Test {
    httpx::test::PlainAndTlsServers servers{"extensions"};
    asio::io_context io;

    std::shared_ptr<httpx::AsyncHTTPTransport> transport(httpx::HTTPTransportOptions options = {}) {
        options.verify = servers.certs.ca_cert;
        return std::make_shared<httpx::AsyncHTTPTransport>(options);
    }
    static httpx::ClientOptions with(std::shared_ptr<httpx::AsyncHTTPTransport> transport) {
        httpx::ClientOptions options;
        options.transport = std::move(transport);
        return options;
    }
};

TEST_F(Extensions, NetworkStreamAfter101CarriesBytesBothWays) {
    for (const std::string& origin : {servers.plain.origin(), servers.tls_origin()}) {
        auto pool = transport();
        httpx::AsyncClient client(with(pool));
        std::vector<std::size_t> connections;
        EXPECT_EQ(run_on(io, talk(client, origin + "/upgrade/echo", pool, connections)),
                  "welcome\nping big ok")
            << origin;
        // Counted by the pool while open, gone once closed.
        EXPECT_EQ(connections, (std::vector<std::size_t>{1, 0})) << origin;
        // The pool serves other requests on new connections.
        EXPECT_EQ(run_on(io, client.get(origin + "/")).text(), "Hello, world!");
    }
}

TEST_F(Extensions, NetworkStreamTellsItsTlsFacts) {
    auto pool = transport();
    httpx::AsyncClient client(with(pool));
    httpx::RequestOptions options;
    options.headers.set("Upgrade", "echo");
    httpx::Response response =
        run_on(io, client.get(servers.tls_origin() + "/upgrade/echo", std::move(options)));
    httpx::NetworkStream stream = network_stream_of(response);
    ASSERT_NE(stream.tls(), nullptr);
    EXPECT_EQ(stream.tls()->alpn, "http/1.1");
    EXPECT_EQ(stream.tls()->peer_subject, "CN=localhost,O=httpxx tests");
    EXPECT_FALSE(stream.is_closed());
    stream.close();
    EXPECT_TRUE(stream.is_closed());
    EXPECT_THROW(run_on(io, stream.read()), httpx::ReadError);
    EXPECT_THROW(run_on(io, stream.write("x")), httpx::WriteError);
}

TEST_F(Extensions, AnOpenNetworkStreamHoldsItsPlaceInThePool) {
    httpx::HTTPTransportOptions options;
    options.limits.max_connections = 1;
    auto pool = transport(options);
    httpx::ClientOptions client_options = with(pool);
    client_options.timeout = httpx::Timeout(5s, {.pool = 0.2s});
    httpx::AsyncClient client(client_options);
    httpx::RequestOptions upgrade;
    upgrade.headers.set("Upgrade", "echo");
    httpx::Response response =
        run_on(io, client.get(servers.plain.origin() + "/upgrade/echo", std::move(upgrade)));
    EXPECT_THROW(run_on(io, client.get(servers.plain.origin() + "/")), httpx::PoolTimeout);
    {
        // Dropping every handle (the response's included) closes it too.
        httpx::Response dropped = std::move(response);
        EXPECT_EQ(network_stream_of(dropped).is_closed(), false);
    }
    EXPECT_EQ(pool->pool_stats().connections, 0u);
    EXPECT_EQ(run_on(io, client.get(servers.plain.origin() + "/")).text(), "Hello, world!");
}

TEST_F(Extensions, Http2ResponsesCarryTheirStreamId) {
    TestServer::Options server_options;
    server_options.http2 = true;
    TestServer server(server_options);
    server.start();
    httpx::HTTPTransportOptions options;
    options.http1 = false;
    options.http2 = true;  // prior knowledge over TCP
    httpx::AsyncClient client(with(transport(options)));
    auto stream_id = [](httpx::Response r) {
        return std::any_cast<int>(r.extensions()["stream_id"]);
    };
    EXPECT_EQ(stream_id(run_on(io, client.get(server.origin() + "/"))), 1);
    EXPECT_EQ(stream_id(run_on(io, client.get(server.origin() + "/"))), 3);  // same connection

    httpx::AsyncClient http1(with(transport()));
    EXPECT_FALSE(run_on(io, http1.get(server.origin() + "/")).extensions().contains("stream_id"));
}

TEST_F(Extensions, TargetIsSentVerbatim) {
    TestServer::Options server_options;
    server_options.http2 = true;
    TestServer server(server_options);
    server.start();
    httpx::AsyncClient client(with(transport()));
    httpx::RequestOptions star;
    star.extensions["target"] = std::string("*");
    EXPECT_EQ(run_on(io, client.options(server.origin() + "/", std::move(star))).text(),
              "target: *");
    httpx::RequestOptions absolute;
    absolute.extensions["target"] = "http://example.com/anywhere?q=1";  // a literal works too
    EXPECT_EQ(run_on(io, client.get(server.origin() + "/", std::move(absolute))).text(),
              "target: http://example.com/anywhere?q=1");
    // An origin form overrides the URL's path, over HTTP/2 (":path") as well.
    httpx::HTTPTransportOptions h2;
    h2.http1 = false;
    h2.http2 = true;
    httpx::AsyncClient http2(with(transport(h2)));
    httpx::RequestOptions path;
    path.extensions["target"] = std::string("/status/204");
    EXPECT_EQ(run_on(io, http2.get(server.origin() + "/", std::move(path))).status_code(), 204);
    httpx::RequestOptions wrong;
    wrong.extensions["target"] = 42;
    EXPECT_THROW(run_on(io, client.get(server.origin() + "/", std::move(wrong))),
                 std::invalid_argument);
}

}  // namespace
