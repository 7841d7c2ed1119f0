// Test helper: what every test of a real client needs, written once. An io_context that outlives
// the client (pooled sockets belong to the io_context they were opened on), `run()` to await on
// it from a test body, and `make_client()` for a client over an explicit AsyncHTTPTransport, so
// that a test can read its pool_stats().
#pragma once

#include "run_async.hpp"

#include <httpx/async_client.hpp>
#include <httpx/config.hpp>
#include <httpx/http_transport.hpp>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>

#include <chrono>
#include <memory>
#include <utility>

namespace httpx::test {

/// A base of a gtest fixture: `struct MyTest : ::testing::Test, httpx::test::ClientFixture`.
struct ClientFixture {
    boost::asio::io_context io;  // declared first: destroyed after the client and its connections
    std::shared_ptr<AsyncHTTPTransport> transport;
    std::unique_ptr<AsyncClient> client;

    /// Runs `task` to completion on `io` and returns its result (or throws its exception).
    template <class T>
    T run(boost::asio::awaitable<T> task) {
        return run_on(io, std::move(task));
    }

    /// Replaces the client (the old one goes first) with one on a new AsyncHTTPTransport.
    void make_client(HTTPTransportOptions transport_options = {},
                     Timeout timeout = Timeout(std::chrono::seconds(10))) {
        client.reset();
        transport = std::make_shared<AsyncHTTPTransport>(std::move(transport_options));
        ClientOptions options;
        options.transport = transport;
        options.timeout = timeout;
        client = std::make_unique<AsyncClient>(std::move(options));
    }
};

}  // namespace httpx::test
