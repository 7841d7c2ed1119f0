#include "transport/connection_pool.hpp"

#include "httpx/exceptions.hpp"
#include "models/default_port.hpp"
#include "models/string_extension.hpp"
#include "support/cancellation.hpp"
#include "support/tracer.hpp"
#include "transport/connection_factory.hpp"
#include "transport/failure.hpp"

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

// Attempts of one request that connections never processed (a stale keep-alive connection, a
// refused stream, GOAWAY).
constexpr int kMaxAttempts = 5;

Timeout timeout_of(const Request& request) {
    if (auto it = request.extensions().find("timeout"); it != request.extensions().end()) {
        if (auto* t = std::any_cast<Timeout>(&it->second)) return *t;
    }
    return {};
}

// The "sni_hostname" extension (httpcore's): the name TLS sends and verifies instead of the
// URL's host, for a new connection ("" when absent).
std::string sni_hostname(const Request& request) {
    return httpx::detail::string_extension(request.extensions(), "sni_hostname").value_or("");
}

}  // namespace

ConnectionPool::ConnectionPool(Limits limits, net::ConnectSettings settings,
                               std::shared_ptr<net::Connector> connector)
    : settings_(std::move(settings)), connector_(std::move(connector)), ledger_(limits) {}

ConnectionPool::~ConnectionPool() {
    close();
}

bool ConnectionPool::may_multiplex(bool tls) const noexcept {
    // HTTP/2 by ALPN over TLS, or by prior knowledge when HTTP/1.1 is off.
    return settings_.http2 && (tls || !settings_.http1);
}

awaitable<PoolGrant> ConnectionPool::acquire(Target target,
                                             std::optional<std::chrono::duration<double>> timeout,
                                             bool fresh) {
    std::shared_ptr<PoolWaiter> waiter;
    {
        std::lock_guard lock(mutex_);
        if (ledger_.closed()) throw std::logic_error("The transport has been closed.");
        PoolGrant grant =
            ledger_.try_acquire(target.origin, may_multiplex(target.tls), fresh, Clock::now());
        if (grant) co_return grant;
        waiter = ledger_.enqueue(target.origin, fresh);
    }
    auto executor = co_await asio::this_coro::executor;
    auto initiate = [this, w = waiter, timeout, executor](auto handler) {
        auto slot = asio::get_associated_cancellation_slot(handler);
        auto shared = std::make_shared<decltype(handler)>(std::move(handler));
        auto complete = [shared, executor] {
            asio::post(executor, [shared] { std::move (*shared)(); });
        };
        std::lock_guard lock(mutex_);
        if (w->outcome != PoolWaiter::Outcome::pending) {
            complete();
            return;
        }
        // The pool outlives its waiters: each holds a request that holds the transport.
        auto give_up = [this, w](PoolWaiter::Outcome outcome) {
            std::lock_guard lock(mutex_);
            ledger_.give_up(*w, outcome);
        };
        std::shared_ptr<asio::steady_timer> timer;
        if (timeout) {
            timer = std::make_shared<asio::steady_timer>(
                executor, std::chrono::duration_cast<Clock::duration>(*timeout));
            timer->async_wait([give_up](boost::system::error_code ec) {
                if (!ec) give_up(PoolWaiter::Outcome::timed_out);
            });
        }
        w->wake = [complete, timer] {
            // Cancelled on the timer's own executor: timers are not thread-safe.
            if (timer) asio::post(timer->get_executor(), [timer] { timer->cancel(); });
            complete();
        };
        if (slot.is_connected())
            slot.assign(
                [give_up](asio::cancellation_type) { give_up(PoolWaiter::Outcome::cancelled); });
    };
    co_await asio::async_initiate<const asio::use_awaitable_t<>&, void()>(initiate,
                                                                          asio::use_awaitable);

    switch (waiter->outcome) {
        case PoolWaiter::Outcome::granted:
            co_return std::move(waiter->grant);
        case PoolWaiter::Outcome::timed_out:
            throw PoolTimeout("Timed out waiting for a connection from the pool.");
        case PoolWaiter::Outcome::closed:
            throw std::logic_error("The transport has been closed.");
        default:
            throw boost::system::system_error(asio::error::operation_aborted);
    }
}

awaitable<void> ConnectionPool::open(PoolGrant& grant, const Request& request, const Target& target,
                                     std::optional<std::chrono::duration<double>> timeout) {
    // The connection.* steps are reported to the request that opens the connection.
    detail::Tracer tracer(request);
    ConnectionTarget where{
        {request.url().raw_host(), target.port, target.tls, sni_hostname(request), &tracer},
        std::string(target.origin)};
    std::shared_ptr<Connection> connection = co_await open_connection(
        *connector_, settings_, std::move(where), timeout, weak_from_this());
    std::lock_guard lock(mutex_);
    ledger_.opened(*grant.entry, connection, Clock::now());
    grant.connection = std::move(connection);
}

void ConnectionPool::request_ended(PoolEntry& entry, bool reusable) {
    std::lock_guard lock(mutex_);
    ledger_.request_ended(entry, reusable, Clock::now());
}

void ConnectionPool::connection_changed(Connection& connection) {
    std::lock_guard lock(mutex_);
    ledger_.connection_changed(connection, Clock::now());
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

class ConnectionPool::Claim {
public:
    Claim() = default;
    Claim(std::shared_ptr<ConnectionPool> pool, PoolGrant grant)
        : pool_(std::move(pool)), grant_(std::move(grant)) {}
    Claim(Claim&& other) noexcept
        : pool_(std::move(other.pool_)), grant_(std::exchange(other.grant_, {})) {}
    Claim& operator=(Claim&&) = delete;
    ~Claim() {
        if (grant_) pool_->give_back(grant_);
    }
    PoolGrant take() { return std::exchange(grant_, {}); }

private:
    std::shared_ptr<ConnectionPool> pool_;
    PoolGrant grant_;
};

void ConnectionPool::give_back(PoolGrant& grant) {
    std::lock_guard lock(mutex_);
    if (grant.connection)
        ledger_.request_ended(*grant.entry, true, Clock::now());
    else
        ledger_.open_failed(*grant.entry);
    grant = {};
}

awaitable<Response> ConnectionPool::handle_request(std::shared_ptr<ConnectionPool> self,
                                                   Request& request) {
    // A connection ready for the request is taken as it is made (no coroutine frame of the
    // pool's yet); dropped before it starts, the request gives it back.
    PoolGrant grant;
    char key_buffer[64];
    std::string long_key;
    if (auto target = target_of(request.url(), key_buffer, long_key);
        target && (!target->tls || self->settings_.tls)) {
        std::lock_guard lock(self->mutex_);
        if (!self->ledger_.closed())
            grant = self->ledger_.try_acquire(target->origin, self->may_multiplex(target->tls),
                                              false, Clock::now());
    }
    Claim claim(grant ? self : nullptr, std::move(grant));
    return run(std::move(self), request, std::move(claim));
}

awaitable<Response> ConnectionPool::run(std::shared_ptr<ConnectionPool> self, Request& request,
                                        Claim claim) {
    ConnectionPool& pool = *self;
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
    if (target->tls && !pool.settings_.tls)
        throw ConnectError("TLS is not configured for this transport.");
    const Timeout timeout = timeout_of(request);
    // The caller's cancellation, in whatever phase it lands (pool wait, connect, send, head),
    // ends the request as Asio's operations end: see rethrow_as_cancellation_if().
    const asio::cancellation_state cancellation = co_await asio::this_coro::cancellation_state;

    // A request that a connection never processed goes again, on a connection not used before
    // (`fresh`: never an idle one, which may be as stale as the last).
    bool fresh = false;
    for (int attempt = 0;; ++attempt) {
        PoolGrant grant = claim.take();
        try {
            if (!grant) grant = co_await pool.acquire(*target, timeout.pool, fresh);
        } catch (...) {
            detail::rethrow_as_cancellation_if(cancellation);
        }
        const bool reused = grant.connection != nullptr;
        if (!reused) {
            try {
                co_await pool.open(grant, request, *target, timeout.connect);
            } catch (...) {
                // Failed, or cancelled (maybe before open() started): the slot is freed.
                pool.give_back(grant);
                detail::rethrow_as_cancellation_if(cancellation);
            }
        }
        // Held here: the connection may end the lease (and the pool close it) before it is done.
        std::shared_ptr<Connection> connection = std::move(grant.connection);
        try {
            Lease lease(self, grant.entry, reused);
            co_return co_await connection->handle_request(request, timeout, std::move(lease));
        } catch (const RefusedStream& refused) {
            if (cancellation.cancelled() != asio::cancellation_type::none ||
                attempt + 1 >= kMaxAttempts ||
                !(request.stream().is_replayable() || refused.body_untouched()))
                detail::rethrow_as_cancellation_if(cancellation);
        } catch (...) {
            detail::rethrow_as_cancellation_if(cancellation);
        }
        fresh = true;
    }
}

void ConnectionPool::close() {
    std::lock_guard lock(mutex_);
    ledger_.close();
}

AsyncHTTPTransport::PoolStats ConnectionPool::stats() const {
    std::lock_guard lock(mutex_);
    return {ledger_.connections(), ledger_.idle(), ledger_.queued()};
}

}  // namespace httpx::transport
