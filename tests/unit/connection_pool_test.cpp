// The real connection pool (through AsyncHTTPTransport) over scripted connections: a connector
// that hands out in-memory streams playing a script (support/scripted_stream.hpp), no socket.
// Each test asserts the pool's state after each step, in HTTPX's words: connections open, idle,
// requests waiting (pool_stats()), and which connection each request went on.
#include "transport/connection_pool.hpp"

#include "net/connector.hpp"
#include "run_async.hpp"
#include "scripted_stream.hpp"
#include "transport/http_transport_access.hpp"

#include <httpx/async_client.hpp>
#include <httpx/http_transport.hpp>

#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include "httpx/network_stream.hpp"

#include <deque>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace {

using httpx::awaitable;
using httpx::test::Script;

constexpr std::string_view kHello = "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello";
constexpr std::string_view kUrl = "http://example.test/";

// Opens a scripted stream per connect, in order (an empty script when the test gave none).
class ScriptedConnector final : public httpx::net::Connector {
public:
    std::deque<std::shared_ptr<Script>> scripts;
    std::vector<std::shared_ptr<Script>> opened;

    awaitable<std::unique_ptr<httpx::net::NetworkStream>> connect(
        const httpx::net::Destination&, std::optional<std::chrono::duration<double>>) override {
        std::shared_ptr<Script> script = std::make_shared<Script>();
        if (!scripts.empty()) {
            script = scripts.front();
            scripts.pop_front();
        }
        opened.push_back(script);
        co_return std::make_unique<httpx::test::ScriptedStream>(script);
    }
};

struct Stats {
    std::size_t connections, idle, waiting;
    bool operator==(const Stats&) const = default;
};

awaitable<void> get_status(httpx::AsyncClient& client, int& status) {
    httpx::Response response = co_await client.get(httpx::URL(kUrl));
    status = response.status_code();
}

class ConnectionPoolTest : public ::testing::Test {
protected:
    void make_client(httpx::Limits limits = {}) {
        httpx::HTTPTransportOptions options;
        options.limits = limits;
        transport_ = std::make_shared<httpx::AsyncHTTPTransport>(options);
        httpx::detail::HTTPTransportAccess::set_connector(*transport_, connector_);
        httpx::ClientOptions client_options;
        client_options.transport = transport_;
        client_ = std::make_unique<httpx::AsyncClient>(std::move(client_options));
    }
    Stats stats() const {
        const auto s = transport_->pool_stats();
        return {s.connections, s.idle, s.waiting};
    }
    int get() {
        return httpx::test::run_on(io_, [](httpx::AsyncClient& client) -> awaitable<int> {
            httpx::Response response = co_await client.get(httpx::URL(kUrl));
            co_return response.status_code();
        }(*client_));
    }

    boost::asio::io_context io_;
    std::shared_ptr<ScriptedConnector> connector_ = std::make_shared<ScriptedConnector>();
    std::shared_ptr<httpx::AsyncHTTPTransport> transport_;
    std::unique_ptr<httpx::AsyncClient> client_;
};

TEST_F(ConnectionPoolTest, AKeepAliveConnectionIsIdleBetweenRequestsAndReused) {
    auto script = std::make_shared<Script>();
    script->then(kHello).then(kHello);
    connector_->scripts.push_back(script);
    make_client();
    EXPECT_EQ(stats(), (Stats{0, 0, 0}));
    EXPECT_EQ(get(), 200);
    EXPECT_EQ(stats(), (Stats{1, 1, 0}));
    EXPECT_EQ(get(), 200);
    EXPECT_EQ(stats(), (Stats{1, 1, 0}));
    ASSERT_EQ(connector_->opened.size(), 1u);
    EXPECT_EQ(script->written.find("GET / HTTP/1.1\r\n"), 0u);
    EXPECT_NE(script->written.find("GET / HTTP/1.1\r\n", 1), std::string::npos);
}

TEST_F(ConnectionPoolTest, ARequestThatMetAStaleConnectionGoesAgainOnANewOne) {
    // The first connection answers once, then its server is gone (end of stream): the second
    // request finds it closed before a byte of answer, and the pool's loop sends it again.
    auto first = std::make_shared<Script>();
    first->then(kHello);
    auto second = std::make_shared<Script>();
    second->then(kHello);
    connector_->scripts = {first, second};
    make_client();
    EXPECT_EQ(get(), 200);
    EXPECT_EQ(get(), 200);
    ASSERT_EQ(connector_->opened.size(), 2u);
    EXPECT_TRUE(first->closed);
    EXPECT_FALSE(second->closed);
    EXPECT_EQ(stats(), (Stats{1, 1, 0}));
}

TEST_F(ConnectionPoolTest, AConnectionClosedByItsResponseIsNotKeptIdle) {
    auto script = std::make_shared<Script>();
    script->then("HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 2\r\n\r\nok");
    connector_->scripts.push_back(script);
    make_client();
    EXPECT_EQ(get(), 200);
    EXPECT_EQ(stats(), (Stats{0, 0, 0}));
    EXPECT_TRUE(script->closed);
}

TEST_F(ConnectionPoolTest, ARequestWaitsForTheOnlyConnectionThenTakesIt) {
    auto script = std::make_shared<Script>();
    script->then(kHello).then(kHello);
    connector_->scripts.push_back(script);
    httpx::Limits limits;
    limits.max_connections = 1;
    make_client(limits);
    int waiting_status = 0;
    std::vector<Stats> seen;
    httpx::test::run_on(io_, [&]() -> awaitable<void> {
        httpx::Response streamed = co_await client_->stream("GET", httpx::URL(kUrl));
        seen.push_back(stats());  // the connection is busy with the unread body
        boost::asio::co_spawn(io_, get_status(*client_, waiting_status), boost::asio::detached);
        for (int i = 0; i < 10 && stats().waiting == 0; ++i)
            co_await httpx::sleep(std::chrono::milliseconds(1));
        seen.push_back(stats());  // the second request waits for it
        co_await streamed.aread();
        for (int i = 0; i < 100 && waiting_status == 0; ++i)
            co_await httpx::sleep(std::chrono::milliseconds(1));
        seen.push_back(stats());  // both done: the connection is idle again
    }());
    EXPECT_EQ(waiting_status, 200);
    EXPECT_EQ(seen, (std::vector<Stats>{{1, 0, 0}, {1, 0, 1}, {1, 1, 0}}));
    EXPECT_EQ(connector_->opened.size(), 1u);
}

TEST_F(ConnectionPoolTest, AnUpgradeHandsTheStreamOverAndHoldsItsPlaceUntilClosed) {
    // The head and the first bytes of the new protocol arrive in one read.
    auto script = std::make_shared<Script>();
    script->then("HTTP/1.1 101 Switching Protocols\r\nUpgrade: echo\r\n\r\nfirst");
    script->then("second");
    connector_->scripts.push_back(script);
    make_client();
    std::optional<httpx::NetworkStream> stream;
    const int status = httpx::test::run_on(
        io_,
        [](httpx::AsyncClient& client, std::optional<httpx::NetworkStream>& out) -> awaitable<int> {
            httpx::Response response = co_await client.get(httpx::URL(kUrl));
            out = std::any_cast<httpx::NetworkStream>(response.extensions()["network_stream"]);
            co_return response.status_code();
        }(*client_, stream));
    EXPECT_EQ(status, 101);
    ASSERT_TRUE(stream);
    EXPECT_EQ(stats(), (Stats{1, 0, 0}));  // not idle: the caller has it
    EXPECT_EQ(httpx::test::run_on(io_, stream->read()), "first");
    EXPECT_EQ(httpx::test::run_on(io_, stream->read()), "second");
    httpx::test::run_on(io_, stream->write("raw bytes"));
    EXPECT_NE(script->written.find("\r\n\r\nraw bytes"), std::string::npos);
    EXPECT_FALSE(script->closed);
    stream->close();
    EXPECT_TRUE(script->closed);
    EXPECT_EQ(stats(), (Stats{0, 0, 0}));
}

TEST_F(ConnectionPoolTest, ASuccessfulConnectHandsTheTunnelOver) {
    auto script = std::make_shared<Script>();
    script->then("HTTP/1.1 200 Connection established\r\n\r\ntunnelled");
    connector_->scripts.push_back(script);
    make_client();
    std::optional<httpx::NetworkStream> stream;
    const int status = httpx::test::run_on(
        io_,
        [](httpx::AsyncClient& client, std::optional<httpx::NetworkStream>& out) -> awaitable<int> {
            httpx::RequestOptions options;
            options.extensions["target"] = std::string("example.test:443");
            httpx::Response response =
                co_await client.request("CONNECT", httpx::URL(kUrl), std::move(options));
            out = std::any_cast<httpx::NetworkStream>(response.extensions()["network_stream"]);
            co_return response.status_code();
        }(*client_, stream));
    EXPECT_EQ(status, 200);
    EXPECT_EQ(script->written.rfind("CONNECT example.test:443 HTTP/1.1\r\n", 0), 0u);
    ASSERT_TRUE(stream);
    EXPECT_EQ(stats(), (Stats{1, 0, 0}));
    EXPECT_EQ(httpx::test::run_on(io_, stream->read()), "tunnelled");
    stream->close();
    EXPECT_EQ(stats(), (Stats{0, 0, 0}));
}

}  // namespace
