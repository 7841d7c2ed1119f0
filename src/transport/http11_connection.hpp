// One HTTP/1.1 connection: writes a request, reads its response head, then streams the body
// from the socket as the caller iterates it.
#pragma once

#include "httpx/config.hpp"
#include "httpx/exceptions.hpp"
#include "httpx/request.hpp"
#include "httpx/response.hpp"
#include "net/network_stream.hpp"
#include "net/stream_deadline.hpp"
#include "protocol/http11_exchange.hpp"
#include "support/tracer.hpp"
#include "transport/connection.hpp"
#include "transport/failure.hpp"
#include "transport/read_policy.hpp"

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
    /// Once the stream was handed over (an upgrade), it is gone: "readable", never reused.
    bool is_readable() const override { return !stream_ || stream_->is_readable(); }
    void close() noexcept override {
        if (stream_) stream_->close();
    }
    const std::string& origin() const noexcept override { return origin_; }

private:
    // Head and in-memory body by a direct send; false leaves the rest in unsent_.
    bool write_now(const Bytes& content);
    // Writes `buffers` within the write timeout (what write_now() left, or a streamed piece).
    awaitable<void> write_timed(std::span<const boost::asio::const_buffer> buffers,
                                const Timeout& timeout);
    // A body given as a stream (the in-memory one is written inline by handle_request).
    awaitable<void> write_streamed_request(Request& request, const Timeout& timeout);

    // Reading: feeds buffered bytes to the exchange, reads the socket when it needs more.
    enum class ReadGoal {
        progress,       // one step: feed what is buffered, else one read
        response_head,  // until the response head is complete
    };
    awaitable<void> receive(ReadGoal goal, bool deferred);
    bool feed_buffered();  // true when the exchange took some of the buffered bytes
    boost::asio::mutable_buffer read_space();
    void received(std::size_t n);  // after a read of n bytes into read_space() (0: end of stream)
    void end_of_stream();
    awaitable<void> read_body_directly(std::uint64_t left);

    // Failures: each is recorded as a Failure kind, then thrown as its HTTPX exception.
    [[noreturn]] void fail(Failure::Kind kind, std::string message);
    [[noreturn]] void throw_write_failure(const boost::system::system_error& e);
    [[noreturn]] void throw_read_failure(const boost::system::system_error& e);
    void check_write_deadline();
    void check_read_deadline();

    // The response body of exchange `id`: its chunks, and its end (finish).
    Response make_response(std::uint64_t id);
    // The response to an upgrade (101, or a 2xx to CONNECT): no body; the stream, with the
    // bytes read past the head, leaves the connection as the "network_stream" extension, and
    // `lease` with it.
    Response hand_over(Lease lease);
    static awaitable<std::optional<Bytes>> next_chunk(std::shared_ptr<Http11Connection> self,
                                                      std::uint64_t id);
    // `read_to_end`: the caller read the whole response (not closed or failed half-way).
    void finish(std::uint64_t id, bool read_to_end);
    // The trace's reports of the head (sent, then received).
    void trace_request_sent(const Request& request);
    void trace_response_head();
    // receive_response_body: started on the first read of the body, complete at its `end`.
    void trace_body_step(bool end);
    // The request failed before any byte of response arrived, in a way that says the server
    // had closed the connection: it may go again on a new one.
    bool failed_stale(const Request& request) const;

    std::unique_ptr<net::NetworkStream> stream_;  // null once handed over
    std::string origin_;
    std::shared_ptr<const TLSInfo> tls_;  // for every response's "tls" extension
    std::string buffer_;                  // bytes read and not yet parsed: buffer_[begin_, end_)
    std::size_t begin_ = 0, end_ = 0;
    protocol::Http11Exchange exchange_;            // the request/response cycle, reused
    Failure::Kind failure_ = Failure::Kind::none;  // how the current request failed
    std::optional<net::StreamDeadline> deadline_;  // made on the first request's executor
    HeadReadDeferral head_read_deferral_;
    AdaptiveReadSize body_read_size_;

    // The exchange in progress, kept here rather than in an object per request. A response
    // body names its exchange by id: once that one is finished, the body ends, even when the
    // connection already carries the next one.
    std::uint64_t exchanges_ = 0;              // ids given so far
    std::atomic<std::uint64_t> active_id_{0};  // the unfinished exchange's id, 0 when none
    std::optional<net::StreamDeadline::Duration> read_timeout_;
    Lease lease_;               // set once the head is read: ended with the exchange
    detail::Tracer trace_;      // the exchange's trace: set per request, given up by finish()
    bool body_traced_ = false;  // receive_response_body was reported started
    std::array<boost::asio::const_buffer, 2> request_buffers_;  // head and in-memory body
    std::span<boost::asio::const_buffer> unsent_;               // what write_now() left
};

}  // namespace httpx::transport
