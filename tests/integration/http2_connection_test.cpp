// One HTTP/2 connection (transport::Http2Connection) on its own against the test server (h2c),
// driven handler by handler on one thread: what its reader coroutine and its pool are left with
// when the connection stops at awkward moments.
#include "transport/http2_connection.hpp"

#include <gtest/gtest.h>

#include "httpx/httpx.hpp"
#include "net/connect.hpp"
#include "test_server.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/use_future.hpp>

namespace asio = boost::asio;
using namespace std::chrono_literals;
using httpx::testing::TestServer;
using httpx::transport::Http2Connection;

namespace {

struct H2cServer {
    std::unique_ptr<TestServer> server;
    H2cServer() {
        TestServer::Options options;
        options.http2 = true;
        server = std::make_unique<TestServer>(options);
        server->start();
    }
};

// The pool's side, as the connection reports to it.
struct RecordingObserver final : httpx::transport::ConnectionOwner {
    int unusable = 0;
    void request_ended(httpx::transport::PoolEntry&, bool) override {}
    void connection_changed(httpx::transport::Connection& connection) override {
        if (!connection.is_available()) ++unusable;
    }
};

// `executor`: the connection's (a pooled one has the executor of the request that opened it).
std::shared_ptr<Http2Connection> connect(
    asio::io_context& io, asio::any_io_executor executor, const TestServer& server,
    std::weak_ptr<httpx::transport::ConnectionOwner> observer) {
    httpx::net::ConnectSettings settings;
    settings.http1 = false;
    settings.http2 = true;
    // open_stream() keeps a reference: it must live
    const httpx::net::Destination to{"127.0.0.1", server.port(), false};
    auto opened = asio::co_spawn(io, httpx::net::open_stream(to, settings, 5s), asio::use_future);
    io.restart();
    io.run();
    auto connection = std::make_shared<Http2Connection>(opened.get(), server.origin(), executor,
                                                        std::move(observer));
    connection->start();
    return connection;
}

// Takes the connection by value: the exchange holds it while it runs, as the pool's does.
httpx::awaitable<void> exchange(std::shared_ptr<Http2Connection> connection,
                                httpx::Request& request) {
    httpx::Timeout timeout(std::nullopt);
    httpx::transport::Lease lease;  // no pool to give the connection back to
    httpx::Response response =
        co_await connection->handle_request(request, timeout, std::move(lease));
    co_await response.aread();
}

// The stream's reader is queued when its connection closes; the reader then ends without ever
// waiting, and the exchange lets go of the connection before Asio finishes the reader's
// coroutine (a last post when it never suspended), which still reaches the coroutine's
// cancellation state. That state must not die with the connection: it did (a crash in
// cancellation_slot::clear in the 10k cancellation torture; ASan, without Asio's block
// recycling, reports the use after free every time here).
TEST(Http2Connection, AReaderThatEndsAtOnceMayOutliveItsConnection) {
    H2cServer h2c;
    asio::io_context io;
    // Opened by a request on a strand (a worker's, as in the cancellation torture), which is
    // busy when the next request, from elsewhere, starts the reader: the reader is queued.
    auto worker = asio::make_strand(io);
    auto connection = connect(io, worker, *h2c.server, {});
    httpx::Request request("GET", h2c.server->url("/bytes/100"));
    std::exception_ptr error;
    bool done = false;
    io.restart();
    asio::co_spawn(io, exchange(connection, request), [&](std::exception_ptr e) {
        error = e;
        done = true;
    });
    asio::post(worker, [] {});
    // The exchange opens its stream and waits; its reader and writer wait behind the worker.
    io.run_one();
    connection->close();
    connection.reset();
    io.run();
    ASSERT_TRUE(done);
    ASSERT_TRUE(error);
    EXPECT_THROW(std::rethrow_exception(error), httpx::TransportError);
}

// A connection that takes no new streams (a GOAWAY read, an error, closed) refuses the next
// request, which the pool then sends on another connection. Its reader reports the change to the
// pool only once out of the connection's lock: the refusal tells the pool too, or on several
// threads every attempt of the request could be leased this same connection in that window
// (all five failed: "The connection takes no new streams").
TEST(Http2Connection, ARefusedStreamTellsThePoolTheConnectionTakesNoMore) {
    H2cServer h2c;
    asio::io_context io;
    auto observer = std::make_shared<RecordingObserver>();
    auto connection = connect(io, io.get_executor(), *h2c.server, observer);
    connection->close();  // stops taking streams; nobody told the pool
    EXPECT_EQ(observer->unusable, 0);
    httpx::Request request("GET", h2c.server->url("/bytes/100"));
    auto done = asio::co_spawn(io, exchange(connection, request), asio::use_future);
    io.restart();
    io.run();
    EXPECT_THROW(done.get(), httpx::transport::RefusedStream);
    EXPECT_GE(observer->unusable, 1);
}

}  // namespace
