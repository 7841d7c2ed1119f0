// One HTTP/1.1 connection: writes a request, reads its response head, then streams the body
// from the socket as the caller iterates it.
#pragma once

#include "httpx/config.hpp"
#include "httpx/request.hpp"
#include "httpx/response.hpp"
#include "net/network_stream.hpp"
#include "net/stream_deadline.hpp"
#include "protocol/http11_parser.hpp"
#include "transport/connection.hpp"

#include <boost/system/system_error.hpp>

#include <chrono>
#include <memory>
#include <optional>
#include <string>

namespace httpx::transport {

class Http11Connection : public Connection, public std::enable_shared_from_this<Http11Connection> {
public:
    /// What gets the connection back when an exchange ends (the pool). Held by a shared_ptr,
    /// which keeps it alive as long as a response body may still read: no allocation per
    /// request, as a std::function holding two shared_ptrs would make.
    class Owner {
    public:
        /// Called once per exchange: `reusable` when the response was read completely on a
        /// connection that stays open.
        virtual void release(const std::shared_ptr<Http11Connection>& connection,
                             bool reusable) = 0;

    protected:
        ~Owner() = default;
    };

    Http11Connection(std::unique_ptr<net::NetworkStream> stream, std::string origin);
    ~Http11Connection();

    /// Sends `request` and reads the response head. The returned response's body reads from
    /// this connection; `owner` gets the connection back when that body is done with (read to
    /// the end, closed, or dropped). If this throws, `owner` is not called: the caller releases
    /// (not reusable).
    awaitable<Response> handle_request(Request& request, const Timeout& timeout,
                                       std::shared_ptr<Owner> owner);

    /// Nothing at all was received for the last request (the server may have closed the idle
    /// connection just as it was reused: the request may be retried on a new one).
    bool received_nothing() const noexcept { return received_nothing_; }
    bool is_readable() const { return stream_->is_readable(); }
    void close() noexcept { stream_->close(); }
    const std::string& origin() const noexcept { return origin_; }

    struct Exchange;

private:
    void serialize_head(const Request& request);  // into head_
    [[noreturn]] void throw_write_failure(const boost::system::system_error& e);
    void check_write_deadline();
    // A body given as a stream (the in-memory one is written inline by handle_request).
    awaitable<void> write_streamed_request(Request& request, const Timeout& timeout);

    std::unique_ptr<net::NetworkStream> stream_;
    std::string origin_;
    std::string buffer_;  // bytes read and not yet parsed: buffer_[begin_, end_)
    std::size_t begin_ = 0, end_ = 0;
    bool received_nothing_ = true;
    std::string head_;  // reused between requests: no allocation per request head
    protocol::ResponseParser parser_{"GET"};       // reused between requests (reset per exchange)
    std::optional<net::StreamDeadline> deadline_;  // made on the first request's executor
};

}  // namespace httpx::transport
