#include "transport/pool_ledger.hpp"

#include "transport/connection.hpp"

#include <algorithm>
#include <cstdio>

namespace httpx::transport {

PoolLedger::PoolLedger(Limits limits) : limits_(limits) {
    if (limits_.max_connections && limits_.max_keepalive_connections &&
        *limits_.max_keepalive_connections > *limits_.max_connections)
        limits_.max_keepalive_connections = limits_.max_connections;
}

PoolOrigin& PoolLedger::origin_of(std::string_view key) {
    auto it = origins_.find(key);
    if (it == origins_.end()) it = origins_.emplace(std::string(key), PoolOrigin()).first;
    return it->second;
}

std::list<PoolEntry*>::iterator PoolLedger::push(std::list<PoolEntry*>& list, PoolEntry* entry) {
    if (spare_nodes_.empty()) return list.insert(list.end(), entry);
    list.splice(list.end(), spare_nodes_, spare_nodes_.begin());
    auto it = std::prev(list.end());
    *it = entry;
    return it;
}

void PoolLedger::erase(std::list<PoolEntry*>& list, std::list<PoolEntry*>::iterator it) {
    spare_nodes_.splice(spare_nodes_.end(), list, it);
}

// The one place where an entry changes phase, and with it the lists it is in and the counts.
void PoolLedger::set_phase(PoolEntry& entry, Phase next) {
    const Phase previous = entry.phase;
    if (previous == next) return;
    PoolOrigin& origin = *entry.origin;
    switch (previous) {
        case Phase::connecting:
            if (entry.may_multiplex) --origin.connecting;
            break;
        case Phase::idle:
            erase(origin.idle, entry.position);
            --idle_;
            break;
        case Phase::busy:
            erase(origin.available, entry.position);
            break;
        case Phase::closed:
            ++connections_;
            break;
        default:
            break;
    }
    entry.phase = next;
    switch (next) {
        case Phase::connecting:
            if (entry.may_multiplex) ++origin.connecting;
            break;
        case Phase::idle:
            entry.position = push(origin.idle, &entry);
            ++idle_;
            break;
        case Phase::busy:
            entry.position = push(origin.available, &entry);
            break;
        case Phase::closed:
            --connections_;
            break;
        default:
            break;
    }
}

Phase PoolLedger::active_phase(const PoolEntry& entry) noexcept {
    return entry.in_flight < entry.capacity ? Phase::busy : Phase::full;
}

bool PoolLedger::has_room() const noexcept {
    return !limits_.max_connections || connections_ < *limits_.max_connections;
}

bool PoolLedger::expired(const PoolEntry& entry, Clock::time_point now) const {
    return limits_.keepalive_expiry &&
           now - entry.idle_since >
               std::chrono::duration_cast<Clock::duration>(*limits_.keepalive_expiry);
}

PoolGrant PoolLedger::take(PoolEntry& entry) {
    std::shared_ptr<Connection> connection =
        entry.owned ? std::move(entry.owned) : entry.weak.lock();
    ++entry.in_flight;
    ++in_flight_;
    set_phase(entry, active_phase(entry));
    return {&entry, std::move(connection)};
}

PoolGrant PoolLedger::open(PoolOrigin& origin) {
    PoolEntry& entry = entries_.emplace_back();
    entry.self = std::prev(entries_.end());
    entry.origin = &origin;
    entry.may_multiplex = origin.may_multiplex && origin.protocol != PoolOrigin::Protocol::single;
    entry.in_flight = 1;  // the request that opens it
    ++in_flight_;
    set_phase(entry, Phase::connecting);
    return {&entry, nullptr};
}

void PoolLedger::retire(PoolEntry& entry) {
    set_phase(entry, Phase::closed);
    in_flight_ -= entry.in_flight;
    if (entry.connection) {
        by_connection_.erase(entry.connection);
        // Gone already when its last holder dropped it (it closes itself then).
        if (auto connection = entry.owned ? std::move(entry.owned) : entry.weak.lock())
            connection->close();
    }
    entries_.erase(entry.self);
}

bool PoolLedger::evict_oldest_idle() {
    // The oldest idle connection of any origin (one scan of the origins, not of requests).
    PoolOrigin* oldest = nullptr;
    for (auto& [key, origin] : origins_) {
        if (!origin.idle.empty() &&
            (!oldest || origin.idle.front()->idle_since < oldest->idle.front()->idle_since))
            oldest = &origin;
    }
    if (!oldest) return false;
    retire(*oldest->idle.front());
    return true;
}

void PoolLedger::leave_queues(PoolWaiter& waiter) {
    PoolOrigin& origin = *waiter.origin;
    origin.waiters.erase(waiter.in_origin);
    if (waiter.queue == PoolWaiter::Queue::global) waiters_.erase(waiter.in_queue);
    if (waiter.queue == PoolWaiter::Queue::parked) origin.parked.erase(waiter.in_queue);
    waiter.queue = PoolWaiter::Queue::none;
    --queued_;
}

void PoolLedger::park(const std::shared_ptr<PoolWaiter>& waiter) {
    waiter->queue = PoolWaiter::Queue::parked;
    waiter->in_queue = waiter->origin->parked.insert(waiter->origin->parked.end(), waiter);
}

void PoolLedger::queue_globally(const std::shared_ptr<PoolWaiter>& waiter) {
    waiter->queue = PoolWaiter::Queue::global;
    waiter->in_queue = waiters_.insert(waiters_.end(), waiter);
}

void PoolLedger::grant(std::shared_ptr<PoolWaiter> waiter, PoolGrant granted) {
    leave_queues(*waiter);
    waiter->outcome = PoolWaiter::Outcome::granted;
    waiter->grant = std::move(granted);
    if (auto wake = std::exchange(waiter->wake, nullptr)) wake();
}

void PoolLedger::give_up(PoolWaiter& waiter, PoolWaiter::Outcome outcome) {
    if (waiter.outcome != PoolWaiter::Outcome::pending) return;
    waiter.outcome = outcome;
    leave_queues(waiter);
    if (auto wake = std::exchange(waiter.wake, nullptr)) wake();
}

void PoolLedger::hand_over_slots() {
    while (!waiters_.empty() && has_room()) {
        std::shared_ptr<PoolWaiter> waiter = waiters_.front();
        PoolOrigin& origin = *waiter->origin;
        if (origin.connecting > 0) {
            // The connection being opened for its origin may take it as a stream.
            waiters_.pop_front();
            park(waiter);
            continue;
        }
        grant(waiter, open(origin));
    }
}

void PoolLedger::unpark(PoolOrigin& origin) {
    while (!origin.parked.empty() && origin.connecting == 0) {
        std::shared_ptr<PoolWaiter> waiter = origin.parked.front();
        if (waiters_.empty() && (has_room() || evict_oldest_idle())) {
            // Opens the next connection; if that one may be HTTP/2 too, the rest stay parked.
            grant(waiter, open(origin));
            continue;
        }
        origin.parked.pop_front();
        queue_globally(waiter);
    }
}

void PoolLedger::serve_waiters(PoolEntry& entry) {
    PoolOrigin& origin = *entry.origin;
    while (entry.in_flight < entry.capacity && !origin.waiters.empty()) {
        std::shared_ptr<PoolWaiter> waiter = origin.waiters.front();
        // A connection about to be idle counts as used before: not for a fresh request.
        if (waiter->fresh && entry.in_flight == 0) break;
        grant(waiter, take(entry));
    }
}

void PoolLedger::settle_unused(PoolEntry& entry, Clock::time_point now) {
    if (waiters_.empty() && (entry.owned = entry.weak.lock())) {
        entry.idle_since = now;
        set_phase(entry, Phase::idle);
        if (limits_.max_keepalive_connections && idle_ > *limits_.max_keepalive_connections)
            evict_oldest_idle();
        return;
    }
    // Others wait for capacity: this connection makes room for them.
    retire(entry);
    hand_over_slots();
}

PoolGrant PoolLedger::try_acquire(std::string_view key, bool may_multiplex, bool fresh,
                                  Clock::time_point now) {
    PoolOrigin& origin = origin_of(key);
    origin.may_multiplex = may_multiplex;
    if (!origin.available.empty()) return take(*origin.available.front());
    bool closed_some = false;
    while (!fresh && !origin.idle.empty()) {
        PoolEntry& entry = *origin.idle.back();
        // An idle connection the server closed (or expired) is replaced, never written to.
        if (expired(entry, now) || entry.owned->is_readable()) {
            retire(entry);
            closed_some = true;
            continue;
        }
        return take(entry);
    }
    if (closed_some) hand_over_slots();
    if (origin.connecting == 0 && waiters_.empty() && (has_room() || evict_oldest_idle()))
        return open(origin);
    return {};
}

std::shared_ptr<PoolWaiter> PoolLedger::enqueue(std::string_view key, bool fresh) {
    PoolOrigin& origin = origin_of(key);
    auto waiter = std::make_shared<PoolWaiter>();
    waiter->origin = &origin;
    waiter->fresh = fresh;
    waiter->in_origin = origin.waiters.insert(origin.waiters.end(), waiter);
    // A connection to this origin being opened may speak HTTP/2: wait for it rather than
    // open another.
    if (origin.connecting > 0)
        park(waiter);
    else
        queue_globally(waiter);
    ++queued_;
    return waiter;
}

void PoolLedger::opened(PoolEntry& entry, std::shared_ptr<Connection> connection,
                        Clock::time_point now) {
    entry.connection = connection.get();
    entry.weak = connection;
    by_connection_.emplace(entry.connection, &entry);
    const std::optional<std::size_t> capacity = entry.connection->capacity();
    if (!capacity) {
        // Multiplexing: it stays connecting until it says how many requests it takes.
        entry.multiplexes = true;
        return;
    }
    entry.capacity = std::clamp<std::size_t>(*capacity, 1, kMaxCapacity);
    PoolOrigin& origin = *entry.origin;
    if (entry.may_multiplex) origin.protocol = PoolOrigin::Protocol::single;
    if (entry.phase == Phase::connecting) {
        if (entry.in_flight > 0)
            set_phase(entry, active_phase(entry));
        else
            settle_unused(entry, now);
    }
    if (origin.connecting == 0) unpark(origin);
}

void PoolLedger::open_failed(PoolEntry& entry) {
    PoolOrigin& origin = *entry.origin;
    retire(entry);
    if (origin.connecting == 0) unpark(origin);
    hand_over_slots();
}

void PoolLedger::request_ended(PoolEntry& entry, bool reusable, Clock::time_point now) {
    --entry.in_flight;
    --in_flight_;
    PoolOrigin& origin = *entry.origin;
    bool keep =
        reusable && !closed_ && entry.phase != Phase::draining && entry.connection->is_available();
    // Handed to a waiting request at once, it is checked as an idle one is before reuse: the
    // server may have closed it along with its last response.
    if (keep && entry.in_flight == 0 && !origin.waiters.empty() && entry.connection->is_readable())
        keep = false;
    if (!keep) {
        if (entry.in_flight > 0) {
            set_phase(entry, Phase::draining);
        } else {
            retire(entry);
            hand_over_slots();
        }
    } else if (entry.phase == Phase::connecting) {
        // Still waiting to hear its capacity: more requests wait for that.
        if (entry.in_flight == 0) settle_unused(entry, now);
    } else {
        serve_waiters(entry);
        if (entry.in_flight > 0)
            set_phase(entry, active_phase(entry));
        else
            settle_unused(entry, now);
    }
    if (origin.connecting == 0) unpark(origin);
}

void PoolLedger::connection_changed(const Connection& connection, Clock::time_point now) {
    auto found = by_connection_.find(&connection);
    if (found == by_connection_.end()) return;  // closed already
    PoolEntry& entry = *found->second;
    PoolOrigin& origin = *entry.origin;
    const bool available = connection.is_available() && !closed_;
    if (const auto capacity = connection.capacity(); capacity && entry.multiplexes) {
        entry.capacity = std::clamp<std::size_t>(*capacity, 1, kMaxCapacity);
        origin.protocol = PoolOrigin::Protocol::multiplexed;
        if (available && entry.phase != Phase::draining) {
            // The waiting requests of the origin become streams, as many as it takes; if some
            // remain, they open the next connection.
            serve_waiters(entry);
            if (entry.in_flight > 0)
                set_phase(entry, active_phase(entry));
            else if (entry.phase == Phase::connecting)
                settle_unused(entry, now);
        }
    }
    if (!available && entry.phase != Phase::draining) {
        if (entry.in_flight > 0) {
            set_phase(entry, Phase::draining);
        } else {
            retire(entry);
            hand_over_slots();
        }
    }
    if (origin.connecting == 0) unpark(origin);
}

void PoolLedger::close() {
    closed_ = true;
    for (auto& [key, origin] : origins_) {
        while (!origin.idle.empty()) retire(*origin.idle.front());
        for (auto& waiter : origin.waiters) {
            waiter->outcome = PoolWaiter::Outcome::closed;
            waiter->queue = PoolWaiter::Queue::none;
            if (auto wake = std::exchange(waiter->wake, nullptr)) wake();
        }
        origin.waiters.clear();
        origin.parked.clear();
    }
    waiters_.clear();
    queued_ = 0;
    for (PoolEntry& entry : entries_) set_phase(entry, Phase::draining);
}

std::string PoolLedger::describe() const {
    char text[128];
    std::snprintf(text, sizeof text,
                  "<ConnectionPool [Requests: %zu active, %zu queued | Connections: %zu active, "
                  "%zu idle]>",
                  in_flight_, queued_, connections_ - idle_, idle_);
    return text;
}

}  // namespace httpx::transport
