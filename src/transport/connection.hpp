// What the pool asks of every connection, HTTP/1.1 or HTTP/2 alike (httpcore's interfaces.py),
// and the one way a connection tells its pool about itself.
#pragma once

#include "httpx/config.hpp"
#include "httpx/request.hpp"
#include "httpx/response.hpp"

#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <utility>

namespace httpx::transport {

class Connection;
struct PoolEntry;  // the pool's bookkeeping of one connection (pool_ledger.hpp)

/// Who a connection answers to: told when a request on it ends and when its answers change.
/// Calls come without the connection's lock held.
class ConnectionOwner {
public:
    /// A request on the connection ended (its response done with, or the request failed).
    /// `reusable` false: the connection must not carry another request.
    virtual void request_ended(PoolEntry& entry, bool reusable) = 0;
    /// The connection's answers changed (its capacity became known, it is no longer available).
    virtual void connection_changed(Connection& connection) = 0;

protected:
    ~ConnectionOwner() = default;
};

/// One request's right to use a connection, given by its owner with the request. Ending it
/// (once) tells the owner the request is over; dropped without end(), it ends reusable (a
/// cancelled caller whose request never started).
class Lease {
public:
    Lease() = default;
    Lease(std::shared_ptr<ConnectionOwner> owner, PoolEntry* entry, bool reused)
        : owner_(std::move(owner)), entry_(entry), reused_(reused) {}
    Lease(Lease&& other) noexcept
        : owner_(std::move(other.owner_)), entry_(other.entry_), reused_(other.reused_) {}
    Lease& operator=(Lease&& other) noexcept {
        if (this != &other) {
            end(true);
            owner_ = std::move(other.owner_);
            entry_ = other.entry_;
            reused_ = other.reused_;
        }
        return *this;
    }
    ~Lease() { end(true); }

    void end(bool reusable) {
        if (auto owner = std::move(owner_)) owner->request_ended(*entry_, reusable);
    }
    explicit operator bool() const noexcept { return owner_ != nullptr; }
    /// The connection carried requests before this one (it may have gone stale meanwhile).
    bool reused() const noexcept { return reused_; }

private:
    std::shared_ptr<ConnectionOwner> owner_;
    PoolEntry* entry_ = nullptr;
    bool reused_ = false;
};

class Connection {
public:
    virtual ~Connection() = default;
    /// "scheme://host:port", the pool's key.
    virtual const std::string& origin() const noexcept = 0;
    /// How many requests it carries at once; nullopt while not known yet (an HTTP/2 connection
    /// before the server's SETTINGS).
    virtual std::optional<std::size_t> capacity() const = 0;
    /// Whether it may take new requests once it has room (no GOAWAY, no failure).
    virtual bool is_available() const = 0;
    /// True when the peer closed or sent something while the connection sat idle: it must not
    /// carry another request.
    virtual bool is_readable() const = 0;
    virtual void close() noexcept = 0;
    /// Sends `request` and reads the response head; the response's body streams from the
    /// connection. The lease ends when that body is done with, or before this throws. Throws
    /// RefusedStream when the server never processed the request (it may go elsewhere).
    virtual awaitable<Response> handle_request(Request& request, const Timeout& timeout,
                                               Lease lease) = 0;
};

}  // namespace httpx::transport
