// The pool's bookkeeping without sockets: which requests get a connection, which wait, and the
// state after each step, in httpcore's words ("Requests: 1 active, 0 queued | Connections: 1
// active, 0 idle").
#include "transport/pool_ledger.hpp"

#include "transport/connection.hpp"

#include <gtest/gtest.h>

#include <stdexcept>

namespace {

using httpx::transport::Connection;
using httpx::transport::Phase;
using httpx::transport::PoolEntry;
using httpx::transport::PoolGrant;
using httpx::transport::PoolLedger;
using httpx::transport::PoolWaiter;
using namespace std::chrono_literals;

// A connection that answers what it is told to.
class FakeConnection final : public Connection {
public:
    FakeConnection(std::string origin, std::optional<std::size_t> capacity)
        : origin_(std::move(origin)), capacity_(capacity) {}
    const std::string& origin() const noexcept override { return origin_; }
    std::optional<std::size_t> capacity() const override { return capacity_; }
    bool is_available() const override { return available_; }
    bool is_readable() const override { return readable_; }
    void close() noexcept override { closed_ = true; }
    httpx::awaitable<httpx::Response> handle_request(httpx::Request&, const httpx::Timeout&,
                                                     httpx::transport::Lease) override {
        throw std::logic_error("the ledger sends nothing");
    }

    std::string origin_;
    std::optional<std::size_t> capacity_;
    bool available_ = true, readable_ = false, closed_ = false;
};

constexpr std::string_view kA = "http://a.example:80";
constexpr std::string_view kB = "http://b.example:80";
constexpr std::string_view kH2 = "https://h2.example:443";

httpx::Limits limits(std::optional<std::size_t> max_connections,
                     std::optional<std::size_t> max_keepalive = std::nullopt) {
    httpx::Limits l;
    l.max_connections = max_connections;
    l.max_keepalive_connections = max_keepalive;
    l.keepalive_expiry = 5s;
    return l;
}

std::string state(std::size_t active, std::size_t queued, std::size_t connections,
                  std::size_t idle) {
    return "<ConnectionPool [Requests: " + std::to_string(active) + " active, " +
           std::to_string(queued) + " queued | Connections: " + std::to_string(connections) +
           " active, " + std::to_string(idle) + " idle]>";
}

struct LedgerTest : ::testing::Test {
    PoolLedger::Clock::time_point now = PoolLedger::Clock::now();

    // A request to an HTTP/1.1-only origin, and the connection it opens (capacity 1).
    PoolGrant open_http11(PoolLedger& ledger, std::string_view origin,
                          std::shared_ptr<FakeConnection>* out = nullptr) {
        PoolGrant grant = ledger.try_acquire(origin, false, false, now);
        EXPECT_TRUE(grant);
        EXPECT_FALSE(grant.connection);  // to be opened
        auto connection = std::make_shared<FakeConnection>(std::string(origin), 1);
        ledger.opened(*grant.entry, connection, now);
        if (out) *out = connection;
        grant.connection = connection;
        return grant;
    }
    // A waiter whose wake-up is counted.
    std::shared_ptr<PoolWaiter> wait(PoolLedger& ledger, std::string_view origin,
                                     bool fresh = false) {
        auto waiter = ledger.enqueue(origin, fresh);
        waiter->wake = [this] { ++woken; };
        return waiter;
    }
    int woken = 0;
};

TEST_F(LedgerTest, ReusesAnIdleConnection) {
    PoolLedger ledger(limits(10));
    EXPECT_EQ(ledger.describe(), state(0, 0, 0, 0));
    std::shared_ptr<FakeConnection> connection;
    PoolGrant first = open_http11(ledger, kA, &connection);
    EXPECT_EQ(first.entry->phase, Phase::full);
    EXPECT_EQ(ledger.describe(), state(1, 0, 1, 0));
    ledger.request_ended(*first.entry, true, now);
    EXPECT_EQ(ledger.describe(), state(0, 0, 0, 1));
    PoolGrant second = ledger.try_acquire(kA, false, false, now);
    EXPECT_EQ(second.connection, connection);
    EXPECT_EQ(ledger.describe(), state(1, 0, 1, 0));
    // Not reusable (the server said close): closed, not counted.
    ledger.request_ended(*second.entry, false, now);
    EXPECT_TRUE(connection->closed_);
    EXPECT_EQ(ledger.describe(), state(0, 0, 0, 0));
}

TEST_F(LedgerTest, TheConnectionLimitQueuesRequestsAndAFreedConnectionGoesToTheNext) {
    PoolLedger ledger(limits(2));
    std::shared_ptr<FakeConnection> one;
    PoolGrant a = open_http11(ledger, kA, &one);
    open_http11(ledger, kA);
    EXPECT_FALSE(ledger.try_acquire(kA, false, false, now));
    auto waiter = wait(ledger, kA);
    EXPECT_EQ(ledger.describe(), state(2, 1, 2, 0));
    ledger.request_ended(*a.entry, true, now);
    EXPECT_EQ(woken, 1);
    ASSERT_EQ(waiter->outcome, PoolWaiter::Outcome::granted);
    EXPECT_EQ(waiter->grant.connection, one);  // straight to the next request, same origin
    EXPECT_EQ(ledger.describe(), state(2, 0, 2, 0));
}

TEST_F(LedgerTest, AFreedConnectionGoesToItsOriginFirstThenClosesForOthers) {
    PoolLedger ledger(limits(1));
    std::shared_ptr<FakeConnection> a;
    PoolGrant grant = open_http11(ledger, kA, &a);
    auto other = wait(ledger, kB);
    auto same = wait(ledger, kA);
    EXPECT_EQ(ledger.describe(), state(1, 2, 1, 0));
    // Straight to the next request for the same origin, even one that queued later.
    ledger.request_ended(*grant.entry, true, now);
    EXPECT_EQ(same->grant.connection, a);
    EXPECT_EQ(other->outcome, PoolWaiter::Outcome::pending);
    EXPECT_EQ(ledger.describe(), state(1, 1, 1, 0));
    // No one else for its origin: it closes to make room for the other origin.
    ledger.request_ended(*grant.entry, true, now);
    EXPECT_TRUE(a->closed_);
    ASSERT_EQ(other->outcome, PoolWaiter::Outcome::granted);
    EXPECT_FALSE(other->grant.connection);  // opens one
    EXPECT_EQ(ledger.describe(), state(1, 0, 1, 0));
    ledger.open_failed(*other->grant.entry);
    EXPECT_EQ(ledger.describe(), state(0, 0, 0, 0));
}

TEST_F(LedgerTest, WaitersForCapacityAreServedOldestFirst) {
    PoolLedger ledger(limits(1));
    PoolGrant grant = open_http11(ledger, kA);
    auto first = wait(ledger, kB);
    auto second = wait(ledger, kB);
    ledger.request_ended(*grant.entry, false, now);
    ASSERT_EQ(first->outcome, PoolWaiter::Outcome::granted);
    EXPECT_EQ(second->outcome, PoolWaiter::Outcome::pending);
    ledger.open_failed(*first->grant.entry);
    EXPECT_EQ(second->outcome, PoolWaiter::Outcome::granted);
    EXPECT_EQ(ledger.describe(), state(1, 0, 1, 0));
}

TEST_F(LedgerTest, TheKeepAliveLimitClosesTheOldestIdleConnection) {
    PoolLedger ledger(limits(10, 1));
    std::shared_ptr<FakeConnection> old_one, new_one;
    PoolGrant a = open_http11(ledger, kA, &old_one);
    PoolGrant b = open_http11(ledger, kB, &new_one);
    ledger.request_ended(*a.entry, true, now);
    now += 1s;
    ledger.request_ended(*b.entry, true, now);
    EXPECT_TRUE(old_one->closed_);
    EXPECT_FALSE(new_one->closed_);
    EXPECT_EQ(ledger.describe(), state(0, 0, 0, 1));
}

TEST_F(LedgerTest, AnExpiredOrReadableIdleConnectionIsReplaced) {
    PoolLedger ledger(limits(10));
    std::shared_ptr<FakeConnection> first, second;
    PoolGrant a = open_http11(ledger, kA, &first);
    ledger.request_ended(*a.entry, true, now);
    now += 6s;  // past the keep-alive expiry
    PoolGrant b = ledger.try_acquire(kA, false, false, now);
    EXPECT_TRUE(first->closed_);
    EXPECT_FALSE(b.connection);
    second = std::make_shared<FakeConnection>(std::string(kA), 1);
    ledger.opened(*b.entry, second, now);
    ledger.request_ended(*b.entry, true, now);
    second->readable_ = true;  // the server closed it while idle
    PoolGrant c = ledger.try_acquire(kA, false, false, now);
    EXPECT_TRUE(second->closed_);
    EXPECT_FALSE(c.connection);
    EXPECT_EQ(ledger.describe(), state(1, 0, 1, 0));
}

TEST_F(LedgerTest, AFreshRequestTakesNoConnectionUsedBefore) {
    PoolLedger ledger(limits(1));
    std::shared_ptr<FakeConnection> used;
    PoolGrant a = open_http11(ledger, kA, &used);
    auto retry = wait(ledger, kA, true);
    ledger.request_ended(*a.entry, true, now);
    EXPECT_TRUE(used->closed_);
    ASSERT_EQ(retry->outcome, PoolWaiter::Outcome::granted);
    EXPECT_FALSE(retry->grant.connection);
    // Nor an idle one.
    PoolLedger other(limits(10));
    PoolGrant b = open_http11(other, kA);
    other.request_ended(*b.entry, true, now);
    PoolGrant fresh = other.try_acquire(kA, false, true, now);
    EXPECT_FALSE(fresh.connection);
    EXPECT_EQ(other.describe(), state(1, 0, 1, 1));
}

TEST_F(LedgerTest, RequestsWaitForAConnectionThatMayMultiplexThenShareIt) {
    PoolLedger ledger(limits(10));
    PoolGrant first = ledger.try_acquire(kH2, true, false, now);
    ASSERT_TRUE(first);
    EXPECT_EQ(first.entry->phase, Phase::connecting);
    // Parked: the connection being opened may take them as streams.
    EXPECT_FALSE(ledger.try_acquire(kH2, true, false, now));
    auto second = wait(ledger, kH2);
    auto third = wait(ledger, kH2);
    EXPECT_EQ(second->queue, PoolWaiter::Queue::parked);
    EXPECT_EQ(ledger.describe(), state(1, 2, 1, 0));
    auto connection = std::make_shared<FakeConnection>(std::string(kH2), std::nullopt);
    ledger.opened(*first.entry, connection, now);
    EXPECT_EQ(first.entry->phase, Phase::connecting);  // until it says its capacity
    EXPECT_EQ(ledger.describe(), state(1, 2, 1, 0));
    connection->capacity_ = 1000;  // capped at 100
    ledger.connection_changed(*connection, now);
    EXPECT_EQ(first.entry->capacity, PoolLedger::kMaxCapacity);
    EXPECT_EQ(second->grant.connection, connection);
    EXPECT_EQ(third->grant.connection, connection);
    EXPECT_EQ(first.entry->phase, Phase::busy);
    EXPECT_EQ(ledger.describe(), state(3, 0, 1, 0));
    PoolGrant fourth = ledger.try_acquire(kH2, true, false, now);
    EXPECT_EQ(fourth.connection, connection);
    for (int i = 0; i < 4; ++i) ledger.request_ended(*first.entry, true, now);
    EXPECT_EQ(ledger.describe(), state(0, 0, 0, 1));
}

TEST_F(LedgerTest, AFullMultiplexedConnectionQueuesTheRest) {
    PoolLedger ledger(limits(1));
    PoolGrant first = ledger.try_acquire(kH2, true, false, now);
    auto connection = std::make_shared<FakeConnection>(std::string(kH2), std::nullopt);
    ledger.opened(*first.entry, connection, now);
    connection->capacity_ = 2;
    ledger.connection_changed(*connection, now);
    EXPECT_TRUE(ledger.try_acquire(kH2, true, false, now));
    EXPECT_EQ(first.entry->phase, Phase::full);
    EXPECT_FALSE(ledger.try_acquire(kH2, true, false, now));
    auto waiter = wait(ledger, kH2);
    EXPECT_EQ(waiter->queue, PoolWaiter::Queue::global);
    ledger.request_ended(*first.entry, true, now);
    EXPECT_EQ(waiter->grant.connection, connection);
    EXPECT_EQ(ledger.describe(), state(2, 0, 1, 0));
}

TEST_F(LedgerTest, ParkedRequestsOpenTheirOwnWhenTheConnectionSpeaksHttp11) {
    PoolLedger ledger(limits(10));
    PoolGrant first = ledger.try_acquire(kH2, true, false, now);
    auto second = wait(ledger, kH2);
    auto third = wait(ledger, kH2);
    ledger.opened(*first.entry, std::make_shared<FakeConnection>(std::string(kH2), 1), now);
    // The second opens the next connection; the origin is known to speak HTTP/1.1 now, so the
    // third does not wait for that one.
    ASSERT_EQ(second->outcome, PoolWaiter::Outcome::granted);
    ASSERT_EQ(third->outcome, PoolWaiter::Outcome::granted);
    EXPECT_FALSE(second->grant.connection);
    EXPECT_FALSE(second->grant.entry->may_multiplex);
    EXPECT_EQ(ledger.describe(), state(3, 0, 3, 0));
}

TEST_F(LedgerTest, AGoawayDrainsTheConnectionAndNewRequestsOpenAnother) {
    PoolLedger ledger(limits(10));
    PoolGrant first = ledger.try_acquire(kH2, true, false, now);
    auto old_one = std::make_shared<FakeConnection>(std::string(kH2), std::nullopt);
    ledger.opened(*first.entry, old_one, now);
    old_one->capacity_ = 10;
    ledger.connection_changed(*old_one, now);
    ledger.try_acquire(kH2, true, false, now);
    old_one->available_ = false;  // GOAWAY
    ledger.connection_changed(*old_one, now);
    EXPECT_EQ(first.entry->phase, Phase::draining);
    PoolGrant next = ledger.try_acquire(kH2, true, false, now);
    EXPECT_FALSE(next.connection);
    EXPECT_EQ(ledger.describe(), state(3, 0, 2, 0));
    ledger.request_ended(*first.entry, true, now);
    EXPECT_FALSE(old_one->closed_);
    ledger.request_ended(*first.entry, true, now);
    EXPECT_TRUE(old_one->closed_);
    EXPECT_EQ(ledger.describe(), state(1, 0, 1, 0));
    // A late report of a closed connection is ignored.
    ledger.connection_changed(*old_one, now);
    EXPECT_EQ(ledger.describe(), state(1, 0, 1, 0));
}

TEST_F(LedgerTest, AWaiterThatTimesOutOrIsCancelledLeavesTheQueues) {
    PoolLedger ledger(limits(1));
    std::shared_ptr<FakeConnection> connection;
    PoolGrant a = open_http11(ledger, kA, &connection);
    auto timed_out = wait(ledger, kA);
    auto cancelled = wait(ledger, kB);
    auto served = wait(ledger, kA);
    ledger.give_up(*timed_out, PoolWaiter::Outcome::timed_out);
    ledger.give_up(*cancelled, PoolWaiter::Outcome::cancelled);
    EXPECT_EQ(woken, 2);
    EXPECT_EQ(ledger.describe(), state(1, 1, 1, 0));
    ledger.request_ended(*a.entry, true, now);
    EXPECT_EQ(timed_out->outcome, PoolWaiter::Outcome::timed_out);
    EXPECT_EQ(served->grant.connection, connection);
    // Decided once: a late timeout changes nothing.
    ledger.give_up(*served, PoolWaiter::Outcome::timed_out);
    EXPECT_EQ(served->outcome, PoolWaiter::Outcome::granted);
    EXPECT_EQ(ledger.describe(), state(1, 0, 1, 0));
}

TEST_F(LedgerTest, CloseClosesIdleConnectionsTellsWaitersAndDrainsTheRest) {
    PoolLedger ledger(limits(2));
    std::shared_ptr<FakeConnection> idle, active;
    PoolGrant a = open_http11(ledger, kA, &idle);
    PoolGrant b = open_http11(ledger, kB, &active);
    ledger.request_ended(*a.entry, true, now);
    auto waiter = wait(ledger, kB);
    ledger.close();
    EXPECT_TRUE(ledger.closed());
    EXPECT_TRUE(idle->closed_);
    EXPECT_FALSE(active->closed_);
    EXPECT_EQ(waiter->outcome, PoolWaiter::Outcome::closed);
    EXPECT_EQ(b.entry->phase, Phase::draining);
    EXPECT_EQ(ledger.describe(), state(1, 0, 1, 0));
    ledger.request_ended(*b.entry, true, now);
    EXPECT_TRUE(active->closed_);
    EXPECT_EQ(ledger.describe(), state(0, 0, 0, 0));
}

TEST_F(LedgerTest, ManyWaitersStayCheap) {
    // Each event touches the requests it decides, not the queue: 20,000 waiters, one by one.
    PoolLedger ledger(limits(1));
    PoolGrant a = open_http11(ledger, kA);
    std::vector<std::shared_ptr<PoolWaiter>> waiters;
    for (int i = 0; i < 20000; ++i) waiters.push_back(wait(ledger, kA));
    PoolEntry* entry = a.entry;
    for (auto& waiter : waiters) {
        ledger.request_ended(*entry, true, now);
        ASSERT_EQ(waiter->outcome, PoolWaiter::Outcome::granted);
        entry = waiter->grant.entry;
    }
    EXPECT_EQ(ledger.describe(), state(1, 0, 1, 0));
}

}  // namespace
