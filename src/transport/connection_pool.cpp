#include "transport/connection_pool.hpp"

#include "httpx/exceptions.hpp"
#include "models/default_port.hpp"

#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <algorithm>
#include <charconv>

namespace httpx::transport {

namespace asio = boost::asio;
using Clock = std::chrono::steady_clock;

namespace {

// Streams one HTTP/2 connection carries at once, whatever the server allows (httpcore's cap):
// each may buffer a stream window of response body.
constexpr std::size_t kMaxStreamsPerConnection = 100;
// Attempts of one request whose stream the server refused (GOAWAY, REFUSED_STREAM).
constexpr int kMaxAttempts = 5;

}  // namespace

// A request waiting for a connection. Decided exactly once, under the pool's lock: granted
// (a connection to reuse, a stream slot, or capacity to open one), timed out, cancelled, or
// pool closed. It waits in its origin's queue and, when it waits for capacity, in the global
// one; `parked` waiters wait for a connection of their origin being opened (maybe HTTP/2).
struct ConnectionPool::Waiter {
    enum class Outcome { pending, granted, timed_out, cancelled, closed };
    std::string origin;
    Outcome outcome = Outcome::pending;
    Lease lease;
    bool global = false, parked = false;
    bool fresh = false;  // takes no connection used before (see try_acquire)
    std::list<std::shared_ptr<Waiter>>::iterator in_pool, in_origin, in_parked;
    std::function<void()> wake;  // completes the awaiting acquire(), posted to its executor
    std::shared_ptr<asio::steady_timer> timer;
};

ConnectionPool::ConnectionPool(Limits limits, net::ConnectSettings settings,
                               std::shared_ptr<net::Connector> connector)
    : limits_(limits), settings_(std::move(settings)), connector_(std::move(connector)) {
    if (limits_.max_connections && limits_.max_keepalive_connections &&
        *limits_.max_keepalive_connections > *limits_.max_connections)
        limits_.max_keepalive_connections = limits_.max_connections;
}

ConnectionPool::~ConnectionPool() {
    close();
}

bool ConnectionPool::expired_locked(const Connection& connection, Clock::time_point now) const {
    return limits_.keepalive_expiry &&
           now - connection.idle_since >
               std::chrono::duration_cast<Clock::duration>(*limits_.keepalive_expiry);
}

bool ConnectionPool::may_be_http2(const Origin& origin) const {
    return settings_.http2 && origin.protocol != Protocol::http11 &&
           (origin.tls || !settings_.http1);
}

ConnectionPool::Origin& ConnectionPool::origin_locked(std::string_view key) {
    auto it = origins_.find(key);
    if (it == origins_.end()) it = origins_.emplace(std::string(key), Origin()).first;
    return it->second;
}

std::list<std::shared_ptr<Connection>>::iterator ConnectionPool::push_idle_locked(
    Origin& origin, std::shared_ptr<Connection> connection) {
    if (spare_idle_nodes_.empty())
        return origin.idle.insert(origin.idle.end(), std::move(connection));
    origin.idle.splice(origin.idle.end(), spare_idle_nodes_, spare_idle_nodes_.begin());
    auto it = std::prev(origin.idle.end());
    *it = std::move(connection);
    return it;
}

void ConnectionPool::remove_idle_locked(Origin& origin,
                                        std::list<std::shared_ptr<Connection>>::iterator it) {
    if ((*it)->is_http2()) static_cast<Http2Connection&>(**it).pool.in_idle = false;
    // The node is kept for the next push_idle_locked(); the connection is let go of here.
    std::shared_ptr<Connection> connection = std::move(*it);
    spare_idle_nodes_.splice(spare_idle_nodes_.end(), origin.idle, it);
    --idle_;
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
    std::shared_ptr<Connection> connection = oldest->idle.front();
    if (connection->is_http2()) {
        retire_locked(std::static_pointer_cast<Http2Connection>(connection));
    } else {
        remove_idle_locked(*oldest, oldest->idle.begin());
        connection->close();
        --connections_;
    }
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

void ConnectionPool::grant_locked(std::shared_ptr<Waiter> waiter, Lease lease) {
    Origin& origin = origin_locked(waiter->origin);
    origin.waiters.erase(waiter->in_origin);
    if (waiter->global) waiters_.erase(waiter->in_pool);
    if (waiter->parked) origin.parked.erase(waiter->in_parked);
    waiter->global = waiter->parked = false;
    --waiting_;
    waiter->outcome = Waiter::Outcome::granted;
    waiter->lease = std::move(lease);
    settle(*waiter);
}

ConnectionPool::Lease ConnectionPool::open_lease_locked(Origin& origin) {
    ++connections_;
    Lease lease;
    lease.may_be_http2 = may_be_http2(origin);
    if (lease.may_be_http2) ++origin.connecting_h2;
    return lease;
}

void ConnectionPool::hand_over_slot_locked() {
    while (!waiters_.empty() &&
           (!limits_.max_connections || connections_ < *limits_.max_connections)) {
        std::shared_ptr<Waiter> waiter = waiters_.front();
        Origin& origin = origin_locked(waiter->origin);
        if (origin.connecting_h2 > 0) {
            // The connection being opened for its origin may take it as a stream.
            waiters_.pop_front();
            waiter->global = false;
            waiter->parked = true;
            waiter->in_parked = origin.parked.insert(origin.parked.end(), waiter);
            continue;
        }
        grant_locked(waiter, open_lease_locked(origin));
    }
}

void ConnectionPool::unpark_locked(Origin& origin) {
    while (!origin.parked.empty() && origin.connecting_h2 == 0) {
        std::shared_ptr<Waiter> waiter = origin.parked.front();
        const bool has_capacity =
            !limits_.max_connections || connections_ < *limits_.max_connections;
        if (waiters_.empty() && (has_capacity || evict_idle_locked())) {
            // Opens the next connection; if that one may be HTTP/2 too, the rest stay parked.
            grant_locked(waiter, open_lease_locked(origin));
            continue;
        }
        origin.parked.pop_front();
        waiter->parked = false;
        waiter->global = true;
        waiter->in_pool = waiters_.insert(waiters_.end(), waiter);
    }
}

void ConnectionPool::connecting_done_locked(Origin& origin) {
    if (--origin.connecting_h2 == 0) unpark_locked(origin);
}

void ConnectionPool::take_stream_locked(Origin& origin,
                                        const std::shared_ptr<Http2Connection>& connection) {
    if (connection->pool.in_idle) remove_idle_locked(origin, connection->pool.idle);
    ++connection->pool.streams;
}

void ConnectionPool::update_available_locked(Origin& origin,
                                             const std::shared_ptr<Http2Connection>& connection) {
    auto& state = connection->pool;
    const bool available = state.accepting && !state.retired && !closed_ && state.streams > 0 &&
                           state.streams < state.capacity;
    if (available && !state.in_available) {
        state.available = origin.available.insert(origin.available.end(), connection);
        state.in_available = true;
    } else if (!available && state.in_available) {
        origin.available.erase(state.available);
        state.in_available = false;
    }
}

void ConnectionPool::serve_waiters_locked(Origin& origin,
                                          const std::shared_ptr<Http2Connection>& connection) {
    auto& state = connection->pool;
    while (state.accepting && !state.retired && !closed_ && state.streams < state.capacity &&
           !origin.waiters.empty()) {
        std::shared_ptr<Waiter> waiter = origin.waiters.front();
        take_stream_locked(origin, connection);
        Lease lease;
        lease.http2 = connection;
        grant_locked(waiter, std::move(lease));
    }
    update_available_locked(origin, connection);
}

void ConnectionPool::retire_locked(const std::shared_ptr<Http2Connection>& connection) {
    auto& state = connection->pool;
    if (state.retired) return;
    state.retired = true;
    state.accepting = false;
    Origin& origin = origin_locked(connection->origin());
    if (state.in_available) {
        origin.available.erase(state.available);
        state.in_available = false;
    }
    if (state.in_idle) remove_idle_locked(origin, state.idle);
    connection->close();
    --connections_;
    if (std::exchange(state.pending, false)) connecting_done_locked(origin);
}

bool ConnectionPool::try_acquire(std::string_view origin_key, bool tls, Lease& lease,
                                 std::shared_ptr<Waiter>* waiter_out, bool fresh,
                                 bool idle_http11_only) {
    {
        std::lock_guard lock(mutex_);
        if (closed_) {
            if (idle_http11_only) return false;
            throw std::logic_error("The transport has been closed.");
        }
        Origin& origin = origin_locked(origin_key);
        origin.tls = tls;
        if (idle_http11_only && !origin.available.empty()) return false;
        if (!origin.available.empty()) {
            std::shared_ptr<Http2Connection> connection = origin.available.front();
            take_stream_locked(origin, connection);
            update_available_locked(origin, connection);
            lease.http2 = std::move(connection);
            return true;
        }
        bool closed_some = false;
        const Clock::time_point now = Clock::now();
        while (!fresh && !origin.idle.empty()) {
            std::shared_ptr<Connection> connection = origin.idle.back();
            // An idle connection the server closed (or expired) is replaced, never written to.
            if (expired_locked(*connection, now) || connection->is_readable()) {
                if (connection->is_http2()) {
                    retire_locked(std::static_pointer_cast<Http2Connection>(connection));
                } else {
                    remove_idle_locked(origin, std::prev(origin.idle.end()));
                    connection->close();
                    --connections_;
                }
                closed_some = true;
                continue;
            }
            if (idle_http11_only && connection->is_http2()) break;
            if (connection->is_http2()) {
                lease.http2 = std::static_pointer_cast<Http2Connection>(connection);
                take_stream_locked(origin, lease.http2);
                update_available_locked(origin, lease.http2);
            } else {
                remove_idle_locked(origin, std::prev(origin.idle.end()));
                lease.connection = std::static_pointer_cast<Http11Connection>(connection);
            }
            return true;
        }
        if (closed_some) hand_over_slot_locked();
        if (idle_http11_only) return false;
        if (origin.connecting_h2 == 0 && waiters_.empty()) {
            bool has_capacity = !limits_.max_connections || connections_ < *limits_.max_connections;
            if (has_capacity || evict_idle_locked()) {
                lease = open_lease_locked(origin);
                return true;
            }
        }
        if (!waiter_out) return false;
        auto& waiter = *waiter_out = std::make_shared<Waiter>();
        waiter->origin = std::string(origin_key);
        waiter->fresh = fresh;
        waiter->in_origin = origin.waiters.insert(origin.waiters.end(), waiter);
        if (origin.connecting_h2 > 0) {
            // A connection to this origin is being opened and may speak HTTP/2: wait for it
            // rather than open another.
            waiter->parked = true;
            waiter->in_parked = origin.parked.insert(origin.parked.end(), waiter);
        } else {
            waiter->global = true;
            waiter->in_pool = waiters_.insert(waiters_.end(), waiter);
        }
        ++waiting_;
    }
    return false;
}

awaitable<ConnectionPool::Lease> ConnectionPool::acquire(
    std::string_view origin_key, bool tls, std::optional<std::chrono::duration<double>> timeout,
    bool fresh) {
    Lease granted;
    std::shared_ptr<Waiter> waiter;
    if (try_acquire(origin_key, tls, granted, &waiter, fresh)) co_return granted;
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
            Origin& origin = origin_locked(w->origin);
            origin.waiters.erase(w->in_origin);
            if (w->global) waiters_.erase(w->in_pool);
            if (w->parked) origin.parked.erase(w->in_parked);
            w->global = w->parked = false;
            --waiting_;
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
            co_return std::move(waiter->lease);
        case Waiter::Outcome::timed_out:
            throw PoolTimeout("Timed out waiting for a connection from the pool.");
        case Waiter::Outcome::closed:
            throw std::logic_error("The transport has been closed.");
        default:
            throw boost::system::system_error(asio::error::operation_aborted);
    }
}

void ConnectionPool::release(Http11Connection& connection, bool reusable) {
    std::lock_guard lock(mutex_);
    Origin& origin = origin_locked(connection.origin());
    // Handed to a waiting request at once, it is checked as an idle one is before reuse: the
    // server may have closed it along with its last response.
    if (reusable && !origin.waiters.empty() && connection.is_readable()) reusable = false;
    if (reusable && !closed_) {
        connection.idle_since = Clock::now();
        if (!origin.waiters.empty() && !origin.waiters.front()->fresh) {
            // Straight to the next request for the same origin.
            Lease lease;
            lease.connection = connection.shared_from_this();
            grant_locked(origin.waiters.front(), std::move(lease));
            return;
        }
        if (waiters_.empty()) {
            push_idle_locked(origin, connection.shared_from_this());
            ++idle_;
            if (limits_.max_keepalive_connections && idle_ > *limits_.max_keepalive_connections)
                evict_idle_locked();
            return;
        }
        // Others wait for capacity: this connection makes room for them.
    }
    connection.close();
    --connections_;
    hand_over_slot_locked();
}

void ConnectionPool::release_stream(const std::shared_ptr<Http2Connection>& connection) {
    std::lock_guard lock(mutex_);
    auto& state = connection->pool;
    --state.streams;
    if (state.retired) return;
    Origin& origin = origin_locked(connection->origin());
    if (state.accepting && !closed_) {
        if (!origin.waiters.empty() && state.streams < state.capacity) {
            // The freed stream goes to the next request for the same origin.
            serve_waiters_locked(origin, connection);
            return;
        }
        update_available_locked(origin, connection);
        if (state.streams > 0) return;
        if (waiters_.empty()) {
            connection->idle_since = Clock::now();
            state.idle = push_idle_locked(origin, connection);
            state.in_idle = true;
            ++idle_;
            if (limits_.max_keepalive_connections && idle_ > *limits_.max_keepalive_connections)
                evict_idle_locked();
            return;
        }
        // Others wait for capacity: this connection makes room for them.
    } else if (state.streams > 0) {
        update_available_locked(origin, connection);
        return;
    }
    retire_locked(connection);
    hand_over_slot_locked();
}

void ConnectionPool::on_http2_settings(const std::shared_ptr<Http2Connection>& connection,
                                       std::uint32_t max_streams) {
    std::lock_guard lock(mutex_);
    auto& state = connection->pool;
    if (state.retired) return;
    state.capacity = std::clamp<std::size_t>(max_streams, 1, kMaxStreamsPerConnection);
    Origin& origin = origin_locked(connection->origin());
    origin.protocol = Protocol::http2;
    // The waiting requests of the origin become streams, as many as the server allows; if
    // some remain, they open the next connection.
    serve_waiters_locked(origin, connection);
    if (std::exchange(state.pending, false)) connecting_done_locked(origin);
}

void ConnectionPool::on_http2_unusable(const std::shared_ptr<Http2Connection>& connection) {
    std::lock_guard lock(mutex_);
    auto& state = connection->pool;
    if (state.retired) return;
    state.accepting = false;
    Origin& origin = origin_locked(connection->origin());
    update_available_locked(origin, connection);
    if (std::exchange(state.pending, false)) connecting_done_locked(origin);
    if (state.streams == 0) {
        retire_locked(connection);
        hand_over_slot_locked();
    }
}

std::optional<ConnectionPool::Target> ConnectionPool::target_of(const URL& url,
                                                                std::span<char, 64> buffer,
                                                                std::string& long_key) {
    const std::string& scheme = url.scheme();
    if (scheme != "http" && scheme != "https") return std::nullopt;
    const std::string& host = url.raw_host();
    if (host.empty()) return std::nullopt;
    Target target;
    target.tls = scheme == "https";
    target.port = *detail::port_or_default(url);  // http or https: always known
    // The pool's key, built in the caller's buffer when it is short (no allocation: it is
    // built for every request).
    char digits[16];
    const auto digits_end = std::to_chars(digits, digits + sizeof digits, target.port).ptr;
    const std::size_t digit_count = static_cast<std::size_t>(digits_end - digits);
    const std::size_t size = scheme.size() + 3 + host.size() + 1 + digit_count;
    char* out = buffer.data();
    if (size > buffer.size()) {
        long_key.resize(size);
        out = long_key.data();
    }
    char* end = std::copy(scheme.begin(), scheme.end(), out);
    end = std::copy_n("://", 3, end);
    end = std::copy(host.begin(), host.end(), end);
    *end++ = ':';
    std::copy(digits, digits_end, end);
    target.origin = std::string_view(out, size);
    return target;
}

namespace {

Timeout timeout_of(const Request& request) {
    if (auto it = request.extensions().find("timeout"); it != request.extensions().end()) {
        if (auto* t = std::any_cast<Timeout>(&it->second)) return *t;
    }
    return {};
}

}  // namespace

awaitable<Response> ConnectionPool::handle_request(std::shared_ptr<ConnectionPool> self,
                                                   Request& request) {
    ConnectionPool& pool = *self;
    // The common case, an idle HTTP/1.1 connection, needs no coroutine of the pool's: the
    // connection's exchange gives it back on failure, and has a request that met a stale
    // connection sent again (send_again). Anything else goes the general way.
    char key_buffer[64];
    std::string long_key;
    if (auto target = target_of(request.url(), key_buffer, long_key);
        target && (!target->tls || pool.settings_.tls)) {
        Lease lease;
        if (pool.try_acquire(target->origin, target->tls, lease, nullptr, false, true)) {
            Http11Connection& connection = *lease.connection;
            Http11Connection::Lease leased(std::move(self), std::move(lease.connection), true);
            return connection.handle_request(request, timeout_of(request), std::move(leased));
        }
    }
    return pool.handle_request_impl(std::move(self), request, false);
}

awaitable<Response> ConnectionPool::send_again(Request& request) {
    return handle_request_impl(shared_from_this(), request, true);
}

awaitable<Response> ConnectionPool::handle_request_impl(std::shared_ptr<ConnectionPool> self,
                                                        Request& request, bool fresh) {
    const URL& url = request.url();
    char key_buffer[64];
    std::string long_key;
    const std::optional<Target> target = target_of(url, key_buffer, long_key);
    if (!target) {
        const std::string& scheme = url.scheme();
        if (scheme != "http" && scheme != "https") {
            throw UnsupportedProtocol(
                scheme.empty() ? "Request URL is missing an 'http://' or 'https://' protocol."
                               : "Request URL has an unsupported protocol '" + scheme + "://'.");
        }
        throw UnsupportedProtocol("Request URL is missing a host.");
    }
    const bool tls = target->tls;
    const int port = target->port;
    const std::string_view origin = target->origin;
    const Timeout timeout = timeout_of(request);
    if (tls && !settings_.tls) throw ConnectError("TLS is not configured for this transport.");

    // After a stale connection (fresh): this is the request's second attempt.
    for (int attempt = fresh ? 1 : 0;; ++attempt) {
        Lease lease;
        if (!try_acquire(origin, tls, lease, nullptr, fresh))
            lease = co_await acquire(origin, tls, timeout.pool, fresh);
        const bool reused = lease.connection != nullptr || lease.http2 != nullptr;
        std::shared_ptr<Http11Connection> connection = std::move(lease.connection);
        std::shared_ptr<Http2Connection> http2 = std::move(lease.http2);
        if (!connection && !http2) {
            std::unique_ptr<net::NetworkStream> stream;
            try {
                stream = co_await connector_->connect(url.raw_host(), port, tls, timeout.connect);
            } catch (...) {
                std::lock_guard lock(mutex_);
                --connections_;
                if (lease.may_be_http2) connecting_done_locked(origin_locked(origin));
                hand_over_slot_locked();
                throw;
            }
            // HTTP/2 by ALPN, or by prior knowledge when HTTP/1.1 is off (as httpcore).
            const bool speaks_http2 =
                settings_.http2 && (!settings_.http1 || stream->alpn_protocol() == "h2");
            if (speaks_http2) {
                auto executor = co_await asio::this_coro::executor;
                std::weak_ptr<Http2Connection::Observer> observer = shared_from_this();
                http2 = std::make_shared<Http2Connection>(std::move(stream), std::string(origin),
                                                          executor, std::move(observer));
                {
                    std::lock_guard lock(mutex_);
                    http2->pool.pending = lease.may_be_http2;
                    http2->pool.streams = 1;  // this request's
                }
                http2->start();
            } else {
                {
                    std::lock_guard lock(mutex_);
                    if (lease.may_be_http2) {
                        Origin& o = origin_locked(origin);
                        o.protocol = Protocol::http11;
                        connecting_done_locked(o);
                    }
                }
                connection =
                    std::make_shared<Http11Connection>(std::move(stream), std::string(origin));
            }
        }
        if (http2) {
            try {
                Http2Connection::Release release = [self, http2] { self->release_stream(http2); };
                Response response =
                    co_await http2->handle_request(request, timeout, std::move(release), reused);
                co_return response;
            } catch (const RefusedStream& refused) {
                release_stream(http2);
                // Never processed by the server: the request goes again on another connection
                // (if its body can be sent again).
                if (attempt + 1 >= kMaxAttempts ||
                    !(request.stream().is_replayable() || refused.body_untouched()))
                    throw;
            } catch (...) {
                release_stream(http2);
                throw;
            }
            continue;
        }
        // The connection gives itself back when the request fails, and sends a request that
        // met a reused connection the server had closed again (send_again: on a new one).
        Http11Connection& exchange = *connection;
        Http11Connection::Lease lent(self, std::move(connection), reused && attempt == 0);
        co_return co_await exchange.handle_request(request, timeout, std::move(lent));
    }
}

void ConnectionPool::close() {
    std::lock_guard lock(mutex_);
    closed_ = true;
    for (auto& [key, origin] : origins_) {
        while (!origin.idle.empty()) {
            std::shared_ptr<Connection> connection = origin.idle.front();
            remove_idle_locked(origin, origin.idle.begin());
            if (connection->is_http2()) {
                auto& state = static_cast<Http2Connection&>(*connection).pool;
                state.retired = true;
                state.accepting = false;
            }
            connection->close();
            --connections_;
        }
        for (auto& connection : origin.available) connection->pool.in_available = false;
        origin.available.clear();
        for (auto& waiter : origin.waiters) {
            waiter->outcome = Waiter::Outcome::closed;
            settle(*waiter);
        }
        origin.waiters.clear();
        origin.parked.clear();
    }
    waiters_.clear();
    waiting_ = 0;
}

AsyncHTTPTransport::PoolStats ConnectionPool::stats() const {
    std::lock_guard lock(mutex_);
    return {connections_, idle_, waiting_};
}

}  // namespace httpx::transport
