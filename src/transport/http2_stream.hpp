// One request/response exchange on an HTTP/2 connection: the stream's state (Http2Stream, no
// I/O) and the iteration of its response body (Http2Exchange).
#pragma once

#include "httpx/byte_stream.hpp"
#include "httpx/headers.hpp"
#include "protocol/http2_session.hpp"
#include "support/async_signal.hpp"
#include "support/tracer.hpp"
#include "transport/connection.hpp"
#include "transport/failure.hpp"

#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string_view>

namespace httpx::transport {

class Http2Connection;

/// The state of one stream, guarded by its connection's lock. The connection's reader fills the
/// response side, its writer drains the request body; the exchange's coroutine waits on
/// `signal` for either. Transitions happen in the methods below, nowhere else.
class Http2Stream {
public:
    /// The response side. Every stream starts `awaiting_head`:
    ///
    ///     awaiting_head -> body -> ended -> closed
    ///     awaiting_head, body -> failed
    ///     anything but closed and failed -> abandoned
    ///
    /// `ended`: END_STREAM arrived while the stream stays open (the request body may still be
    /// going out); `closed`: complete and closed; `failed`: closed before the end (`failure()`
    /// says why); `abandoned`: the exchange reset it, and what still arrives is dropped.
    enum class Phase { awaiting_head, body, ended, closed, failed, abandoned };
    /// The request body: more chunks to come (`streaming`), more to come once the writer took
    /// some of the queue (`waiting_for_room`), or all of it queued (`all_queued`).
    enum class Upload { streaming, waiting_for_room, all_queued };

    /// What reading the response body does next (`next_body_step`).
    struct BodyStep {
        std::optional<Bytes> chunk;  // the next chunk, if one arrived
        bool end = false;            // else: read to its end
        Failure failure;             // else: the response failed; else nothing yet (wait)
        bool credit = false;         // the chunk's bytes go back to flow control (more is to come)
        std::optional<std::uint32_t> window;  // a larger receive window to set for the stream
    };

    // Request body bytes queued ahead of what flow control lets out.
    static constexpr std::size_t kUploadQueue = 256 * 1024;
    // Received DATA is merged into chunks of up to this size for the application.
    static constexpr std::size_t kMergeLimit = 64 * 1024;
    // A stream's receive window starts at Http2Config's (1 MiB) and doubles up to this while
    // the application keeps up with the body (next_body_step).
    static constexpr std::uint32_t kMaxWindow = 16 * 1024 * 1024;

    /// `reused`: the connection carried requests before this one.
    explicit Http2Stream(bool reused) noexcept : reused(reused) {}

    Phase phase() const noexcept { return phase_; }
    Upload upload() const noexcept { return upload_; }
    /// The response is still coming: a failure of the stream or connection is news to it.
    bool response_pending() const noexcept {
        return phase_ == Phase::awaiting_head || phase_ == Phase::body;
    }
    /// The response arrived in full (`ended` or `closed`).
    bool complete() const noexcept { return phase_ == Phase::ended || phase_ == Phase::closed; }
    /// The head arrived (in any phase since, even `failed`: the body then fails).
    bool has_head() const noexcept { return status_ != 0; }
    int status() const noexcept { return status_; }
    const Failure& failure() const noexcept { return failure_; }

    // --- the response side (the reader, through Http2Events) ---

    /// awaiting_head -> body. Ignored in any other phase (an abandoned stream).
    void receive_head(int status, Headers headers);
    /// Queues received DATA for the application, merged into chunks of up to kMergeLimit.
    void receive_data(std::string_view data);
    /// END_STREAM: body -> ended.
    void end_response();
    /// The stream closed with its response complete: ended -> closed (other phases stay).
    void close();
    /// The stream or the connection failed with the response still pending: -> failed.
    void fail(Failure failure);
    /// The exchange gives up on the stream: -> abandoned, the body received is dropped.
    /// Returns whether the stream is still open, to be reset (RST_STREAM).
    bool abandon();
    /// Takes what the application reads next, under the connection's lock.
    BodyStep next_body_step();

    // --- the request body ---

    /// An in-memory body, sent from where it is (`owner` keeps it alive): all queued.
    void send_from_memory(AsyncByteStream owner, std::string_view bytes);
    /// Queues a chunk of a streamed body. Returns whether the sender must wait for room.
    bool queue_upload(Bytes chunk);
    /// The streamed body's last chunk was queued.
    void end_upload() noexcept { upload_ = Upload::all_queued; }
    /// The stream still takes request body bytes (it is neither closed nor failed).
    bool takes_upload() const noexcept {
        return phase_ != Phase::closed && phase_ != Phase::failed && phase_ != Phase::abandoned;
    }
    /// After a wake-up of a sender waiting for room: whether it must wait on.
    bool must_wait_for_room() noexcept;
    /// Copies queued request body bytes into `buffer` for the writer (DATA frames); `end` says
    /// whether they were the last. Wakes a sender waiting for room once there is.
    std::size_t read_upload(std::span<std::uint8_t> buffer, bool& end);

    std::int32_t id = 0;
    const bool reused;
    std::uint64_t received_at_submit = 0;  // connection bytes received when it was opened
    Headers headers;                       // of the response, once its head arrived
    std::deque<Bytes> body;                // received, not yet taken by the application
    std::uint64_t body_received = 0;
    std::uint32_t window = protocol::Http2Config{}.stream_window;  // its receive window
    std::shared_ptr<Headers> trailers = std::make_shared<Headers>();
    detail::AsyncSignal signal;
    // A timed wait on `signal` (the connection's wait_for): its deadline, its place in the
    // connection's list of waiting streams, and whether the connection's timer ended it.
    struct {
        std::chrono::steady_clock::time_point deadline =
            std::chrono::steady_clock::time_point::max();
        std::size_t index = 0;
        bool timed_out = false;
    } wait;

private:
    Phase phase_ = Phase::awaiting_head;
    int status_ = 0;
    Failure failure_;
    Upload upload_ = Upload::streaming;
    // The request body: an in-memory one is sent from where it is, a streamed one is queued.
    AsyncByteStream body_owner_;
    std::string_view memory_body_;
    std::deque<Bytes> upload_queue_;
    std::size_t upload_offset_ = 0;  // into upload_queue_.front()
    std::size_t upload_queued_ = 0;
};

/// A response body read from its stream: the iteration behind the Response's AsyncByteStream.
/// The exchange ends once (`finish`): read to its end, or given up (the stream is then reset);
/// its lease ends then (the connection stays usable: an abandoned stream is reset, not the
/// connection).
class Http2Exchange {
public:
    Http2Exchange(std::shared_ptr<Http2Connection> connection, std::shared_ptr<Http2Stream> stream,
                  std::optional<std::chrono::duration<double>> read_timeout, Lease lease,
                  detail::Tracer trace = {})
        : connection_(std::move(connection)),
          stream_(std::move(stream)),
          read_timeout_(read_timeout),
          lease_(std::move(lease)),
          trace_(std::move(trace)) {}
    ~Http2Exchange() { finish(false); }
    Http2Exchange(const Http2Exchange&) = delete;
    Http2Exchange& operator=(const Http2Exchange&) = delete;

    /// Ends the exchange (once): `complete` when the body was read to its end; otherwise the
    /// stream is abandoned. Reported as http2.response_closed.
    void finish(bool complete);
    /// The body's next chunk; none at its end. Throws the stream's failure or ReadTimeout.
    static awaitable<std::optional<Bytes>> next_chunk(std::shared_ptr<Http2Exchange> self);

private:
    std::shared_ptr<Http2Connection> connection_;
    std::shared_ptr<Http2Stream> stream_;
    std::optional<std::chrono::duration<double>> read_timeout_;
    // receive_response_body: started on the first read of the body, complete at its `end`.
    void trace_body_step(bool end);

    Lease lease_;
    bool finished_ = false;
    detail::Tracer trace_;      // the request's (receive_response_body, response_closed)
    bool body_traced_ = false;  // receive_response_body was reported started
};

}  // namespace httpx::transport
