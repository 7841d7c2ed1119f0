#include "transport/http2_stream.hpp"

#include "support/cancellation.hpp"
#include "transport/http2_connection.hpp"

#include <boost/asio/this_coro.hpp>

#include <algorithm>
#include <cstring>

namespace httpx::transport {

// --- Http2Stream: the response side ---

void Http2Stream::receive_head(int status, Headers headers) {
    if (phase_ != Phase::awaiting_head) return;
    phase_ = Phase::body;
    status_ = status;
    this->headers = std::move(headers);
    signal.notify();
}

void Http2Stream::receive_data(std::string_view data) {
    if (!body.empty() && body.back().size() + data.size() <= kMergeLimit) {
        body.back().append(data);  // within the capacity reserved below: no reallocation
    } else {
        Bytes& chunk = body.emplace_back();
        // A large piece, or a body already past one chunk, is a bulk download: room for the
        // pieces that follow, so that merging them never copies the chunk again on the way to
        // kMergeLimit (a frame split by a read boundary starts with a small piece).
        const bool bulk = data.size() >= kMergeLimit / 16 || body_received >= kMergeLimit;
        chunk.reserve(bulk ? kMergeLimit : data.size());
        chunk.append(data);
    }
    body_received += data.size();
    signal.notify();
}

void Http2Stream::end_response() {
    // The session reports END_STREAM after the head, never before it.
    if (phase_ == Phase::body) phase_ = Phase::ended;
    signal.notify();
}

void Http2Stream::close() {
    if (phase_ == Phase::ended) phase_ = Phase::closed;
    signal.notify();
}

void Http2Stream::fail(Failure failure) {
    if (response_pending()) {
        phase_ = Phase::failed;
        failure_ = std::move(failure);
    }
    signal.notify();
}

bool Http2Stream::abandon() {
    body.clear();
    const bool open =
        phase_ == Phase::awaiting_head || phase_ == Phase::body || phase_ == Phase::ended;
    phase_ = Phase::abandoned;
    return open;
}

Http2Stream::BodyStep Http2Stream::next_body_step() {
    BodyStep step;
    if (!body.empty()) {
        step.chunk = std::move(body.front());
        body.pop_front();
        step.credit = phase_ == Phase::body;
        // An application that keeps up with a bulk body (nothing left queued after a whole
        // window arrived) gets a larger window, so that the server does not stall waiting for
        // WINDOW_UPDATE. One that falls behind keeps its window, and the bound it puts on the
        // memory its stream holds.
        if (step.credit && body.empty() && window < kMaxWindow && body_received >= window) {
            window = std::min(window * 2, kMaxWindow);
            step.window = window;
        }
    } else if (complete()) {
        step.end = true;
    } else if (phase_ == Phase::failed) {
        step.failure = failure_;
    }
    return step;
}

// --- Http2Stream: the request body ---

void Http2Stream::send_from_memory(AsyncByteStream owner, std::string_view bytes) {
    body_owner_ = std::move(owner);
    memory_body_ = bytes;
    upload_ = Upload::all_queued;
}

bool Http2Stream::queue_upload(Bytes chunk) {
    upload_queued_ += chunk.size();
    upload_queue_.push_back(std::move(chunk));
    return must_wait_for_room();
}

bool Http2Stream::must_wait_for_room() noexcept {
    const bool wait = takes_upload() && upload_queued_ >= kUploadQueue;
    upload_ = wait ? Upload::waiting_for_room : Upload::streaming;
    return wait;
}

std::size_t Http2Stream::read_upload(std::span<std::uint8_t> buffer, bool& end) {
    std::size_t n = 0;
    if (!memory_body_.empty()) {
        n = std::min(buffer.size(), memory_body_.size());
        std::memcpy(buffer.data(), memory_body_.data(), n);
        memory_body_.remove_prefix(n);
    }
    while (n < buffer.size() && !upload_queue_.empty()) {
        Bytes& front = upload_queue_.front();
        const std::size_t take = std::min(buffer.size() - n, front.size() - upload_offset_);
        std::memcpy(buffer.data() + n, front.data() + upload_offset_, take);
        n += take;
        upload_offset_ += take;
        upload_queued_ -= take;
        if (upload_offset_ == front.size()) {
            upload_queue_.pop_front();
            upload_offset_ = 0;
        }
    }
    end = upload_ == Upload::all_queued && memory_body_.empty() && upload_queue_.empty();
    if (upload_ == Upload::waiting_for_room && upload_queued_ < kUploadQueue) {
        upload_ = Upload::streaming;
        signal.notify();
    }
    return n;
}

// --- Http2Exchange ---

void Http2Exchange::finish(bool complete) {
    if (finished_) return;
    finished_ = true;
    TraceInfo info;
    if (trace_.on()) {
        info.stream_id = stream_->id;
        trace_.report_noexcept(detail::TraceStep::http2_response_closed,
                               detail::TraceOutcome::started, info);
    }
    if (!complete) connection_->abandon(*stream_);
    lease_.end(true);
    if (trace_.on())
        trace_.report_noexcept(detail::TraceStep::http2_response_closed,
                               detail::TraceOutcome::complete, info);
}

void Http2Exchange::trace_body_step(bool end) {
    if (!body_traced_) {
        body_traced_ = true;
        trace_.started(detail::TraceStep::http2_receive_response_body, nullptr, stream_->id);
    }
    if (end) trace_.complete(detail::TraceStep::http2_receive_response_body, stream_->id);
}

awaitable<std::optional<Bytes>> Http2Exchange::next_chunk(std::shared_ptr<Http2Exchange> self) {
    Http2Connection& connection = *self->connection_;
    Http2Stream& stream = *self->stream_;
    const boost::asio::cancellation_state cancellation =
        co_await boost::asio::this_coro::cancellation_state;
    for (;;) {
        if (self->finished_) co_return std::nullopt;
        Http2Stream::BodyStep step = connection.take_body(stream);
        if (self->trace_.on()) {
            try {
                self->trace_body_step(!step.chunk && step.end);
            } catch (...) {
                self->finish(false);  // the callback threw: the stream is reset
                throw;
            }
        }
        if (step.chunk) co_return std::move(step.chunk);
        if (step.end) {
            self->finish(true);
            co_return std::nullopt;
        }
        if (step.failure) {
            try {
                step.failure.raise();
            } catch (...) {
                self->trace_.fail_open_step(stream.id);
                self->finish(false);
                throw;
            }
        }
        try {
            co_await connection.wait_for(stream, self->read_timeout_, false);
        } catch (const ReadTimeout&) {
            self->trace_.fail_open_step(stream.id);
            self->finish(false);
            connection.close_if_silent(self->read_timeout_);
            throw;
        } catch (...) {
            self->trace_.fail_open_step(stream.id);
            self->finish(false);
            detail::rethrow_as_cancellation_if(cancellation);
        }
    }
}

}  // namespace httpx::transport
