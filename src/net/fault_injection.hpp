// Fault injection for tests (internal, not public API): fails the Nth I/O operation of every
// connection a transport opens, so that a test looping N = 0, 1, 2 ... visits every error path
// of an exchange (the idea of Beast's test::fail_count). Tests install it as the transport's
// connector (make_fault_connector()): production code knows nothing of it.
#pragma once

#include "httpx/types.hpp"
#include "net/connect.hpp"
#include "net/connector.hpp"
#include "net/network_stream.hpp"

#include <boost/asio/steady_timer.hpp>
#include <boost/system/error_code.hpp>

#include <cstddef>
#include <memory>
#include <mutex>
#include <optional>
#include <vector>

namespace httpx::net {

/// The I/O operations an injector counts, in the order a connection meets them.
enum class IoOperation { connect, handshake, read, write };

/// How the chosen operation fails.
enum class Fault {
    reset,  // ECONNRESET ("Connection reset by peer")
    eof,    // the peer closed: a read ends the stream, a write gets EPIPE, a connect ECONNREFUSED
    timed_out,  // ETIMEDOUT from the OS (an error, not one of our phase timeouts)
    stall,      // never completes: the phase timeout (or the caller's cancellation) ends it
};

/// One counted operation: which, on which connection (numbered in the order they were opened),
/// and whether it was the one made to fail.
struct IoRecord {
    IoOperation operation;
    std::size_t connection;
    bool failed;
};

/// Counts every connect, TLS handshake, read and write of the connections of a transport and
/// fails operation number `fail_at` (0-based) with `fault`; every other operation runs
/// normally. A connection whose read or write failed stays broken (each later operation fails
/// the same way, as a real dead socket would) and reports itself readable, so that a pool
/// which checked it would never reuse it. Thread-safe.
class FaultInjector {
public:
    FaultInjector(std::size_t fail_at, Fault fault) : fail_at_(fail_at), fault_(fault) {}

    /// Numbers a new connection (before its connect).
    std::size_t open_connection();
    /// Counts `operation` on `connection`. Returns nullopt to run it, or the error to fail it
    /// with (an empty code: a read's end of stream); for `Fault::stall` it first waits until
    /// cancelled (or until `stall` is cancelled, when given), then returns operation_aborted.
    awaitable<std::optional<boost::system::error_code>> before(
        IoOperation operation, std::size_t connection, boost::asio::steady_timer* stall = nullptr);

    /// Whether the chosen operation was reached (and failed).
    bool fired() const;
    /// Every operation counted so far, in order.
    std::vector<IoRecord> log() const;
    Fault fault() const noexcept { return fault_; }

    /// The error `fault` gives `operation` (empty for a read's end of stream and for stalls).
    static boost::system::error_code error_for(Fault fault, IoOperation operation);

private:
    const std::size_t fail_at_;
    const Fault fault_;
    mutable std::mutex mutex_;
    std::size_t connections_ = 0;
    std::vector<IoRecord> log_;
};

/// Wraps a connected stream so that its reads and writes go through `faults`. A stalled read
/// or write waits on `executor` until the stream is closed or the operation cancelled.
std::unique_ptr<NetworkStream> with_faults(std::unique_ptr<NetworkStream> stream,
                                           std::shared_ptr<FaultInjector> faults,
                                           std::size_t connection,
                                           const boost::asio::any_io_executor& executor);

/// A connector that opens connections as make_socket_connector(settings) does, the same steps
/// in the same order, with every connect, handshake, read and write counted (and the chosen
/// one failed) by `faults`. Through a proxy, the reads and writes are those of the stream to
/// the proxy: CONNECT's, the TLS handshake with the origin inside the tunnel, the requests'.
std::shared_ptr<Connector> make_fault_connector(ConnectSettings settings,
                                                std::shared_ptr<FaultInjector> faults);

}  // namespace httpx::net
