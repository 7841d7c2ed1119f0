#include "net/fault_injection.hpp"

#include <boost/asio/error.hpp>
#include <boost/asio/experimental/as_tuple.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/system/system_error.hpp>

namespace httpx::net {

namespace asio = boost::asio;

std::size_t FaultInjector::open_connection() {
    std::lock_guard lock(mutex_);
    return connections_++;
}

awaitable<std::optional<boost::system::error_code>> FaultInjector::before(
    IoOperation operation, std::size_t connection, asio::steady_timer* stall) {
    bool fail = false;
    {
        std::lock_guard lock(mutex_);
        fail = log_.size() == fail_at_;
        log_.push_back({operation, connection, fail});
    }
    if (!fail) co_return std::nullopt;
    if (fault_ == Fault::stall) {
        // Waits "forever": only cancellation (a phase timeout, the caller) ends it, or closing
        // the stream that owns `stall`, as closing a socket ends its pending operations.
        asio::steady_timer never(co_await asio::this_coro::executor);
        asio::steady_timer& timer = stall ? *stall : never;
        timer.expires_at(asio::steady_timer::time_point::max());
        co_await timer.async_wait(asio::experimental::as_tuple(asio::use_awaitable));
        co_return asio::error::make_error_code(asio::error::operation_aborted);
    }
    co_return error_for(fault_, operation);
}

bool FaultInjector::fired() const {
    std::lock_guard lock(mutex_);
    return log_.size() > fail_at_;
}

std::vector<IoRecord> FaultInjector::log() const {
    std::lock_guard lock(mutex_);
    return log_;
}

boost::system::error_code FaultInjector::error_for(Fault fault, IoOperation operation) {
    switch (fault) {
        case Fault::reset:
            return asio::error::connection_reset;
        case Fault::timed_out:
            return asio::error::timed_out;
        case Fault::eof:
            switch (operation) {
                case IoOperation::connect:
                    return asio::error::connection_refused;
                case IoOperation::handshake:
                    return asio::error::eof;
                case IoOperation::write:
                    return asio::error::broken_pipe;
                case IoOperation::read:
                    return {};  // a read reports the end of the stream by returning 0 bytes
            }
            break;
        case Fault::stall:
            break;
    }
    return {};
}

namespace {

// A NetworkStream whose reads and writes pass through a FaultInjector first.
class FaultyStream final : public NetworkStream {
public:
    FaultyStream(std::unique_ptr<NetworkStream> inner, std::shared_ptr<FaultInjector> faults,
                 std::size_t connection, const asio::any_io_executor& executor)
        : inner_(std::move(inner)),
          faults_(std::move(faults)),
          connection_(connection),
          stall_(executor) {}

    awaitable<std::size_t> read_some(boost::asio::mutable_buffer buffer) override {
        if (!broken_)
            broken_ = co_await check(IoOperation::read);
        else
            after_stall();
        if (broken_) {
            if (*broken_) throw boost::system::system_error(*broken_);
            co_return 0;  // end of stream, as often as asked
        }
        co_return co_await inner_->read_some(buffer);
    }
    awaitable<void> write(std::span<const boost::asio::const_buffer> buffers) override {
        if (!broken_)
            broken_ = co_await check(IoOperation::write);
        else
            after_stall();
        if (broken_) {
            throw boost::system::system_error(
                *broken_ ? *broken_ : asio::error::make_error_code(asio::error::broken_pipe));
        }
        co_await inner_->write(buffers);
    }
    void close() noexcept override {
        closed_ = true;
        stall_.cancel();  // a stalled read or write ends, as on a closed socket
        inner_->close();
    }
    bool is_readable() const override { return broken_ || inner_->is_readable(); }
    std::string alpn_protocol() const override { return inner_->alpn_protocol(); }
    std::shared_ptr<const TLSInfo> tls_info() const override { return inner_->tls_info(); }

private:
    // Once a stalled operation was cancelled (rather than ended by closing the stream), the
    // peer is taken for gone: every later operation fails as on a reset connection. (Failing
    // with operation_aborted instead would look like one cancellation after the other.)
    void after_stall() {
        if (broken_ && *broken_ == asio::error::operation_aborted && !closed_)
            broken_ = asio::error::make_error_code(asio::error::connection_reset);
    }

    // The error this operation fails with from now on, or nullopt to run it.
    awaitable<std::optional<boost::system::error_code>> check(IoOperation operation) {
        auto failure = co_await faults_->before(operation, connection_, &stall_);
        if (failure) inner_->close();  // the server sees the connection go, as after a real fault
        co_return failure;
    }

    std::unique_ptr<NetworkStream> inner_;
    std::shared_ptr<FaultInjector> faults_;
    std::size_t connection_;
    // Set once an operation failed: the error every later one gets (empty: end of stream).
    std::optional<boost::system::error_code> broken_;
    asio::steady_timer stall_;  // what a stalled read or write waits on
    bool closed_ = false;
};

}  // namespace

std::unique_ptr<NetworkStream> with_faults(std::unique_ptr<NetworkStream> stream,
                                           std::shared_ptr<FaultInjector> faults,
                                           std::size_t connection,
                                           const asio::any_io_executor& executor) {
    return std::make_unique<FaultyStream>(std::move(stream), std::move(faults), connection,
                                          executor);
}

namespace {

class FaultConnector final : public Connector {
public:
    FaultConnector(ConnectSettings settings, std::shared_ptr<FaultInjector> faults)
        : settings_(std::move(settings)), faults_(std::move(faults)) {}

    awaitable<std::unique_ptr<NetworkStream>> connect(
        const Destination& to, std::optional<std::chrono::duration<double>> timeout) override {
        return with_connect_retries(settings_.retries,
                                    [this, &to, timeout] { return attempt(to, timeout); });
    }

private:
    // One numbered connection: its connect and handshake counted within the timeout, then its
    // reads and writes.
    awaitable<std::unique_ptr<NetworkStream>> attempt(
        const Destination& to, std::optional<std::chrono::duration<double>> timeout) {
        const std::size_t connection = faults_->open_connection();
        auto executor = co_await asio::this_coro::executor;
        if (settings_.proxy)
            co_return co_await connect_within(timeout, via_proxy(to, connection, executor));
        auto stream = co_await connect_within(timeout, connect_once(to, connection, executor));
        co_return with_faults(std::move(stream), faults_, connection, executor);
    }

    // Through the proxy: the connect to it and the TLS handshake with an https:// one counted
    // as such, then every read and write on the stream to the proxy: CONNECT's, the TLS
    // handshake with the origin inside the tunnel, then the requests'.
    awaitable<std::unique_ptr<NetworkStream>> via_proxy(const Destination& to,
                                                        std::size_t connection,
                                                        asio::any_io_executor executor) {
        const ProxyRoute& proxy = *settings_.proxy;
        auto stream = co_await open_socket(proxy.host, proxy.port, settings_, executor);
        if (auto fault = co_await faults_->before(IoOperation::connect, connection))
            throw connect_failure(proxy.host, proxy.port, settings_, *fault);
        if (proxy.tls) {
            if (auto fault = co_await faults_->before(IoOperation::handshake, connection))
                throw handshake_failure(proxy.host, fault->message());
            stream = co_await start_tls(std::move(stream), *proxy.tls, proxy.host, executor);
        }
        stream = with_faults(std::move(stream), faults_, connection, executor);
        co_return co_await through_proxy(std::move(stream), to, settings_, executor);
    }

    awaitable<std::unique_ptr<NetworkStream>> connect_once(const Destination& to,
                                                           std::size_t connection,
                                                           asio::any_io_executor executor) {
        auto stream = co_await open_socket(to.host, to.port, settings_, executor);
        if (auto fault = co_await faults_->before(IoOperation::connect, connection))
            throw connect_failure(to.host, to.port, settings_, *fault);
        if (!to.tls) co_return stream;
        if (auto fault = co_await faults_->before(IoOperation::handshake, connection))
            throw handshake_failure(to.tls_name(), fault->message());
        co_return co_await start_tls(std::move(stream), *settings_.tls, to.tls_name(), executor);
    }

    ConnectSettings settings_;
    std::shared_ptr<FaultInjector> faults_;
};

}  // namespace

std::shared_ptr<Connector> make_fault_connector(ConnectSettings settings,
                                                std::shared_ptr<FaultInjector> faults) {
    return std::make_shared<FaultConnector>(std::move(settings), std::move(faults));
}

}  // namespace httpx::net
