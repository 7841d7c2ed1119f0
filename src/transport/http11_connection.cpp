#include "transport/http11_connection.hpp"

#include "content/byte_stream_access.hpp"
#include "httpx/exceptions.hpp"
#include "models/response_access.hpp"
#include "net/stream_deadline.hpp"
#include "protocol/http11_parser.hpp"
#include "protocol/http11_serializer.hpp"
#include "transport/failure.hpp"

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
// Exchanges whose head read is not deferred after one that found nothing else to let run first
// (see handle_request): with one exchange in flight, deferring costs an epoll_wait and gains
// nothing.
constexpr std::uint8_t kHeadReadDeferralPause = 8;

// Deferred head reads started and completed on this thread: one that finds the count unchanged
// when it completes let nothing else run first.
thread_local std::uint64_t deferred_head_reads = 0;

std::optional<net::StreamDeadline::Duration> phase(const std::optional<Timeout::Duration>& d) {
    return d;
}

}  // namespace

Http11Connection::Http11Connection(std::unique_ptr<net::NetworkStream> stream, std::string origin)
    : stream_(std::move(stream)), origin_(std::move(origin)) {}

Http11Connection::~Http11Connection() {
    // The last holder of an unfinished exchange dropped it (a body iterator given up half-way):
    // the pool still counts the connection.
    if (active_id_.load(std::memory_order_relaxed) != 0) lease_.end(false);
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

bool Http11Connection::write_now(const Request& request, const Bytes& content) {
    serialize_head(request);
    request_buffers_ = {asio::buffer(head_), asio::buffer(content)};
    unsent_ = request_buffers_;
    try {
        return stream_->write_now(unsent_);
    } catch (const boost::system::system_error& e) {
        throw_write_failure(e);
    }
}

bool Http11Connection::feed_buffered() {
    if (begin_ == end_) return false;
    const std::size_t used = parser_.feed(std::string_view(buffer_).substr(begin_, end_ - begin_));
    begin_ += used;
    return used > 0;
}

asio::mutable_buffer Http11Connection::read_space() {
    // Make room: move what is left to the front and keep at least kReadSize free.
    // (The buffer never shrinks: resizing it back would zero-fill it on every read.)
    if (begin_ > 0) {
        std::memmove(buffer_.data(), buffer_.data() + begin_, end_ - begin_);
        end_ -= begin_;
        begin_ = 0;
    }
    if (buffer_.size() < end_ + kReadSize) buffer_.resize(end_ + kReadSize);
    return asio::buffer(buffer_.data() + end_, buffer_.size() - end_);
}

void Http11Connection::received(std::size_t n) {
    if (n == 0) {
        parser_.feed_eof();
        return;
    }
    received_nothing_ = false;
    end_ += n;
}

bool Http11Connection::defer_head_read() noexcept {
    if (head_read_deferral_wait_ == 0) return true;
    --head_read_deferral_wait_;
    return false;
}

void Http11Connection::throw_read_failure(const boost::system::system_error& e) {
    if (deadline_->finish()) throw ReadTimeout("Timed out while receiving data from the host.");
    throw ReadError(e.code().message());
}

void Http11Connection::check_read_deadline() {
    // The timer closes the stream from whichever thread it runs on: a read may then end
    // "normally" (0 bytes: the shutdown looks like EOF) just as it would have been aborted.
    if (deadline_->finish()) throw ReadTimeout("Timed out while receiving data from the host.");
}

// Feeds buffered bytes to the parser; reads more from the socket when it needs them.
awaitable<void> Http11Connection::receive_more() {
    if (feed_buffered()) co_return;
    std::size_t n = 0;
    deadline_->start(read_timeout_);
    try {
        n = co_await stream_->read_some(read_space());
    } catch (const boost::system::system_error& e) {
        throw_read_failure(e);
    }
    check_read_deadline();
    received(n);
}

// Reads body bytes (at most `left`, none buffered) into a chunk of their own, which the parser
// hands back through take_body(): no copy in user space.
awaitable<void> Http11Connection::read_body_directly(std::uint64_t left) {
    Bytes chunk;
    chunk.resize(static_cast<std::size_t>(std::min<std::uint64_t>(left, body_read_size_)));
    std::size_t n = 0;
    deadline_->start(read_timeout_);
    try {
        n = co_await stream_->read_some(asio::buffer(chunk));
    } catch (const boost::system::system_error& e) {
        throw_read_failure(e);
    }
    check_read_deadline();
    if (n == 0) {
        parser_.feed_eof();
        co_return;
    }
    received_nothing_ = false;
    if (n == chunk.size()) {
        body_read_size_ = std::min(body_read_size_ * 2, kMaxBodyRead);
    } else if (n < chunk.size() / 2) {
        body_read_size_ = std::max(body_read_size_ / 2, kMinBodyRead);
    }
    chunk.resize(n);
    // A chunk the caller keeps should not hold much more memory than bytes.
    if (n < chunk.capacity() / 2) chunk.shrink_to_fit();
    parser_.feed_body(std::move(chunk));
}

void Http11Connection::finish(std::uint64_t id, bool reusable) {
    if (active_id_.load(std::memory_order_relaxed) != id) return;  // finished already
    active_id_.store(0, std::memory_order_relaxed);
    // Bytes beyond the response on an idle connection mean a confused server: don't reuse.
    if (reusable && begin_ != end_) reusable = false;
    deadline_->idle();
    if (!reusable) close();
    lease_.end(reusable);
}

awaitable<std::optional<Bytes>> Http11Connection::next_chunk(std::shared_ptr<Http11Connection> self,
                                                             std::uint64_t id) {
    Http11Connection& c = *self;
    for (;;) {
        // Once finished, the connection and its parser may carry the next exchange.
        if (c.active_id_.load(std::memory_order_relaxed) != id) co_return std::nullopt;
        Bytes body = c.parser_.take_body();
        if (!body.empty()) co_return body;
        if (c.parser_.message_done()) {
            c.finish(id, c.parser_.keep_alive());
            co_return std::nullopt;
        }
        try {
            const std::uint64_t left = c.parser_.identity_body_left();
            if (left > 0 && c.begin_ == c.end_)
                co_await c.read_body_directly(left);
            else
                co_await c.receive_more();
        } catch (...) {
            c.finish(id, false);
            throw;
        }
    }
}

Response Http11Connection::make_response(std::uint64_t id) {
    auto self = shared_from_this();
    // next_chunk() never yields an empty chunk. Closing the stream ends this exchange, if it
    // is still the connection's (a hook: no std::function to allocate).
    auto on_close = [](void* connection, std::uint64_t exchange) {
        static_cast<Http11Connection*>(connection)->finish(exchange, false);
    };
    return detail::ResponseAccess::streamed(
        parser_.status_code(), parser_.take_headers(),
        detail::ByteStreamAccess::from_non_empty_chunks(
            AsyncIterator<Bytes>([self, id] { return next_chunk(self, id); }),
            parser_.content_length(), std::weak_ptr<void>(self), on_close, id),
        parser_.http_version(), std::string(parser_.reason()));
}

bool Http11Connection::failed_stale(const Request& request, const TransportError& error) const {
    // A write that failed, or the end of the stream before a byte of response: nothing was
    // processed, so the request may go again (if its body can replay).
    return received_nothing_ && request.stream().is_replayable() &&
           (dynamic_cast<const ReadError*>(&error) || dynamic_cast<const WriteError*>(&error) ||
            dynamic_cast<const RemoteProtocolError*>(&error));
}

awaitable<Response> Http11Connection::handle_request(Request& request, const Timeout& timeout,
                                                     Lease lease) {
    // Every local of a coroutine lives in its frame (g++ 12): the work without a suspension
    // is in plain functions, so that the frame stays small enough for Asio's recycling.
    try {
        received_nothing_ = true;
        if (!deadline_) deadline_.emplace(co_await asio::this_coro::executor, *stream_);
        bool sent_at_once = false;
        try {
            if (const Bytes* content = request.stream().buffer()) {
                // The common case inline (no coroutine frame for the write): head and body in
                // one gathered write. Usually the socket takes it all at once: no composed write
                // (and its trip through the scheduler) and nothing to time. Only what is left
                // waits, under the timeout.
                sent_at_once = write_now(request, *content);
                if (!sent_at_once) {
                    deadline_->start(phase(timeout.write));
                    try {
                        co_await stream_->write(unsent_);
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

        const std::uint64_t id = ++exchanges_;
        active_id_.store(id, std::memory_order_relaxed);
        parser_.reset(request.method());
        read_timeout_ = phase(timeout.read);
        body_read_size_ = kReadSize;
        try {
            // The response cannot be there microseconds after the request left: a read now
            // fails (EAGAIN) before it waits. With other exchanges in flight, the read goes
            // after the handlers already queued (as Beast's does, its write completing through
            // the scheduler), and by then the response has often arrived: one system call
            // fewer. When nothing else ran meanwhile (one exchange in flight), the next
            // exchanges read at once for a while.
            std::uint64_t deferred = 0;  // deferred_head_reads when the read was deferred
            if (sent_at_once && defer_head_read()) deferred = ++deferred_head_reads;
            // receive_more() written out: one coroutine frame less per request.
            while (!parser_.headers_done()) {
                if (feed_buffered()) continue;
                std::size_t n = 0;
                deadline_->start(read_timeout_);
                try {
                    if (deferred == 0) {
                        n = co_await stream_->read_some(read_space());
                    } else {
                        n = co_await stream_->read_some_later(read_space());
                        if (++deferred_head_reads == deferred + 1)
                            head_read_deferral_wait_ = kHeadReadDeferralPause;
                        deferred = 0;
                    }
                } catch (const boost::system::system_error& e) {
                    throw_read_failure(e);
                }
                check_read_deadline();
                received(n);
            }
        } catch (...) {
            active_id_.store(0, std::memory_order_relaxed);  // released below or by the caller
            deadline_->idle();
            throw;
        }
        lease_ = std::move(lease);
        co_return make_response(id);
    } catch (const TransportError& error) {
        lease.end(false);
        // Never processed by the server: the pool sends it again, on a new connection.
        if (lease.reused() && failed_stale(request, error)) throw RefusedStream(error.what());
        throw;
    } catch (...) {
        lease.end(false);
        throw;
    }
}

}  // namespace httpx::transport
