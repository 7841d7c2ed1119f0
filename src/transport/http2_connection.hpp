// One HTTP/2 connection: any number of concurrent streams over one socket. A reader and a
// writer coroutine (on a strand of the connection's executor) move bytes between the socket
// and the sans-I/O session; they run while there is something to read or write and end when
// the connection is idle (an idle connection holds no pending I/O, as an HTTP/1.1 one).
// Requests and response bodies talk to their stream through the connection's state, under
// its lock, from any executor.
#pragma once

#include "httpx/config.hpp"
#include "httpx/exceptions.hpp"
#include "httpx/request.hpp"
#include "httpx/response.hpp"
#include "net/network_stream.hpp"
#include "transport/connection.hpp"
#include "transport/failure.hpp"
#include "transport/http2_stream.hpp"

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/cancellation_signal.hpp>

#include <chrono>
#include <cstdint>
#include <functional>
#include <list>
#include <memory>
#include <optional>
#include <string>

namespace httpx::transport {

class Http2Connection : public Connection, public std::enable_shared_from_this<Http2Connection> {
public:
    Http2Connection(std::unique_ptr<net::NetworkStream> stream, std::string origin,
                    boost::asio::any_io_executor executor, std::weak_ptr<ConnectionOwner> owner);
    ~Http2Connection() override;

    /// Makes the connection ready for `handle_request()`, whose first call sends the
    /// connection preface with the request.
    void start();

    /// Opens a stream, sends the request (its body as DATA frames, within the server's flow
    /// control windows) and waits for the response head. The response's body streams from the
    /// stream; the lease ends when it is done with, or before this throws. Throws
    /// `RefusedStream` when the request may be retried elsewhere; on a reused connection (the
    /// lease says), a connection dying before any answer refuses the stream instead of failing
    /// it.
    awaitable<Response> handle_request(Request& request, const Timeout& timeout,
                                       Lease lease) override;

    /// The server's SETTINGS_MAX_CONCURRENT_STREAMS, once the owner was told of it.
    std::optional<std::size_t> capacity() const override;
    /// False after a GOAWAY, an error, or close().
    bool is_available() const override;

    bool is_readable() const override;
    /// Closes the connection; streams still open fail with ReadError. Idempotent, never blocks.
    /// A connection in working order (not failed) first sends GOAWAY(NO_ERROR), after what the
    /// writer is writing, and its socket closes once that is written or after a second.
    void close() noexcept override;
    const std::string& origin() const noexcept override { return origin_; }

    struct Impl;

private:
    friend class Http2Exchange;  // reads the response body through take_body and wait_for

    // `cancel`: this reader's own cancellation signal (see start_loops).
    static awaitable<void> read_loop(std::shared_ptr<Http2Connection> self,
                                     std::shared_ptr<boost::asio::cancellation_signal> cancel);
    static awaitable<void> write_loop(std::shared_ptr<Http2Connection> self);
    // Closes the socket without GOAWAY (a connection whose socket takes no more bytes).
    void close_now() noexcept;
    // close() and close_now(): `say_goodbye` sends GOAWAY first if the connection works.
    void close(bool say_goodbye) noexcept;
    // Starts the reader and/or writer claimed under the lock (Impl::claim_reader/writer).
    void start_loops(bool reader, bool writer);
    awaitable<void> send_body(std::shared_ptr<Http2Stream> stream, const AsyncByteStream& body,
                              std::optional<std::chrono::duration<double>> write_timeout);
    // The trace's reports of a request whose frames were queued (`first`: the connection's
    // preface goes out with them): its send steps up to send_request_body.started.
    static void trace_request_queued(detail::Tracer& trace, const Request& request,
                                     std::int32_t stream_id, bool first);
    // Waits for the stream's next event, at most `limit`: throws WriteTimeout (`write`) or
    // ReadTimeout when the limit passes first. One timer per connection enforces the limits.
    awaitable<void> wait_for(Http2Stream& stream,
                             std::optional<std::chrono::duration<double>> limit, bool write);
    // The wait timer woke up: ends the waits whose time ran out, sleeps until the next one.
    void on_wait_timer();
    // Resets a stream the exchange gives up on (RST_STREAM CANCEL unless already closed).
    void abandon(Http2Stream& stream);
    // The response body's next step (Http2Stream::next_body_step), with the bytes taken given
    // back to flow control (WINDOW_UPDATE).
    Http2Stream::BodyStep take_body(Http2Stream& stream);
    // Tells the owner what changed (settings, unusable); never under the lock.
    void report_to_pool();
    // After a stream's read timeout on a connection that received nothing for as long: sends a
    // PING, or closes the connection when nothing arrived since the last one.
    void close_if_silent(std::optional<std::chrono::duration<double>> limit);

    std::unique_ptr<net::NetworkStream> stream_;
    std::string origin_;
    std::shared_ptr<const TLSInfo> tls_;  // for every response's "tls" extension
    std::unique_ptr<Impl> impl_;
};

}  // namespace httpx::transport
