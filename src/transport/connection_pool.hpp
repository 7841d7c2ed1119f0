// The connection pool behind AsyncHTTPTransport: per-origin idle connections, a global limit,
// FIFO waiters, HTTP/2 connections shared by many requests. It knows no protocol: its
// bookkeeping is the PoolLedger's (sans-I/O), its connections answer the questions of
// transport::Connection, and the protocol is chosen where a connection is made
// (connection_factory). This file adds the I/O: locking, waiting, opening, and the retry of a
// request that a connection never processed.
#pragma once

#include "httpx/config.hpp"
#include "httpx/http_transport.hpp"
#include "net/connector.hpp"
#include "net/network_stream.hpp"
#include "transport/connection.hpp"
#include "transport/pool_ledger.hpp"

#include <chrono>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace httpx::transport {

class ConnectionPool final : public std::enable_shared_from_this<ConnectionPool>,
                             public ConnectionOwner {
public:
    /// `settings` say which protocols the pool may speak; `connector` opens its connections.
    ConnectionPool(Limits limits, net::ConnectSettings settings,
                   std::shared_ptr<net::Connector> connector);
    ~ConnectionPool();

    /// Sends `request` on a pooled connection (opening one when needed). `self` is this pool:
    /// the exchange keeps it alive (the transport need not wrap the call in a coroutine).
    static awaitable<Response> handle_request(std::shared_ptr<ConnectionPool> self,
                                              Request& request);
    /// Closes every idle connection and refuses new requests; active ones close when released.
    void close();
    AsyncHTTPTransport::PoolStats stats() const;
    /// Tests only: opens the connections from now on with `connector`; call before the first
    /// request.
    void set_connector(std::shared_ptr<net::Connector> connector) {
        connector_ = std::move(connector);
    }
    /// What the pool's connections are opened with (for tests to wrap).
    const net::ConnectSettings& settings() const noexcept { return settings_; }

    void request_ended(PoolEntry& entry, bool reusable) override;
    void connection_changed(Connection& connection) override;

private:
    // Where a request goes: its origin's key ("scheme://host:port", built in `buffer`, or in
    // `long_key` when longer), its port and scheme. Nullopt for a URL the pool does not serve.
    struct Target {
        std::string_view origin;
        int port = 0;
        bool tls = false;
    };
    static std::optional<Target> target_of(const URL& url, std::span<char, 64> buffer,
                                           std::string& long_key);
    // A grant taken as the request was made, given back if the request is dropped unstarted.
    class Claim;
    static awaitable<Response> run(std::shared_ptr<ConnectionPool> self, Request& request,
                                   Claim claim);
    // A grant that will not be used: its connection goes back, or its opening is called off.
    void give_back(PoolGrant& grant);
    // A connection (or the right to open one) at once when there is one, else a wait in the
    // queue (handle_request has already tried at once for the first attempt). The waiter is queued
    // inside this coroutine: a cancelled caller's `co_await` throws before the coroutine starts,
    // and no waiter is left queued for nobody.
    awaitable<PoolGrant> acquire(Target target,
                                 std::optional<std::chrono::duration<double>> timeout, bool fresh);
    // Opens the connection of a grant that has none.
    awaitable<void> open(PoolGrant& grant, const Request& request, const Target& target,
                         std::optional<std::chrono::duration<double>> timeout);
    bool may_multiplex(bool tls) const noexcept;

    net::ConnectSettings settings_;
    std::shared_ptr<net::Connector> connector_;
    mutable std::mutex mutex_;
    PoolLedger ledger_;  // guarded by mutex_
};

}  // namespace httpx::transport
