// The connection pool's bookkeeping, without I/O: which connections exist and in which phase,
// which requests wait, and who gets a connection when one frees up. The pool (connection_pool)
// drives it under its lock and does the I/O; tests drive it directly with fake connections.
//
// Every event (acquire, a request ending, a timeout, a cancellation, a connection's capacity or
// availability changing) is O(1) per request it affects: no scan of the queued requests
// (httpcore's O(n^2) pool made one user wait 40 minutes at 16,000 requests).
#pragma once

#include "httpx/config.hpp"

#include <chrono>
#include <cstddef>
#include <functional>
#include <list>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>

namespace httpx::transport {

class Connection;
struct PoolOrigin;

/// Where a connection is in its life, as the pool sees it.
enum class Phase {
    connecting,  // being opened, or its capacity not known yet (HTTP/2 before SETTINGS)
    idle,        // no request in flight: in its origin's idle list
    busy,        // requests in flight and room for more: in its origin's available list
    full,        // as many requests in flight as it takes
    draining,    // takes no new requests (GOAWAY, failure, pool closed); finishes its own
    closed,      // gone, no longer counted
};

/// The pool's record of one connection (the connection itself knows nothing of it). Requests
/// own the connection they use (an HTTP/1.1 exchange given up by its last holder ends with
/// it); the pool owns the idle ones.
struct PoolEntry {
    Connection* connection = nullptr;  // null until opened
    std::weak_ptr<Connection> weak;
    std::shared_ptr<Connection> owned;  // while idle
    PoolOrigin* origin = nullptr;
    Phase phase = Phase::closed;
    std::size_t in_flight = 0;  // requests leased out and not yet ended
    std::size_t capacity = 1;   // requests it takes at once (1 while being opened)
    // Requests of its origin wait for it while it is connecting (it may turn out HTTP/2).
    bool may_multiplex = false;
    // Opened with its capacity unknown: a connection that multiplexes requests.
    bool multiplexes = false;
    std::chrono::steady_clock::time_point idle_since;
    std::list<PoolEntry*>::iterator position;  // in its origin's idle or available list
    std::list<PoolEntry>::iterator self;       // in the ledger's storage
};

/// What a request is given: a connection to send on, or (no connection) the right to open one,
/// already counted as `entry`.
struct PoolGrant {
    PoolEntry* entry = nullptr;
    std::shared_ptr<Connection> connection;
    explicit operator bool() const noexcept { return entry != nullptr; }
};

/// A request waiting for a connection. Decided exactly once: granted, timed out, cancelled, or
/// pool closed. It waits in its origin's queue and in one of two others: the global one (for
/// capacity to open a connection) or its origin's parked one (for a connection being opened
/// that may take it as an HTTP/2 stream).
struct PoolWaiter {
    enum class Queue { none, global, parked };
    enum class Outcome { pending, granted, timed_out, cancelled, closed };
    PoolOrigin* origin = nullptr;
    bool fresh = false;  // takes no connection used before (see PoolLedger::try_acquire)
    Queue queue = Queue::none;
    Outcome outcome = Outcome::pending;
    PoolGrant grant;
    std::list<std::shared_ptr<PoolWaiter>>::iterator in_queue, in_origin;
    std::function<void()> wake;  // called once decided, under the pool's lock
};

struct PoolOrigin {
    enum class Protocol { unknown, single, multiplexed };  // what its last connection spoke
    bool may_multiplex = false;                            // as the pool's settings allow
    Protocol protocol = Protocol::unknown;
    std::list<PoolEntry*> idle;                      // most recently used at the back
    std::list<PoolEntry*> available;                 // busy connections with room for more requests
    std::list<std::shared_ptr<PoolWaiter>> waiters;  // every waiter for this origin
    std::list<std::shared_ptr<PoolWaiter>> parked;   // waiting for a connection being opened
    std::size_t connecting = 0;                      // entries connecting with may_multiplex
};

class PoolLedger {
public:
    using Clock = std::chrono::steady_clock;
    /// Streams one HTTP/2 connection carries at once, whatever the server allows (httpcore's
    /// cap): each may buffer a stream window of response body.
    static constexpr std::size_t kMaxCapacity = 100;

    explicit PoolLedger(Limits limits);
    PoolLedger(const PoolLedger&) = delete;
    PoolLedger& operator=(const PoolLedger&) = delete;

    /// A connection for a request to `origin` at once, if there is one: a busy one with room,
    /// an idle one (replacing those expired or closed by the server), or capacity to open one.
    /// `may_multiplex`: a new connection to the origin may turn out HTTP/2, so that requests
    /// wait for it rather than open more. `fresh`: no idle connection (the retry of a request
    /// that a stale one failed). An empty grant: the request must wait (enqueue()).
    PoolGrant try_acquire(std::string_view origin, bool may_multiplex, bool fresh,
                          Clock::time_point now);
    std::shared_ptr<PoolWaiter> enqueue(std::string_view origin, bool fresh);
    /// A waiter that timed out or was cancelled leaves its queues (if still pending).
    void give_up(PoolWaiter& waiter, PoolWaiter::Outcome outcome);

    /// The connection of a granted entry that was being opened is there (or not).
    void opened(PoolEntry& entry, std::shared_ptr<Connection> connection, Clock::time_point now);
    void open_failed(PoolEntry& entry);
    /// A request on `entry` ended; the ledger re-reads the connection's answers.
    void request_ended(PoolEntry& entry, bool reusable, Clock::time_point now);
    /// The connection's answers changed (capacity known, no longer available).
    void connection_changed(const Connection& connection, Clock::time_point now);
    /// Closes every idle connection, drains the others, tells every waiter; refuses from now on.
    void close();
    bool closed() const noexcept { return closed_; }

    std::size_t connections() const noexcept { return connections_; }  // idle included
    std::size_t idle() const noexcept { return idle_; }
    std::size_t queued() const noexcept { return queued_; }
    std::size_t in_flight() const noexcept { return in_flight_; }
    /// As httpcore's repr: "<ConnectionPool [Requests: 1 active, 2 queued | Connections: 1
    /// active, 0 idle]>".
    std::string describe() const;

private:
    PoolOrigin& origin_of(std::string_view key);
    void set_phase(PoolEntry& entry, Phase next);
    // The phase of an accepting entry with requests in flight.
    static Phase active_phase(const PoolEntry& entry) noexcept;
    PoolGrant take(PoolEntry& entry);
    PoolGrant open(PoolOrigin& origin);
    void retire(PoolEntry& entry);  // closes its connection; `entry` is gone afterwards
    // `waiter` by value: the caller's reference may be the queue entry this erases.
    void grant(std::shared_ptr<PoolWaiter> waiter, PoolGrant grant);
    void leave_queues(PoolWaiter& waiter);
    void park(const std::shared_ptr<PoolWaiter>& waiter);
    void queue_globally(const std::shared_ptr<PoolWaiter>& waiter);
    // Gives `entry`'s room to its origin's oldest waiters.
    void serve_waiters(PoolEntry& entry);
    // An entry with no request in flight stays for the next ones, or closes.
    void settle_unused(PoolEntry& entry, Clock::time_point now);
    // Gives free capacity to the longest waiting requests.
    void hand_over_slots();
    // Parked waiters whose origin no longer has a connection being opened proceed as any.
    void unpark(PoolOrigin& origin);
    bool has_room() const noexcept;
    bool expired(const PoolEntry& entry, Clock::time_point now) const;
    // Closes the least recently used idle connection of any origin.
    bool evict_oldest_idle();
    std::list<PoolEntry*>::iterator push(std::list<PoolEntry*>& list, PoolEntry* entry);
    void erase(std::list<PoolEntry*>& list, std::list<PoolEntry*>::iterator it);

    Limits limits_;
    struct KeyHash {
        using is_transparent = void;
        std::size_t operator()(std::string_view key) const noexcept {
            return std::hash<std::string_view>{}(key);
        }
    };
    // Looked up by std::string_view (no key string per request).
    std::unordered_map<std::string, PoolOrigin, KeyHash, std::equal_to<>> origins_;
    std::list<PoolEntry> entries_;
    std::unordered_map<const Connection*, PoolEntry*> by_connection_;
    std::list<PoolEntry*> spare_nodes_;               // reused by push(): no allocation per request
    std::list<std::shared_ptr<PoolWaiter>> waiters_;  // waiting for capacity, oldest first
    std::size_t connections_ = 0, idle_ = 0, queued_ = 0, in_flight_ = 0;
    bool closed_ = false;
};

}  // namespace httpx::transport
