// The read and write timeouts of one connection, with one timer per connection.
#pragma once

#include "net/lazy_timer.hpp"
#include "net/network_stream.hpp"

#include <boost/asio/any_io_executor.hpp>

#include <chrono>
#include <memory>
#include <optional>

namespace httpx::net {

/// Times the operations of one stream, one at a time, and closes the stream when one overruns.
///
/// Cheaper than `within()` (two coroutines, a parallel group and a timer per operation): each
/// operation only records its deadline (one clock read), and one `LazyTimer` per connection
/// enforces them, touched about once per timeout period rather than twice per socket operation.
///
///     deadline.start(timeout.read);
///     try { n = co_await stream.read_some(...); }  // fails when the time ran out
///     catch (...) { if (deadline.finish()) throw ReadTimeout(...); throw; }
///     deadline.finish();
class StreamDeadline {
public:
    using Duration = std::chrono::duration<double>;

    StreamDeadline(const boost::asio::any_io_executor& executor, NetworkStream& stream);
    ~StreamDeadline();
    StreamDeadline(const StreamDeadline&) = delete;
    StreamDeadline& operator=(const StreamDeadline&) = delete;

    /// An operation on the stream starts now and may take `limit` (none: no limit).
    void start(std::optional<Duration> limit);
    /// The operation ended. Returns true when it was cancelled because its time ran out.
    bool finish() noexcept;
    /// No operation follows soon (the connection goes idle): releases the timer, so that a
    /// pending wait does not keep the io_context running. The release runs after the handlers
    /// already queued on the executor, and not at all if an operation starts before.
    void idle() noexcept;

private:
    struct State;
    std::shared_ptr<State> state_;  // reached by the timer's on_wake through a weak_ptr
};

}  // namespace httpx::net
