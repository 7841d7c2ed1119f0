// The connection pool behind AsyncHTTPTransport: per-origin idle connections, a global limit,
// FIFO waiters, HTTP/2 connections shared by many requests. Every event (acquire, release,
// timeout, cancel, a connection's SETTINGS or GOAWAY) is O(1) per request it affects: no scan of
// queued requests (httpcore's O(n^2) pool made one user wait 40 minutes at 16,000 requests).
#pragma once

#include "httpx/config.hpp"
#include "httpx/http_transport.hpp"
#include "net/connector.hpp"
#include "net/network_stream.hpp"
#include "transport/http11_connection.hpp"
#include "transport/http2_connection.hpp"

#include <chrono>
#include <list>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>

namespace httpx::transport {

class ConnectionPool : public std::enable_shared_from_this<ConnectionPool>,
                       public Http11Connection::Owner,
                       public Http2Connection::Observer {
public:
    /// `settings` say which protocols the pool may speak; `connector` opens its connections.
    ConnectionPool(Limits limits, net::ConnectSettings settings,
                   std::shared_ptr<net::Connector> connector);
    ~ConnectionPool() override;

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

    /// An HTTP/1.1 exchange is over: the connection goes back to the pool (or is closed).
    void release(Http11Connection& connection, bool reusable) override;
    awaitable<Response> send_again(Request& request) override;
    void on_http2_settings(const std::shared_ptr<Http2Connection>& connection,
                           std::uint32_t max_streams) override;
    void on_http2_unusable(const std::shared_ptr<Http2Connection>& connection) override;

    struct Waiter;

private:
    // What acquire() hands out: an idle HTTP/1.1 connection, a stream slot on an HTTP/2
    // connection, or (neither) the capacity to open a new connection.
    struct Lease {
        std::shared_ptr<Http11Connection> connection;
        std::shared_ptr<Http2Connection> http2;
        bool may_be_http2 = false;  // a new connection counted in its origin's `connecting_h2`
    };
    enum class Protocol { unknown, http11, http2 };
    struct Origin {
        bool tls = false;
        Protocol protocol = Protocol::unknown;  // what the last connection turned out to speak
        std::list<std::shared_ptr<Connection>> idle;  // most recently used at the back
        // HTTP/2 connections with streams in use and room for more.
        std::list<std::shared_ptr<Http2Connection>> available;
        std::list<std::shared_ptr<Waiter>> waiters;  // every waiter for this origin
        // Waiters held back for a connection being opened that may speak HTTP/2.
        std::list<std::shared_ptr<Waiter>> parked;
        // Connections being opened that may speak HTTP/2 (until their SETTINGS arrive).
        std::size_t connecting_h2 = 0;
    };

    // `fresh`: the request failed on a stale connection, it goes on a new one.
    awaitable<Response> handle_request_impl(std::shared_ptr<ConnectionPool> self, Request& request,
                                            bool fresh);
    // Where a request goes: its origin's key ("scheme://host:port", built in `buffer`, or in
    // `long_key` when longer), its port and scheme. Nullopt for a URL the pool does not serve.
    struct Target {
        std::string_view origin;
        int port = 0;
        bool tls = false;
    };
    static std::optional<Target> target_of(const URL& url, std::span<char, 64> buffer,
                                           std::string& long_key);
    // Fills `lease` and returns true when a request can proceed at once (the common case, no
    // coroutine frame). Otherwise returns false, after queuing a waiter in `*waiter` if given.
    // `fresh`: never a connection used before (idle, or handed over by release()), for the
    // retry of a request a stale connection failed; an HTTP/2 stream is fine.
    // `idle_http11_only`: nothing but an idle HTTP/1.1 connection (handle_request's fast path;
    // false when the pool is closed rather than an exception).
    bool try_acquire(std::string_view origin, bool tls, Lease& lease,
                     std::shared_ptr<Waiter>* waiter, bool fresh = false,
                     bool idle_http11_only = false);
    // try_acquire(), then waits in the queue. The waiter is queued inside this coroutine: a
    // cancelled caller's `co_await` throws before the coroutine starts, and no waiter is left
    // queued for nobody.
    awaitable<Lease> acquire(std::string_view origin, bool tls,
                             std::optional<std::chrono::duration<double>> timeout, bool fresh);
    void release_stream(const std::shared_ptr<Http2Connection>& connection);
    // The remaining helpers run with the lock held.
    // The origin's entry, made on first use; looked up by a view (no key string per request).
    Origin& origin_locked(std::string_view key);
    // Appends to the origin's idle list, reusing a list node freed before (no allocation per
    // release).
    std::list<std::shared_ptr<Connection>>::iterator push_idle_locked(
        Origin& origin, std::shared_ptr<Connection> connection);
    // Gives freed capacity to the longest waiting requests, if any.
    void hand_over_slot_locked();
    // A new connection, counted; `may_be_http2` when it must be waited for by its origin.
    Lease open_lease_locked(Origin& origin);
    // By value: the caller's reference may be the queue entry this erases.
    void grant_locked(std::shared_ptr<Waiter> waiter, Lease lease);
    // Origin waiters parked for an HTTP/2 connection that did not come (or is full): they
    // proceed as any request (a new connection, or the global queue).
    void unpark_locked(Origin& origin);
    // A stream slot on `connection` for the oldest waiters of its origin, while it has room.
    void serve_waiters_locked(Origin& origin, const std::shared_ptr<Http2Connection>& connection);
    void take_stream_locked(Origin& origin, const std::shared_ptr<Http2Connection>& connection);
    void update_available_locked(Origin& origin,
                                 const std::shared_ptr<Http2Connection>& connection);
    void connecting_done_locked(Origin& origin);
    // Closes an HTTP/2 connection for good and frees its capacity.
    void retire_locked(const std::shared_ptr<Http2Connection>& connection);
    bool may_be_http2(const Origin& origin) const;
    bool expired_locked(const Connection& connection,
                        std::chrono::steady_clock::time_point now) const;
    // Closes the least recently used idle connection of any origin.
    bool evict_idle_locked();
    void remove_idle_locked(Origin& origin, std::list<std::shared_ptr<Connection>>::iterator it);

    Limits limits_;
    net::ConnectSettings settings_;
    std::shared_ptr<net::Connector> connector_;
    mutable std::mutex mutex_;
    // Looked up by std::string_view too (heterogeneous lookup).
    struct KeyHash {
        using is_transparent = void;
        std::size_t operator()(std::string_view key) const noexcept {
            return std::hash<std::string_view>{}(key);
        }
    };
    std::unordered_map<std::string, Origin, KeyHash, std::equal_to<>> origins_;
    std::list<std::shared_ptr<Connection>> spare_idle_nodes_;  // empty nodes for push_idle_locked
    std::list<std::shared_ptr<Waiter>> waiters_;               // waiting for capacity, oldest first
    std::size_t connections_ = 0;  // open or being opened, idle included
    std::size_t idle_ = 0;         // idle connections (no request in flight)
    std::size_t waiting_ = 0;      // requests waiting, parked ones included
    bool closed_ = false;
};

}  // namespace httpx::transport
