#include "transport/http11_connection.hpp"

#include "content/byte_stream_access.hpp"
#include "httpx/exceptions.hpp"
#include "models/response_access.hpp"
#include "net/stream_deadline.hpp"
#include "support/cancellation.hpp"
#include "transport/failure.hpp"
#include "transport/upgraded_stream.hpp"

#include <boost/asio/this_coro.hpp>
#include <boost/system/system_error.hpp>

#include <algorithm>
#include <array>
#include <cstring>

namespace httpx::transport {

namespace asio = boost::asio;

namespace {

constexpr std::size_t kReadSize = 64 * 1024;  // httpcore reads 64 KiB at a time, as do we

constexpr std::string_view kReadTimedOut = "Timed out while receiving data from the host.";
constexpr std::string_view kWriteTimedOut = "Timed out while sending data to the host.";

std::optional<net::StreamDeadline::Duration> phase(const std::optional<Timeout::Duration>& d) {
    return d;
}

}  // namespace

Http11Connection::Http11Connection(std::unique_ptr<net::NetworkStream> stream, std::string origin)
    : stream_(std::move(stream)), origin_(std::move(origin)), tls_(stream_->tls_info()) {}

Http11Connection::~Http11Connection() {
    // The last holder of an unfinished exchange dropped it (a body iterator given up half-way):
    // the pool still counts the connection.
    if (active_id_.load(std::memory_order_relaxed) != 0) lease_.end(false);
    if (stream_) stream_->close();
}

void Http11Connection::fail(Failure::Kind kind, std::string message) {
    failure_ = kind;
    Failure{kind, std::move(message)}.raise();
}

void Http11Connection::throw_write_failure(const boost::system::system_error& e) {
    if (deadline_->finish()) fail(Failure::Kind::write_timeout, std::string(kWriteTimedOut));
    const boost::system::error_code& code = e.code();
    // EPIPE, ECONNRESET (or a TLS session the server ended): the request met a closed connection.
    if (code == asio::error::broken_pipe || code == asio::error::connection_reset ||
        code == asio::error::eof || code == asio::error::not_connected)
        fail(Failure::Kind::write,
             "Server disconnected while the request was sent: " + code.message());
    fail(Failure::Kind::write, code.message());
}

void Http11Connection::check_write_deadline() {
    // The timer closes the stream from whichever thread it runs on, maybe as the write completed.
    if (deadline_->finish()) fail(Failure::Kind::write_timeout, std::string(kWriteTimedOut));
}

void Http11Connection::throw_read_failure(const boost::system::system_error& e) {
    if (deadline_->finish()) fail(Failure::Kind::read_timeout, std::string(kReadTimedOut));
    fail(Failure::Kind::read, e.code().message());
}

void Http11Connection::check_read_deadline() {
    // The timer closes the stream from whichever thread it runs on: a read may then end
    // "normally" (0 bytes: the shutdown looks like EOF) just as it would have been aborted.
    if (deadline_->finish()) fail(Failure::Kind::read_timeout, std::string(kReadTimedOut));
}

awaitable<void> Http11Connection::write_timed(std::span<const asio::const_buffer> buffers,
                                              const Timeout& timeout) {
    deadline_->start(phase(timeout.write));
    try {
        co_await stream_->write(buffers);
    } catch (const boost::system::system_error& e) {
        throw_write_failure(e);
    }
    check_write_deadline();
}

awaitable<void> Http11Connection::write_streamed_request(Request& request, const Timeout& timeout) {
    auto write = [&](std::string_view bytes) -> awaitable<void> {
        if (bytes.empty()) co_return;
        const std::array<asio::const_buffer, 1> buffers{asio::buffer(bytes)};
        co_await write_timed(buffers, timeout);
    };

    co_await write(exchange_.head());
    if (trace_.on()) {
        trace_.complete(detail::TraceStep::http11_send_request_headers);
        trace_.started(detail::TraceStep::http11_send_request_body, &request);
    }
    std::string framed;
    auto chunks = request.stream().aiter();
    while (auto chunk = co_await chunks.next())
        co_await write(exchange_.frame_body(*chunk, framed));
    co_await write(exchange_.end_of_body());
}

bool Http11Connection::write_now(const Bytes& content) {
    request_buffers_ = {asio::buffer(exchange_.head()), asio::buffer(content)};
    unsent_ = request_buffers_;
    try {
        return stream_->write_now(unsent_);
    } catch (const boost::system::system_error& e) {
        throw_write_failure(e);
    }
}

bool Http11Connection::feed_buffered() {
    if (begin_ == end_) return false;
    const std::size_t used =
        exchange_.feed(std::string_view(buffer_).substr(begin_, end_ - begin_));
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
        end_of_stream();
        return;
    }
    end_ += n;
}

void Http11Connection::end_of_stream() {
    try {
        exchange_.feed_eof();
    } catch (const RemoteProtocolError&) {
        failure_ = Failure::Kind::eof;  // the response was cut short (or never came)
        throw;
    }
}

// Feeds buffered bytes to the exchange and reads from the socket when it needs more: one step
// for `progress`, as many as the head takes for `response_head`. `deferred`: the first read waits
// for the handlers already queued (see HeadReadDeferral).
awaitable<void> Http11Connection::receive(ReadGoal goal, bool deferred) {
    do {
        if (feed_buffered()) continue;
        std::size_t n = 0;
        deadline_->start(read_timeout_);
        try {
            if (deferred) {
                n = co_await stream_->read_some_later(read_space());
                head_read_deferral_.record();
                deferred = false;
            } else {
                n = co_await stream_->read_some(read_space());
            }
        } catch (const boost::system::system_error& e) {
            throw_read_failure(e);
        }
        check_read_deadline();
        received(n);
    } while (goal == ReadGoal::response_head && !exchange_.headers_done());
}

// Reads body bytes (at most `left`, none buffered) into a chunk of their own, which the exchange
// hands back through take_body(): no copy in user space.
awaitable<void> Http11Connection::read_body_directly(std::uint64_t left) {
    Bytes chunk;
    chunk.resize(body_read_size_.next(left));
    std::size_t n = 0;
    deadline_->start(read_timeout_);
    try {
        n = co_await stream_->read_some(asio::buffer(chunk));
    } catch (const boost::system::system_error& e) {
        throw_read_failure(e);
    }
    check_read_deadline();
    if (n == 0) {
        end_of_stream();
        co_return;
    }
    body_read_size_.record(chunk.size(), n);
    chunk.resize(n);
    // A chunk the caller keeps should not hold much more memory than bytes.
    if (n < chunk.capacity() / 2) chunk.shrink_to_fit();
    exchange_.feed_body(std::move(chunk));
}

void Http11Connection::trace_request_sent(const Request& request) {
    // Without a streamed body, head and body went out in one write: both steps end with it.
    if (trace_.is_open(detail::TraceStep::http11_send_request_headers)) {
        trace_.complete(detail::TraceStep::http11_send_request_headers);
        trace_.started(detail::TraceStep::http11_send_request_body, &request);
    }
    trace_.complete(detail::TraceStep::http11_send_request_body);
}

void Http11Connection::trace_body_step(bool end) {
    if (!body_traced_) {
        body_traced_ = true;
        trace_.started(detail::TraceStep::http11_receive_response_body);
    }
    if (end) trace_.complete(detail::TraceStep::http11_receive_response_body);
}

void Http11Connection::trace_response_head() {
    const protocol::ResponseParser& head = exchange_.response();
    const std::string version = head.http_version();
    TraceInfo info;
    info.http_version = version;
    info.status_code = head.status_code();
    info.reason_phrase = head.reason();
    info.headers = &head.headers();
    trace_.report(detail::TraceStep::http11_receive_response_headers,
                  detail::TraceOutcome::complete, info);
}

void Http11Connection::finish(std::uint64_t id, bool read_to_end) {
    if (active_id_.load(std::memory_order_relaxed) != id) return;  // finished already
    active_id_.store(0, std::memory_order_relaxed);
    // Given up before the lease ends: the next request may set its own at once.
    detail::Tracer trace = std::exchange(trace_, detail::Tracer());
    if (trace.on())
        trace.report_noexcept(detail::TraceStep::http11_response_closed,
                              detail::TraceOutcome::started, TraceInfo());
    const bool reusable = exchange_.finish(read_to_end, begin_ != end_);
    deadline_->idle();
    if (!reusable) close();
    lease_.end(reusable);
    if (trace.on())
        trace.report_noexcept(detail::TraceStep::http11_response_closed,
                              detail::TraceOutcome::complete, TraceInfo());
}

awaitable<std::optional<Bytes>> Http11Connection::next_chunk(std::shared_ptr<Http11Connection> self,
                                                             std::uint64_t id) {
    Http11Connection& c = *self;
    const asio::cancellation_state cancellation = co_await asio::this_coro::cancellation_state;
    for (;;) {
        // Once finished, the connection and its exchange may carry the next request.
        if (c.active_id_.load(std::memory_order_relaxed) != id) co_return std::nullopt;
        Bytes body = c.exchange_.take_body();
        const bool end = body.empty() && c.exchange_.message_done();
        if (c.trace_.on()) {
            try {
                c.trace_body_step(end);
            } catch (...) {
                c.finish(id, false);  // the callback threw: the connection is not reused
                throw;
            }
        }
        if (!body.empty()) co_return body;
        if (end) {
            c.finish(id, true);
            co_return std::nullopt;
        }
        try {
            const std::uint64_t left = c.exchange_.identity_body_left();
            if (left > 0 && c.begin_ == c.end_)
                co_await c.read_body_directly(left);
            else
                co_await c.receive(ReadGoal::progress, false);
        } catch (...) {
            c.trace_.fail_open_step();
            c.finish(id, false);
            detail::rethrow_as_cancellation_if(cancellation);
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
    protocol::ResponseParser& head = exchange_.response();
    Response response = detail::ResponseAccess::streamed(
        head.status_code(), head.take_headers(),
        detail::ByteStreamAccess::from_non_empty_chunks(
            AsyncIterator<Bytes>([self, id] { return next_chunk(self, id); }),
            head.content_length(), std::weak_ptr<void>(self), on_close, id),
        head.http_version(), std::string(head.reason()));
    if (tls_) detail::ResponseAccess::set_tls_info(response, tls_);
    return response;
}

Response Http11Connection::hand_over(Lease lease) {
    exchange_.abandon();  // no HTTP on this connection any more
    active_id_.store(0, std::memory_order_relaxed);
    deadline_.reset();  // it times operations on the stream, which is no longer ours
    auto impl = std::make_shared<NetworkStream::Impl>(
        std::move(stream_), buffer_.substr(begin_, end_ - begin_), std::move(lease));
    begin_ = end_ = 0;
    protocol::ResponseParser& head = exchange_.response();
    Response response =
        detail::ResponseAccess::streamed(head.status_code(), head.take_headers(), AsyncByteStream(),
                                         head.http_version(), std::string(head.reason()));
    if (tls_) detail::ResponseAccess::set_tls_info(response, tls_);
    response.extensions().insert_or_assign("network_stream", NetworkStream(std::move(impl)));
    return response;
}

bool Http11Connection::failed_stale(const Request& request) const {
    // A write that failed, or a read that failed or met the end of the stream, before a byte of
    // response: nothing was processed, so the request may go again (if its body can replay).
    if (!exchange_.nothing_received() || !request.stream().is_replayable()) return false;
    return failure_ == Failure::Kind::write || failure_ == Failure::Kind::read ||
           failure_ == Failure::Kind::eof;
}

awaitable<Response> Http11Connection::handle_request(Request& request, const Timeout& timeout,
                                                     Lease lease) {
    // Every local of a coroutine lives in its frame (g++ 12): the work without a suspension
    // is in plain functions, so that the frame stays small enough for Asio's recycling.
    try {
        failure_ = Failure::Kind::none;
        if (!deadline_) deadline_.emplace(co_await asio::this_coro::executor, *stream_);
        trace_ = detail::Tracer(request);
        body_traced_ = false;
        bool sent_at_once = false;
        try {
            if (trace_.on())
                trace_.started(detail::TraceStep::http11_send_request_headers, &request);
            exchange_.start(request);
            if (const Bytes* content = request.stream().buffer()) {
                // The common case inline (no coroutine frame for the write): head and body in
                // one gathered write. Usually the socket takes it all at once: no composed write
                // (and its trip through the scheduler) and nothing to time. Only what is left
                // waits, under the timeout.
                sent_at_once = write_now(*content);
                if (!sent_at_once) co_await write_timed(unsent_, timeout);
            } else {
                co_await write_streamed_request(request, timeout);
            }
            if (trace_.on()) trace_request_sent(request);
            exchange_.request_sent();
        } catch (...) {
            exchange_.abandon();
            deadline_->idle();
            trace_.fail_open_step();
            throw;
        }

        const std::uint64_t id = ++exchanges_;
        active_id_.store(id, std::memory_order_relaxed);
        read_timeout_ = phase(timeout.read);
        body_read_size_.reset();
        try {
            if (trace_.on())
                trace_.started(detail::TraceStep::http11_receive_response_headers, &request);
            co_await receive(ReadGoal::response_head, sent_at_once && head_read_deferral_.defer());
            if (trace_.on()) trace_response_head();
        } catch (...) {
            exchange_.abandon();
            active_id_.store(0, std::memory_order_relaxed);  // released below or by the caller
            deadline_->idle();
            trace_.fail_open_step();
            throw;
        }
        if (exchange_.response().upgraded()) co_return hand_over(std::move(lease));
        lease_ = std::move(lease);
        co_return make_response(id);
    } catch (const TransportError& error) {
        lease.end(false);
        // Never processed by the server: the pool sends it again, on a new connection.
        if (lease.reused() && failed_stale(request)) throw RefusedStream(error.what());
        throw;
    } catch (...) {
        lease.end(false);
        throw;
    }
}

}  // namespace httpx::transport
