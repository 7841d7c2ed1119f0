#include "transport/connection_pool.hpp"

#include "httpx/exceptions.hpp"
#include "models/default_port.hpp"

#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace httpx::transport {

namespace asio = boost::asio;
using Clock = std::chrono::steady_clock;

// A request waiting for a connection. Decided exactly once, under the pool's lock: granted
// (a connection to reuse, or capacity to open one), timed out, cancelled, or pool closed.
struct ConnectionPool::Waiter {
    enum class Outcome { pending, granted, timed_out, cancelled, closed };
    std::string origin;
    Outcome outcome = Outcome::pending;
    std::shared_ptr<Http11Connection> connection;
    std::list<std::shared_ptr<Waiter>>::iterator in_pool, in_origin;
    std::function<void()> wake;  // completes the awaiting acquire(), posted to its executor
    std::shared_ptr<asio::steady_timer> timer;
};

ConnectionPool::ConnectionPool(Limits limits, net::ConnectSettings settings)
    : limits_(limits), settings_(std::move(settings)) {
    if (limits_.max_connections && limits_.max_keepalive_connections &&
        *limits_.max_keepalive_connections > *limits_.max_connections)
        limits_.max_keepalive_connections = limits_.max_connections;
}

ConnectionPool::~ConnectionPool() {
    close();
}

bool ConnectionPool::expired_locked(const Http11Connection& connection) const {
    return limits_.keepalive_expiry &&
           Clock::now() - connection.idle_since >
               std::chrono::duration_cast<Clock::duration>(*limits_.keepalive_expiry);
}

bool ConnectionPool::evict_idle_locked() {
    // The oldest idle connection of any origin (one scan of the origins, not of requests).
    Origin* oldest = nullptr;
    for (auto& [key, origin] : origins_) {
        if (!origin.idle.empty() &&
            (!oldest || origin.idle.front()->idle_since < oldest->idle.front()->idle_since))
            oldest = &origin;
    }
    if (!oldest) return false;
    oldest->idle.front()->close();
    oldest->idle.pop_front();
    --idle_;
    --connections_;
    return true;
}

namespace {

void settle(ConnectionPool::Waiter& waiter) {
    if (waiter.timer) {
        // Cancel on the timer's own executor: timers are not thread-safe.
        auto timer = waiter.timer;
        asio::post(timer->get_executor(), [timer] { timer->cancel(); });
    }
    if (auto wake = std::exchange(waiter.wake, nullptr)) wake();
}

}  // namespace

void ConnectionPool::hand_over_slot_locked() {
    while (!waiters_.empty() &&
           (!limits_.max_connections || connections_ < *limits_.max_connections)) {
        auto waiter = waiters_.front();
        waiters_.pop_front();
        origins_[waiter->origin].waiters.erase(waiter->in_origin);
        waiter->outcome = Waiter::Outcome::granted;
        ++connections_;
        settle(*waiter);
    }
}

awaitable<ConnectionPool::Lease> ConnectionPool::acquire(
    const std::string& origin_key, std::optional<std::chrono::duration<double>> timeout) {
    auto waiter = std::make_shared<Waiter>();
    {
        std::lock_guard lock(mutex_);
        if (closed_) throw std::logic_error("The transport has been closed.");
        Origin& origin = origins_[origin_key];
        while (!origin.idle.empty()) {
            std::shared_ptr<Http11Connection> connection = std::move(origin.idle.back());
            origin.idle.pop_back();
            --idle_;
            // An idle connection the server closed (or expired) is replaced, never written to.
            if (expired_locked(*connection) || connection->is_readable()) {
                connection->close();
                --connections_;
                continue;
            }
            co_return Lease{std::move(connection)};
        }
        bool has_capacity = !limits_.max_connections || connections_ < *limits_.max_connections;
        if (waiters_.empty() && (has_capacity || evict_idle_locked())) {
            ++connections_;
            co_return Lease{};
        }
        waiter->origin = origin_key;
        waiter->in_pool = waiters_.insert(waiters_.end(), waiter);
        waiter->in_origin = origin.waiters.insert(origin.waiters.end(), waiter);
    }

    auto executor = co_await asio::this_coro::executor;
    auto initiate = [this, w = waiter, timeout, executor](auto handler) {
        auto slot = asio::get_associated_cancellation_slot(handler);
        auto shared = std::make_shared<decltype(handler)>(std::move(handler));
        std::lock_guard lock(mutex_);
        w->wake = [shared, executor] { asio::post(executor, [shared] { std::move (*shared)(); }); };
        if (w->outcome != Waiter::Outcome::pending) {
            settle(*w);
            return;
        }
        // The pool outlives its waiters: each holds a request that holds the transport.
        auto give_up = [this, w](Waiter::Outcome outcome) {
            std::lock_guard lock(mutex_);
            if (w->outcome != Waiter::Outcome::pending) return;
            w->outcome = outcome;
            waiters_.erase(w->in_pool);
            origins_[w->origin].waiters.erase(w->in_origin);
            settle(*w);
        };
        if (timeout) {
            w->timer = std::make_shared<asio::steady_timer>(
                executor, std::chrono::duration_cast<Clock::duration>(*timeout));
            w->timer->async_wait([give_up](boost::system::error_code ec) {
                if (!ec) give_up(Waiter::Outcome::timed_out);
            });
        }
        if (slot.is_connected())
            slot.assign(
                [give_up](asio::cancellation_type) { give_up(Waiter::Outcome::cancelled); });
    };
    co_await asio::async_initiate<const asio::use_awaitable_t<>&, void()>(initiate,
                                                                          asio::use_awaitable);

    switch (waiter->outcome) {
        case Waiter::Outcome::granted:
            co_return Lease{std::move(waiter->connection)};
        case Waiter::Outcome::timed_out:
            throw PoolTimeout("Timed out waiting for a connection from the pool.");
        case Waiter::Outcome::closed:
            throw std::logic_error("The transport has been closed.");
        default:
            throw boost::system::system_error(asio::error::operation_aborted);
    }
}

void ConnectionPool::release(const std::shared_ptr<Http11Connection>& connection, bool reusable) {
    std::lock_guard lock(mutex_);
    if (reusable && !closed_) {
        connection->idle_since = Clock::now();
        Origin& origin = origins_[connection->origin()];
        if (!origin.waiters.empty()) {
            // Straight to the next request for the same origin.
            auto waiter = origin.waiters.front();
            origin.waiters.pop_front();
            waiters_.erase(waiter->in_pool);
            waiter->outcome = Waiter::Outcome::granted;
            waiter->connection = connection;
            settle(*waiter);
            return;
        }
        if (waiters_.empty()) {
            origin.idle.push_back(connection);
            ++idle_;
            if (limits_.max_keepalive_connections && idle_ > *limits_.max_keepalive_connections)
                evict_idle_locked();
            return;
        }
        // Others wait for capacity: this connection makes room for them.
    }
    connection->close();
    --connections_;
    hand_over_slot_locked();
}

awaitable<Response> ConnectionPool::handle_request(Request& request) {
    const URL& url = request.url();
    const std::string& scheme = url.scheme();
    if (scheme != "http" && scheme != "https") {
        throw UnsupportedProtocol(
            scheme.empty() ? "Request URL is missing an 'http://' or 'https://' protocol."
                           : "Request URL has an unsupported protocol '" + scheme + "://'.");
    }
    if (url.raw_host().empty()) throw UnsupportedProtocol("Request URL is missing a host.");
    const bool tls = scheme == "https";
    const int port = *detail::port_or_default(url);  // http or https: always known
    const std::string origin = scheme + "://" + url.raw_host() + ":" + std::to_string(port);
    Timeout timeout;
    if (auto it = request.extensions().find("timeout"); it != request.extensions().end()) {
        if (auto* t = std::any_cast<Timeout>(&it->second)) timeout = *t;
    }
    if (tls && !settings_.tls) throw ConnectError("TLS is not configured for this transport.");

    for (int attempt = 0;; ++attempt) {
        Lease lease = co_await acquire(origin, timeout.pool);
        const bool reused = lease.connection != nullptr;
        std::shared_ptr<Http11Connection> connection = std::move(lease.connection);
        if (!connection) {
            try {
                auto stream = co_await net::open_stream(url.raw_host(), port, tls, settings_,
                                                        timeout.connect);
                connection = std::make_shared<Http11Connection>(std::move(stream), origin);
            } catch (...) {
                std::lock_guard lock(mutex_);
                --connections_;
                hand_over_slot_locked();
                throw;
            }
        }
        try {
            auto self = shared_from_this();
            Http11Connection::Release release = [self, connection](bool reusable) {
                self->release(connection, reusable);
            };
            Response response =
                co_await connection->handle_request(request, timeout, std::move(release));
            co_return response;
        } catch (const TransportError& error) {
            release(connection, false);
            // A reused connection the server closed as we wrote to it: nothing was processed,
            // so the request goes again on a fresh connection (once, if its body can replay).
            const bool stale = reused && attempt == 0 && connection->received_nothing() &&
                               request.stream().is_replayable() &&
                               (dynamic_cast<const ReadError*>(&error) ||
                                dynamic_cast<const WriteError*>(&error) ||
                                dynamic_cast<const RemoteProtocolError*>(&error));
            if (!stale) throw;
        } catch (...) {
            release(connection, false);
            throw;
        }
    }
}

void ConnectionPool::close() {
    std::lock_guard lock(mutex_);
    closed_ = true;
    for (auto& [key, origin] : origins_) {
        for (auto& connection : origin.idle) connection->close();
        connections_ -= origin.idle.size();
        origin.idle.clear();
        origin.waiters.clear();
    }
    idle_ = 0;
    for (auto& waiter : waiters_) {
        waiter->outcome = Waiter::Outcome::closed;
        settle(*waiter);
    }
    waiters_.clear();
}

AsyncHTTPTransport::PoolStats ConnectionPool::stats() const {
    std::lock_guard lock(mutex_);
    return {connections_, idle_, waiters_.size()};
}

}  // namespace httpx::transport
