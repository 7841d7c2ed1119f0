// One HTTP/1.1 connection: writes a request, reads its response head, then streams the body
// from the socket as the caller iterates it.
#pragma once

#include "httpx/config.hpp"
#include "httpx/exceptions.hpp"
#include "httpx/request.hpp"
#include "httpx/response.hpp"
#include "net/network_stream.hpp"
#include "net/stream_deadline.hpp"
#include "protocol/http11_parser.hpp"
#include "transport/connection.hpp"

#include <boost/asio/buffer.hpp>
#include <boost/system/system_error.hpp>

#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>

namespace httpx::transport {

class Http11Connection : public Connection, public std::enable_shared_from_this<Http11Connection> {
public:
    Http11Connection(std::unique_ptr<net::NetworkStream> stream, std::string origin);
    ~Http11Connection() override;

    /// Sends `request` and reads the response head. The returned response's body reads from
    /// this connection; the lease ends when that body is done with (read to the end, closed, or
    /// dropped), or before this throws. A reused connection that the server had closed before
    /// it answered throws RefusedStream: the request goes again on a new one.
    awaitable<Response> handle_request(Request& request, const Timeout& timeout,
                                       Lease lease) override;

    std::optional<std::size_t> capacity() const override { return 1; }
    /// Whether it may carry another request is told per request (the lease's end).
    bool is_available() const override { return true; }
    bool is_readable() const override { return stream_->is_readable(); }
    void close() noexcept override { stream_->close(); }
    const std::string& origin() const noexcept override { return origin_; }

private:
    void serialize_head(const Request& request);  // into head_
    // Head and in-memory body by a direct send; false leaves the rest in unsent_.
    bool write_now(const Request& request, const Bytes& content);
    [[noreturn]] void throw_write_failure(const boost::system::system_error& e);
    void check_write_deadline();
    // A body given as a stream (the in-memory one is written inline by handle_request).
    awaitable<void> write_streamed_request(Request& request, const Timeout& timeout);

    // Reading: handle_request, receive_more() and read_body_directly() read the socket
    // themselves (no coroutine frame for the read's timeout and errors).
    bool feed_buffered();  // true when the parser took some of the buffered bytes
    boost::asio::mutable_buffer read_space();
    void received(std::size_t n);  // after a read of n bytes into read_space() (0: end of stream)
    // Whether the first read of the response to a request sent at once waits for the other
    // ready handlers first (see handle_request); counts the exchanges between two tries.
    bool defer_head_read() noexcept;
    [[noreturn]] void throw_read_failure(const boost::system::system_error& e);
    void check_read_deadline();
    awaitable<void> receive_more();
    awaitable<void> read_body_directly(std::uint64_t left);

    // The response body of exchange `id`: its chunks, and its end (finish).
    Response make_response(std::uint64_t id);
    static awaitable<std::optional<Bytes>> next_chunk(std::shared_ptr<Http11Connection> self,
                                                      std::uint64_t id);
    void finish(std::uint64_t id, bool reusable);
    // The request failed before any byte of response arrived, in a way that says the server
    // had closed the connection: it may go again on a new one.
    bool failed_stale(const Request& request, const TransportError& error) const;

    std::unique_ptr<net::NetworkStream> stream_;
    std::string origin_;
    std::string buffer_;  // bytes read and not yet parsed: buffer_[begin_, end_)
    std::size_t begin_ = 0, end_ = 0;
    bool received_nothing_ = true;
    std::string head_;  // reused between requests: no allocation per request head
    protocol::ResponseParser parser_{"GET"};       // reused between requests (reset per exchange)
    std::optional<net::StreamDeadline> deadline_;  // made on the first request's executor
    // Exchanges left before the head read is deferred again (0: it is, see handle_request).
    std::uint8_t head_read_deferral_wait_ = 0;

    // The exchange in progress, kept here rather than in an object per request. A response
    // body names its exchange by id: once that one is finished, the body ends, even when the
    // connection already carries the next one.
    std::uint64_t exchanges_ = 0;              // ids given so far
    std::atomic<std::uint64_t> active_id_{0};  // the unfinished exchange's id, 0 when none
    std::optional<net::StreamDeadline::Duration> read_timeout_;
    Lease lease_;                     // set once the head is read: ended with the exchange
    std::size_t body_read_size_ = 0;  // of the next read_body_directly()
    std::array<boost::asio::const_buffer, 2> request_buffers_;  // head and in-memory body
    std::span<boost::asio::const_buffer> unsent_;               // what write_now() left
};

}  // namespace httpx::transport
