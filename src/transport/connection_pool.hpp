// The connection pool behind AsyncHTTPTransport: per-origin idle connections, a global limit,
// FIFO waiters. Every event (acquire, release, timeout, cancel) is O(1): no scan of queued
// requests (httpcore's O(n^2) pool made one user wait 40 minutes at 16,000 requests).
#pragma once

#include "httpx/config.hpp"
#include "httpx/http_transport.hpp"
#include "net/network_stream.hpp"
#include "transport/http11_connection.hpp"

#include <chrono>
#include <list>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>

namespace httpx::transport {

class ConnectionPool : public std::enable_shared_from_this<ConnectionPool> {
public:
    ConnectionPool(Limits limits, net::ConnectSettings settings);
    ~ConnectionPool();

    /// Sends `request` on a pooled connection (opening one when needed).
    awaitable<Response> handle_request(Request& request);
    /// Closes every idle connection and refuses new requests; active ones close when released.
    void close();
    AsyncHTTPTransport::PoolStats stats() const;

    struct Waiter;

private:
    struct Lease {
        std::shared_ptr<Http11Connection> connection;  // an idle one to reuse, or null: open one
    };
    struct Origin {
        std::list<std::shared_ptr<Http11Connection>> idle;  // most recently used at the back
        std::list<std::shared_ptr<Waiter>> waiters;
    };

    awaitable<Lease> acquire(const std::string& origin,
                             std::optional<std::chrono::duration<double>> timeout);
    void release(const std::shared_ptr<Http11Connection>& connection, bool reusable);
    // With the lock held: gives freed capacity to the longest waiting request, if any.
    void hand_over_slot_locked();
    bool expired_locked(const Http11Connection& connection) const;
    // With the lock held: closes the least recently used idle connection of any origin.
    bool evict_idle_locked();

    Limits limits_;
    net::ConnectSettings settings_;
    mutable std::mutex mutex_;
    std::unordered_map<std::string, Origin> origins_;
    std::list<std::shared_ptr<Waiter>> waiters_;  // every waiter, oldest first
    std::size_t connections_ = 0;                 // open or being opened, idle included
    std::size_t idle_ = 0;
    bool closed_ = false;
};

}  // namespace httpx::transport
