#include "transport/http11_connection.hpp"

#include "content/byte_stream_access.hpp"
#include "httpx/exceptions.hpp"
#include "models/response_access.hpp"
#include "net/stream_deadline.hpp"
#include "protocol/http11_parser.hpp"
#include "protocol/http11_serializer.hpp"

#include <boost/asio/this_coro.hpp>
#include <boost/system/system_error.hpp>

#include <algorithm>
#include <array>
#include <cstring>

namespace httpx::transport {

namespace asio = boost::asio;

namespace {

constexpr std::size_t kReadSize = 64 * 1024;  // httpcore reads 64 KiB at a time, as do we
// A body framed by Content-Length or by the end of the connection is read straight into the
// chunks handed to the caller, in reads sized by what the previous one brought: up to 256 KiB
// while the data comes in faster than it is read (a quarter of the system calls and wake-ups of
// 64 KiB reads: 1.4x less CPU for a 256 MiB download), down to 16 KiB on a slow link.
constexpr std::size_t kMinBodyRead = 16 * 1024;
// (256 KiB as libcurl's buffer in the harness: 128 KiB took about 10 % more CPU for h1-big.)
constexpr std::size_t kMaxBodyRead = 256 * 1024;

std::optional<net::StreamDeadline::Duration> phase(const std::optional<Timeout::Duration>& d) {
    return d;
}

}  // namespace

// The state of one request/response exchange, shared by the body iterator and the close
// handler of the response's stream.
struct Http11Connection::Exchange {
    std::shared_ptr<Http11Connection> connection;
    protocol::ResponseParser& parser;  // the connection's, reset for this exchange
    std::optional<net::StreamDeadline::Duration> read_timeout;
    std::shared_ptr<Owner> owner;  // set once the head is read: told when the exchange ends
    bool finished = false;
    std::size_t body_read_size = kReadSize;  // of the next read_body_directly()

    Exchange(std::shared_ptr<Http11Connection> c, std::string_view method,
             std::optional<net::StreamDeadline::Duration> timeout)
        : connection(std::move(c)), parser(connection->parser_), read_timeout(timeout) {
        parser.reset(method);
    }

    void finish(bool reusable) {
        if (finished) return;
        finished = true;
        // Bytes beyond the response on an idle connection mean a confused server: don't reuse.
        if (reusable && connection->begin_ != connection->end_) reusable = false;
        connection->deadline_->idle();
        if (!reusable) connection->close();
        if (auto o = std::move(owner)) o->release(connection, reusable);
    }
    ~Exchange() { finish(false); }

    // One read from the socket under the read timeout; 0 at the end of the stream.
    awaitable<std::size_t> read_some(asio::mutable_buffer buffer) {
        Http11Connection& c = *connection;
        std::size_t n = 0;
        c.deadline_->start(read_timeout);
        try {
            n = co_await c.stream_->read_some(buffer);
        } catch (const boost::system::system_error& e) {
            if (c.deadline_->finish())
                throw ReadTimeout("Timed out while receiving data from the host.");
            throw ReadError(e.code().message());
        }
        // The timer closes the stream from whichever thread it runs on: a read may then end
        // "normally" (0 bytes: the shutdown looks like EOF) just as it would have been aborted.
        if (c.deadline_->finish())
            throw ReadTimeout("Timed out while receiving data from the host.");
        co_return n;
    }

    // Feeds buffered bytes to the parser; reads more from the socket when it needs them.
    awaitable<void> receive_more() {
        Http11Connection& c = *connection;
        if (c.begin_ != c.end_) {
            std::size_t used =
                parser.feed(std::string_view(c.buffer_).substr(c.begin_, c.end_ - c.begin_));
            c.begin_ += used;
            if (used > 0) co_return;
        }
        // Make room: move what is left to the front and keep at least kReadSize free.
        // (The buffer never shrinks: resizing it back would zero-fill it on every read.)
        if (c.begin_ > 0) {
            std::memmove(c.buffer_.data(), c.buffer_.data() + c.begin_, c.end_ - c.begin_);
            c.end_ -= c.begin_;
            c.begin_ = 0;
        }
        if (c.buffer_.size() < c.end_ + kReadSize) c.buffer_.resize(c.end_ + kReadSize);
        const std::size_t n =
            co_await read_some(asio::buffer(c.buffer_.data() + c.end_, c.buffer_.size() - c.end_));
        if (n == 0) {
            parser.feed_eof();
            co_return;
        }
        c.received_nothing_ = false;
        c.end_ += n;
    }

    // Reads body bytes (at most `left`, none buffered) into a chunk of their own, which the
    // parser hands back through take_body(): no copy in user space.
    awaitable<void> read_body_directly(std::uint64_t left) {
        Bytes chunk;
        chunk.resize(static_cast<std::size_t>(std::min<std::uint64_t>(left, body_read_size)));
        const std::size_t n = co_await read_some(asio::buffer(chunk));
        if (n == 0) {
            parser.feed_eof();
            co_return;
        }
        connection->received_nothing_ = false;
        if (n == chunk.size()) {
            body_read_size = std::min(body_read_size * 2, kMaxBodyRead);
        } else if (n < chunk.size() / 2) {
            body_read_size = std::max(body_read_size / 2, kMinBodyRead);
        }
        chunk.resize(n);
        // A chunk the caller keeps should not hold much more memory than bytes.
        if (n < chunk.capacity() / 2) chunk.shrink_to_fit();
        parser.feed_body(std::move(chunk));
    }

    static awaitable<std::optional<Bytes>> next_chunk(std::shared_ptr<Exchange> self) {
        for (;;) {
            // Once finished, the connection and its parser may carry the next exchange.
            if (self->finished) co_return std::nullopt;
            Bytes body = self->parser.take_body();
            if (!body.empty()) co_return body;
            if (self->parser.message_done()) {
                self->finish(self->parser.message_done() && self->parser.keep_alive());
                co_return std::nullopt;
            }
            try {
                const Http11Connection& c = *self->connection;
                const std::uint64_t left = self->parser.identity_body_left();
                if (left > 0 && c.begin_ == c.end_)
                    co_await self->read_body_directly(left);
                else
                    co_await self->receive_more();
            } catch (...) {
                self->finish(false);
                throw;
            }
        }
    }
};

Http11Connection::Http11Connection(std::unique_ptr<net::NetworkStream> stream, std::string origin)
    : stream_(std::move(stream)), origin_(std::move(origin)) {}

Http11Connection::~Http11Connection() {
    stream_->close();
}

void Http11Connection::serialize_head(const Request& request) {
    std::string target = request.url().raw_path();
    if (auto it = request.extensions().find("target"); it != request.extensions().end()) {
        if (auto* t = std::any_cast<std::string>(&it->second)) target = *t;
    }
    head_.clear();
    protocol::serialize_request_head(request.method(), target, request.headers(), head_);
}

void Http11Connection::throw_write_failure(const boost::system::system_error& e) {
    if (deadline_->finish()) throw WriteTimeout("Timed out while sending data to the host.");
    const boost::system::error_code& code = e.code();
    // EPIPE, ECONNRESET (or a TLS session the server ended): the request met a closed connection.
    if (code == asio::error::broken_pipe || code == asio::error::connection_reset ||
        code == asio::error::eof || code == asio::error::not_connected)
        throw WriteError("Server disconnected while the request was sent: " + code.message());
    throw WriteError(code.message());
}

void Http11Connection::check_write_deadline() {
    // The timer closes the stream from whichever thread it runs on, maybe as the write completed.
    if (deadline_->finish()) throw WriteTimeout("Timed out while sending data to the host.");
}

awaitable<void> Http11Connection::write_streamed_request(Request& request, const Timeout& timeout) {
    serialize_head(request);
    auto write = [&](std::span<const asio::const_buffer> buffers) -> awaitable<void> {
        deadline_->start(phase(timeout.write));
        try {
            co_await stream_->write(buffers);
        } catch (const boost::system::system_error& e) {
            throw_write_failure(e);
        }
        check_write_deadline();
    };

    const AsyncByteStream& body = request.stream();
    std::array<asio::const_buffer, 1> head{asio::buffer(head_)};
    co_await write(head);
    const bool chunked = !request.headers().contains("Content-Length");
    std::string framed;
    auto chunks = body.aiter();
    while (auto chunk = co_await chunks.next()) {
        std::array<asio::const_buffer, 1> piece{asio::buffer(*chunk)};
        if (chunked) {
            framed.clear();
            protocol::append_chunk(*chunk, framed);
            piece[0] = asio::buffer(framed);
        }
        co_await write(piece);
    }
    if (chunked) {
        std::array<asio::const_buffer, 1> last{asio::buffer(protocol::last_chunk())};
        co_await write(last);
    }
}

awaitable<Response> Http11Connection::handle_request(Request& request, const Timeout& timeout,
                                                     std::shared_ptr<Owner> owner) {
    received_nothing_ = true;
    if (!deadline_) deadline_.emplace(co_await asio::this_coro::executor, *stream_);
    try {
        if (const Bytes* content = request.stream().buffer()) {
            // The common case inline (no coroutine frame for the write): head and body in one
            // gathered write.
            serialize_head(request);
            std::array<asio::const_buffer, 2> buffers{asio::buffer(head_), asio::buffer(*content)};
            std::span<asio::const_buffer> rest(buffers);
            // Usually the socket takes it all at once: no composed write (and its trip through
            // the scheduler) and nothing to time. Only what is left waits, under the timeout.
            bool sent = false;
            try {
                sent = stream_->write_now(rest);
            } catch (const boost::system::system_error& e) {
                throw_write_failure(e);
            }
            if (!sent) {
                deadline_->start(phase(timeout.write));
                try {
                    co_await stream_->write(rest);
                } catch (const boost::system::system_error& e) {
                    throw_write_failure(e);
                }
                check_write_deadline();
            }
        } else {
            co_await write_streamed_request(request, timeout);
        }
    } catch (...) {
        deadline_->idle();
        throw;
    }

    auto exchange =
        std::make_shared<Exchange>(shared_from_this(), request.method(), phase(timeout.read));
    try {
        while (!exchange->parser.headers_done()) co_await exchange->receive_more();
    } catch (...) {
        exchange->finished = true;  // the caller releases the connection
        deadline_->idle();
        throw;
    }
    exchange->owner = std::move(owner);

    ResponseOptions options;
    options.headers = exchange->parser.take_headers();
    // next_chunk() never yields an empty chunk.
    AsyncByteStream body = detail::ByteStreamAccess::from_non_empty_chunks(
        AsyncIterator<Bytes>([exchange] { return Exchange::next_chunk(exchange); }),
        exchange->parser.content_length());
    body.set_close_handler([weak = std::weak_ptr<Exchange>(exchange)] {
        if (auto e = weak.lock()) e->finish(false);
    });
    options.stream = std::move(body);
    Response response(exchange->parser.status_code(), std::move(options));
    detail::ResponseAccess::set_status_line(response, exchange->parser.http_version(),
                                            std::string(exchange->parser.reason()));
    co_return response;
}

}  // namespace httpx::transport
