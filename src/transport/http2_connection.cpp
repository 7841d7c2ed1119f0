#include "transport/http2_connection.hpp"

#include "net/stream_deadline.hpp"
#include "protocol/http2_session.hpp"
#include "support/async_signal.hpp"

#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/system/system_error.hpp>

#include <algorithm>
#include <array>
#include <charconv>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <mutex>
#include <unordered_map>
#include <vector>

namespace httpx::transport {

namespace asio = boost::asio;
using protocol::Http2Error;
using Clock = std::chrono::steady_clock;

namespace {

// Bytes taken from the stream per read (one wake-up of the reader and of the body's consumer per
// batch). Larger batches measured worse for a bulk download: the buffers and chunks of a batch
// no longer stay in the CPU's cache.
constexpr std::size_t kReadSize = 64 * 1024;
// Frames gathered into one socket write.
constexpr std::size_t kWriteBatch = 256 * 1024;
// Request body bytes a stream may queue ahead of what flow control lets out.
constexpr std::size_t kUploadQueue = 256 * 1024;
// How long close() lets the GOAWAY it sends take before the socket closes anyway (a live
// server's socket takes 17 bytes at once; one that stopped reading must not hold the close).
constexpr std::chrono::milliseconds kGoodbyeLimit{1000};
// Received DATA is merged into chunks of up to this size for the application.
constexpr std::size_t kMergeLimit = 64 * 1024;
// A stream's receive window starts at Http2Config's (1 MiB) and doubles up to this while the
// application keeps up with the body (see Exchange::next_chunk).
constexpr std::uint32_t kMaxStreamWindow = 16 * 1024 * 1024;

std::optional<std::uint64_t> content_length(const Headers& headers) {
    auto value = headers.get("content-length");
    if (!value) return std::nullopt;
    std::uint64_t n = 0;
    auto [end, ec] = std::from_chars(value->data(), value->data() + value->size(), n);
    if (ec != std::errc() || end != value->data() + value->size()) return std::nullopt;
    return n;
}

}  // namespace

// One request/response exchange on the connection. The reader fills the response side, the
// writer drains the request body; the exchange's coroutine waits on `signal`.
struct Http2Connection::Stream {
    std::int32_t id = 0;
    bool reused = false;
    std::uint64_t received_at_submit = 0;  // connection bytes received when it was opened

    // Response.
    bool head_received = false;
    int status = 0;
    Headers headers;
    std::deque<Bytes> body;  // received, not yet taken by the application
    std::uint64_t body_received = 0;
    std::uint32_t window = protocol::Http2Config{}.stream_window;  // its receive window
    bool response_ended = false;
    std::shared_ptr<Headers> trailers = std::make_shared<Headers>();

    bool closed = false;     // nghttp2 closed it (or it never opened)
    bool abandoned = false;  // the exchange reset it: what still arrives is dropped
    Failure failure;

    // Request body: an in-memory one is sent from where it is, a streamed one is queued.
    AsyncByteStream body_owner;
    std::string_view memory_body;
    std::deque<Bytes> upload;
    std::size_t upload_offset = 0;  // into upload.front()
    std::size_t upload_queued = 0;
    bool upload_end = false;
    bool waiting_for_room = false;

    detail::AsyncSignal signal;
    // A timed wait on `signal` (wait_for): its deadline, its place in Impl::waiting, and
    // whether the connection's timer ended it.
    Clock::time_point wait_deadline = Clock::time_point::max();
    std::size_t wait_index = 0;
    bool timed_out = false;
};

struct Http2Connection::Impl final : protocol::Http2Events {
    enum class State { active, draining, failed, closed };

    asio::strand<asio::any_io_executor> strand;
    std::weak_ptr<ConnectionOwner> owner;
    std::mutex mutex;
    protocol::Http2ClientSession session;
    std::unordered_map<std::int32_t, std::shared_ptr<Stream>> streams;
    std::size_t open_streams = 0;
    State state = State::active;
    std::string goaway_error;                        // the code of a GOAWAY with an error, by name
    std::int32_t goaway_last_stream_id = INT32_MAX;  // streams above it were refused
    std::uint64_t bytes_received = 0;
    // The reader runs while streams are open, the writer while frames are ready: an idle
    // connection has no coroutine and no pending I/O (so that io_context::run() returns).
    bool reader_running = false, writer_running = false;
    bool reading = false;         // the reader is in read_some (strand)
    bool writing = false;         // the writer is in a socket write (strand)
    bool in_receive = false;      // inside session.receive()
    bool saying_goodbye = false;  // close() sends GOAWAY: the socket closes once it is written
    // The running reader's cancellation signal (set by the reader, used on the strand).
    std::shared_ptr<asio::cancellation_signal> read_cancel;
    // For the pool, handed over without the lock (report_to_pool).
    std::optional<std::uint32_t> settings_to_report;
    std::optional<std::uint32_t> reported_capacity;  // the last settings the owner was told of
    bool unusable = false, unusable_reported = false;
    bool settings_received = false;
    // Set by the connection: asks the strand to cancel a read nobody waits for.
    std::function<void()> stop_reading;
    // The streams in a timed wait, and one timer for all of them (instead of a timer, a
    // coroutine and a parallel group per wait): each wait records its deadline, the timer
    // sleeps until the earliest one it may have to enforce and re-arms for the next when it
    // wakes up. While streams keep waiting, the timer is touched about once per timeout period.
    std::vector<Stream*> waiting;
    asio::steady_timer wait_timer;
    bool timer_armed = false;
    unsigned timer_generation = 0;  // tells the current timer wait from superseded ones
    bool timer_release_posted = false;
    // Each socket write may take the write timeout of the latest request (as an HTTP/1.1
    // write): a socket that stops taking bytes fails the connection instead of leaving every
    // stream, and the writer, waiting on it for ever.
    std::optional<net::StreamDeadline> write_deadline;
    std::optional<std::chrono::duration<double>> write_timeout;
    // When bytes last arrived, and when the last PING went out to check on a silent server
    // (see close_if_silent).
    std::chrono::steady_clock::time_point last_received = std::chrono::steady_clock::now();
    std::optional<std::chrono::steady_clock::time_point> ping_sent;

    bool usable() const noexcept { return state != State::failed && state != State::closed; }
    // When the reader stops: the timer of the stream waits goes if no stream waits (a wait that
    // ended while the reader ran left it armed, see wait_for).
    void release_wait_timer_locked() {
        if (!waiting.empty() || !timer_armed) return;
        timer_armed = false;
        ++timer_generation;
        wait_timer.cancel();
    }
    // Something to read for: the reader ends with the last open stream (a read with nothing
    // to wait for would keep io_context::run() from returning).
    bool wants_read() const noexcept { return open_streams > 0; }
    // Whether the caller must start the reader (it is then marked running).
    bool claim_reader() {
        if (reader_running || !usable() || !wants_read()) return false;
        return reader_running = true;
    }
    // Whether the caller must start the writer (it is then marked running).
    bool claim_writer() {
        if (writer_running || !usable() || !session.wants_write()) return false;
        return writer_running = true;
    }

    Impl(asio::any_io_executor executor, std::weak_ptr<ConnectionOwner> o)
        : strand(asio::make_strand(executor)),
          owner(std::move(o)),
          session(*this),
          wait_timer(strand) {}

    Stream* find(std::int32_t id) {
        auto it = streams.find(id);
        return it == streams.end() ? nullptr : it->second.get();
    }

    // --- protocol::Http2Events (called under the lock, from receive() or send()) ---

    void on_response_head(std::int32_t id, int status, Headers headers) override {
        Stream* s = find(id);
        if (!s || s->abandoned) return;
        s->status = status;
        s->headers = std::move(headers);
        s->head_received = true;
        s->signal.notify();
    }

    void on_data(std::int32_t id, std::string_view data) override {
        Stream* s = find(id);
        if (!s || s->abandoned) {
            session.consume(id, data.size());
            return;
        }
        if (!s->body.empty() && s->body.back().size() + data.size() <= kMergeLimit) {
            s->body.back().append(data);  // within the capacity reserved below: no reallocation
        } else {
            Bytes& chunk = s->body.emplace_back();
            // A large piece, or a body already past one chunk, is a bulk download: room for the
            // pieces that follow, so that merging them never copies the chunk again on the way
            // to 64 KiB (a frame split by a read boundary starts with a small piece).
            const bool bulk = data.size() >= kMergeLimit / 16 || s->body_received >= kMergeLimit;
            chunk.reserve(bulk ? kMergeLimit : data.size());
            chunk.append(data);
        }
        s->body_received += data.size();
        s->signal.notify();
    }

    void on_trailers(std::int32_t id, Headers trailers) override {
        if (Stream* s = find(id)) *s->trailers = std::move(trailers);
    }

    void on_response_end(std::int32_t id) override {
        if (Stream* s = find(id)) {
            s->response_ended = true;
            s->signal.notify();
        }
    }

    void on_stream_close(std::int32_t id, std::uint32_t code, bool by_server) override {
        auto it = streams.find(id);
        if (it == streams.end()) return;
        std::shared_ptr<Stream> s = std::move(it->second);
        streams.erase(it);
        s->closed = true;
        --open_streams;
        if (!s->response_ended && !s->failure && !s->abandoned) {
            if (code == static_cast<std::uint32_t>(Http2Error::refused_stream)) {
                s->failure = {Failure::Kind::refused,
                              id > goaway_last_stream_id
                                  ? "The server's GOAWAY refused the stream (REFUSED_STREAM): "
                                    "the request was not processed."
                                  : "The server refused the stream (REFUSED_STREAM): the "
                                    "request was not processed."};
            } else if (by_server) {
                s->failure = {Failure::Kind::remote,
                              "The server reset the stream: " + protocol::http2_error_name(code)};
            } else {
                s->failure = {Failure::Kind::remote,
                              "The server's response broke the HTTP/2 rules (stream reset with " +
                                  protocol::http2_error_name(code) + ")."};
            }
        }
        s->signal.notify();
        if (!wants_read() && !in_receive && reading && stop_reading) stop_reading();
    }

    void on_settings(std::uint32_t max_concurrent_streams) override {
        settings_received = true;
        settings_to_report = max_concurrent_streams;
    }

    void on_goaway(std::int32_t last_stream_id, std::uint32_t code) override {
        goaway_last_stream_id = std::min(goaway_last_stream_id, last_stream_id);
        if (state == State::active) state = State::draining;
        if (code != static_cast<std::uint32_t>(Http2Error::no_error))
            goaway_error = protocol::http2_error_name(code);
        unusable = true;
    }

    std::size_t read_body(std::int32_t id, std::span<std::uint8_t> buffer, bool& end) override {
        Stream* s = find(id);
        if (!s) {
            end = true;
            return 0;
        }
        std::size_t n = 0;
        if (!s->memory_body.empty()) {
            n = std::min(buffer.size(), s->memory_body.size());
            std::memcpy(buffer.data(), s->memory_body.data(), n);
            s->memory_body.remove_prefix(n);
        }
        while (n < buffer.size() && !s->upload.empty()) {
            Bytes& front = s->upload.front();
            const std::size_t take = std::min(buffer.size() - n, front.size() - s->upload_offset);
            std::memcpy(buffer.data() + n, front.data() + s->upload_offset, take);
            n += take;
            s->upload_offset += take;
            s->upload_queued -= take;
            if (s->upload_offset == front.size()) {
                s->upload.pop_front();
                s->upload_offset = 0;
            }
        }
        end = s->upload_end && s->memory_body.empty() && s->upload.empty();
        if (s->waiting_for_room && s->upload_queued < kUploadQueue) {
            s->waiting_for_room = false;
            s->signal.notify();
        }
        return n;
    }

    // --- connection state ---

    // Ends the connection: every stream not yet answered in full fails with `failure`.
    void fail_locked(Failure failure, bool closing) {
        if (state == State::failed || state == State::closed) {
            if (closing) state = State::closed;
            return;
        }
        state = closing ? State::closed : State::failed;
        if (failure.kind == Failure::Kind::eof) {
            failure.kind = Failure::Kind::remote;
            failure.message = goaway_error.empty()
                                  ? "Server disconnected without completing the response."
                                  : "The server sent GOAWAY with " + goaway_error + ".";
        }
        for (auto& [id, s] : streams) {
            s->closed = true;
            if (!s->response_ended && !s->failure) {
                s->failure = failure;
                // A reused connection that died before saying anything: the request was not
                // processed (as a stale HTTP/1.1 connection).
                if (s->reused && !s->head_received && bytes_received == s->received_at_submit &&
                    failure.kind != Failure::Kind::write &&
                    failure.kind != Failure::Kind::write_timeout &&
                    failure.kind != Failure::Kind::read_timeout && !closing)
                    s->failure.kind = Failure::Kind::refused;
            }
            s->signal.notify();
        }
        streams.clear();
        open_streams = 0;
        unusable = true;
    }
};

struct Http2Connection::Exchange {
    std::shared_ptr<Http2Connection> connection;
    std::shared_ptr<Stream> stream;
    std::optional<std::chrono::duration<double>> read_timeout;
    Lease lease;
    bool finished = false;

    ~Exchange() { finish(false); }

    void finish(bool complete) {
        if (finished) return;
        finished = true;
        if (!complete) connection->abandon(*stream);
        lease.end(true);
    }

    static awaitable<std::optional<Bytes>> next_chunk(std::shared_ptr<Exchange> self) {
        Impl& impl = *self->connection->impl_;
        Stream& s = *self->stream;
        for (;;) {
            if (self->finished) co_return std::nullopt;
            std::optional<Bytes> chunk;
            bool end = false, start_writer = false;
            Failure failure;
            {
                std::lock_guard lock(impl.mutex);
                if (!s.body.empty()) {
                    chunk = std::move(s.body.front());
                    s.body.pop_front();
                    if (!s.closed && !s.response_ended) {
                        impl.session.consume(s.id, chunk->size());  // may queue WINDOW_UPDATE
                        // An application that keeps up with a bulk body (nothing left queued
                        // after a whole window arrived) gets a larger window, so that the server
                        // does not stall waiting for WINDOW_UPDATE (h2-big: 1.3x less CPU with
                        // 4-16 MiB than with 1 MiB). One that falls behind keeps its window, and
                        // the bound it puts on the memory its stream holds.
                        if (s.body.empty() && s.window < kMaxStreamWindow &&
                            s.body_received >= s.window) {
                            s.window = std::min(s.window * 2, kMaxStreamWindow);
                            impl.session.set_stream_window(s.id, s.window);
                        }
                        start_writer = impl.claim_writer();
                    }
                } else if (s.response_ended) {
                    end = true;
                } else if (s.failure) {
                    failure = s.failure;
                }
            }
            self->connection->start_loops(false, start_writer);
            if (chunk) co_return chunk;
            if (end) {
                self->finish(true);
                co_return std::nullopt;
            }
            if (failure) {
                self->finish(false);
                failure.raise();
            }
            try {
                co_await self->connection->wait_for(s, self->read_timeout, false);
            } catch (const ReadTimeout&) {
                self->finish(false);
                self->connection->close_if_silent(self->read_timeout);
                throw;
            } catch (...) {
                self->finish(false);
                throw;
            }
        }
    }
};

Http2Connection::Http2Connection(std::unique_ptr<net::NetworkStream> stream, std::string origin,
                                 asio::any_io_executor executor,
                                 std::weak_ptr<ConnectionOwner> owner)
    : stream_(std::move(stream)),
      origin_(std::move(origin)),
      impl_(std::make_unique<Impl>(std::move(executor), std::move(owner))) {
    impl_->write_deadline.emplace(impl_->strand, *stream_);
}

Http2Connection::~Http2Connection() {
    stream_->close();
}

void Http2Connection::start() {
    impl_->stop_reading = [weak = weak_from_this()] {
        auto c = weak.lock();
        if (!c) return;
        asio::post(c->impl_->strand, [c] {
            std::shared_ptr<asio::cancellation_signal> cancel;
            {
                std::lock_guard lock(c->impl_->mutex);
                if (c->impl_->reading && !c->impl_->wants_read()) cancel = c->impl_->read_cancel;
            }
            if (cancel) cancel->emit(asio::cancellation_type::terminal);
        });
    };
    // The connection preface goes out with the first request's frames, in the same write, and
    // under that request's write timeout.
}

void Http2Connection::start_loops(bool reader, bool writer) {
    // Never under the lock: co_spawn may run the coroutine's first steps at once.
    if (reader) {
        // Each reader gets its own signal, owned by its completion handler. Asio keeps the
        // coroutine's cancellation state in the signal's slot and still touches it after the
        // coroutine returned (co_spawn's final post, when it never suspended): a signal shared
        // by the connection's readers was cleared by the next reader's co_spawn, or destroyed
        // with the connection, first (a crash in cancellation_slot::clear).
        auto cancel = std::make_shared<asio::cancellation_signal>();
        auto slot = cancel->slot();
        asio::co_spawn(impl_->strand, read_loop(shared_from_this(), cancel),
                       asio::bind_cancellation_slot(slot, [cancel](std::exception_ptr) {}));
    }
    if (writer) asio::co_spawn(impl_->strand, write_loop(shared_from_this()), asio::detached);
}

awaitable<void> Http2Connection::read_loop(std::shared_ptr<Http2Connection> self,
                                           std::shared_ptr<asio::cancellation_signal> cancel) {
    Impl& impl = *self->impl_;
    // Not zero-filled (make_unique<char[]> would): read_some writes it.
    std::unique_ptr<char[]> owned_buffer(new char[kReadSize]);
    char* const buffer = owned_buffer.get();
    for (;;) {
        {
            std::lock_guard lock(impl.mutex);
            if (!impl.usable() || !impl.wants_read()) {
                impl.reader_running = impl.reading = false;
                impl.read_cancel.reset();
                impl.release_wait_timer_locked();
                co_return;
            }
            impl.reading = true;
            if (impl.read_cancel != cancel) impl.read_cancel = cancel;
        }
        boost::system::error_code ec;
        std::size_t n = 0;
        try {
            n = co_await self->stream_->read_some(asio::buffer(buffer, kReadSize));
        } catch (const boost::system::system_error& e) {
            ec = e.code();
        }
        if (ec == asio::error::operation_aborted) {
            // Cancelled because its last stream went away (or the socket was closed).
            co_await asio::this_coro::reset_cancellation_state();
            continue;
        }
        bool start_writer = false, failed = false, keep_socket = false;
        {
            std::lock_guard lock(impl.mutex);
            impl.reading = false;
            if (ec) {
                impl.fail_locked({Failure::Kind::read, ec.message()}, false);
            } else if (n == 0) {
                impl.fail_locked({Failure::Kind::eof, {}}, false);
            } else if (impl.usable()) {
                impl.bytes_received += n;
                impl.last_received = std::chrono::steady_clock::now();
                impl.in_receive = true;
                try {
                    impl.session.receive(std::string_view(buffer, n));
                } catch (const RemoteProtocolError& e) {
                    impl.fail_locked({Failure::Kind::remote, e.what()}, false);
                }
                impl.in_receive = false;
                start_writer = impl.claim_writer();  // SETTINGS ACK, WINDOW_UPDATE, more DATA
            }
            failed = !impl.usable();
            if (failed) {
                impl.reader_running = false;
                impl.read_cancel.reset();
                impl.release_wait_timer_locked();
                // close() is writing its GOAWAY: the socket closes after it.
                keep_socket = impl.saying_goodbye;
            }
        }
        self->report_to_pool();
        if (failed) {
            if (!keep_socket) self->stream_->close();
            co_return;
        }
        self->start_loops(false, start_writer);
    }
}

awaitable<void> Http2Connection::write_loop(std::shared_ptr<Http2Connection> self) {
    Impl& impl = *self->impl_;
    std::string out;
    for (;;) {
        out.clear();
        std::optional<std::chrono::duration<double>> limit;
        bool goodbye_sent = false;
        {
            std::lock_guard lock(impl.mutex);
            // After close(), only its GOAWAY (nghttp2 sends nothing after that frame).
            if (impl.usable() || impl.saying_goodbye) impl.session.send(out, kWriteBatch);
            if (out.empty()) {
                impl.writer_running = false;
                goodbye_sent = std::exchange(impl.saying_goodbye, false);
            } else {
                limit = impl.saying_goodbye ? kGoodbyeLimit : impl.write_timeout;
            }
        }
        if (out.empty()) {
            impl.write_deadline->idle();
            if (goodbye_sent) self->stream_->close();
            co_return;
        }
        boost::system::error_code ec;
        impl.write_deadline->start(limit);
        try {
            std::array<asio::const_buffer, 1> buffers{asio::buffer(out)};
            {
                std::lock_guard lock(impl.mutex);
                impl.writing = true;
                // close() came since the limit was taken: its GOAWAY follows within its limit.
                if (impl.saying_goodbye) impl.write_deadline->start(kGoodbyeLimit);
            }
            co_await self->stream_->write(buffers);
        } catch (const boost::system::system_error& e) {
            ec = e.code();
        }
        // Also when the timer closed the socket as the write completed.
        const bool timed_out = impl.write_deadline->finish();
        {
            std::lock_guard lock(impl.mutex);
            impl.writing = false;
        }
        if (ec || timed_out) {
            impl.write_deadline->idle();
            {
                std::lock_guard lock(impl.mutex);
                impl.writer_running = impl.saying_goodbye = false;
                impl.fail_locked(timed_out ? Failure{Failure::Kind::write_timeout,
                                                     "Timed out while sending data to the host."}
                                           : Failure{Failure::Kind::write, ec.message()},
                                 false);
            }
            self->report_to_pool();
            self->stream_->close();
            co_return;
        }
        // Sending RST_STREAM closes streams: the pool may hear of it.
        self->report_to_pool();
    }
}

void Http2Connection::report_to_pool() {
    bool changed = false;
    {
        std::lock_guard lock(impl_->mutex);
        if (auto settings = std::exchange(impl_->settings_to_report, std::nullopt)) {
            impl_->reported_capacity = settings;
            changed = true;
        }
        if (impl_->unusable && !impl_->unusable_reported) {
            impl_->unusable_reported = true;
            changed = true;
        }
    }
    if (!changed) return;
    if (auto owner = impl_->owner.lock()) owner->connection_changed(*this);
}

std::optional<std::size_t> Http2Connection::capacity() const {
    std::lock_guard lock(impl_->mutex);
    return impl_->reported_capacity;
}

bool Http2Connection::is_available() const {
    std::lock_guard lock(impl_->mutex);
    return !impl_->unusable;
}

void Http2Connection::close_if_silent(std::optional<std::chrono::duration<double>> limit) {
    bool start_writer = false, dead = false;
    {
        std::lock_guard lock(impl_->mutex);
        const auto now = std::chrono::steady_clock::now();
        if (!limit || now - impl_->last_received < *limit || !impl_->usable()) return;
        // Nothing from the server, on any stream, for a whole read timeout: a slow response, or
        // a peer gone silent (dead host, dropped NAT mapping) that would fail every request put
        // on the connection. A PING tells them apart: a live server answers it at once. If a
        // stream times out again with no byte since the PING, the connection is closed.
        if (!impl_->ping_sent || impl_->last_received >= *impl_->ping_sent) {
            impl_->ping_sent = now;
            impl_->session.ping();
            start_writer = impl_->claim_writer();
        } else {
            impl_->fail_locked(
                {Failure::Kind::read_timeout, "Timed out while receiving data from the host."},
                false);
            dead = true;
        }
    }
    if (dead) {
        close();
        report_to_pool();
    } else {
        start_loops(false, start_writer);
    }
}

bool Http2Connection::is_readable() const {
    {
        // A connection whose first request never went out (refused locally) has the server's
        // preface unread: expected, not a sign that the server closed it.
        std::lock_guard lock(impl_->mutex);
        if (!impl_->settings_received) return false;
        // Nor is the answer to a PING sent while no stream was left to read it.
        if (impl_->ping_sent && impl_->last_received < *impl_->ping_sent) return false;
    }
    return stream_->is_readable();
}

void Http2Connection::abandon(Stream& s) {
    bool start_writer = false;
    {
        std::lock_guard lock(impl_->mutex);
        s.body.clear();
        if (!s.closed && !s.abandoned) {
            impl_->session.reset_stream(s.id, Http2Error::cancel);
            start_writer = impl_->claim_writer();
        }
        s.abandoned = true;
    }
    start_loops(false, start_writer);
}

awaitable<void> Http2Connection::wait_for(Stream& s,
                                          std::optional<std::chrono::duration<double>> limit,
                                          bool write) {
    if (!limit) {
        co_await s.signal.wait();
        co_return;
    }
    const Clock::time_point deadline =
        Clock::now() + std::chrono::duration_cast<Clock::duration>(*limit);
    // Leaves the waiting list however the wait ends (the coroutine may also be destroyed while
    // suspended, when its io_context goes away).
    struct Waiting {
        Http2Connection& connection;
        Stream& stream;
        bool left = false;
        Waiting(Http2Connection& c, Stream& s, Clock::time_point deadline)
            : connection(c), stream(s) {
            Impl& impl = *c.impl_;
            std::lock_guard lock(impl.mutex);
            s.wait_deadline = deadline;
            s.timed_out = false;
            s.wait_index = impl.waiting.size();
            impl.waiting.push_back(&s);
            // An earlier wake-up re-arms itself for this deadline when it finds it waiting.
            if (!impl.timer_armed || impl.wait_timer.expiry() > deadline)
                c.arm_wait_timer_locked(deadline);
        }
        Waiting(const Waiting&) = delete;
        Waiting& operator=(const Waiting&) = delete;
        ~Waiting() { leave(); }
        // Returns whether the connection's timer ended the wait.
        bool leave() noexcept {
            if (left) return false;
            left = true;
            Impl& impl = *connection.impl_;
            std::lock_guard lock(impl.mutex);
            const bool timed_out = std::exchange(stream.timed_out, false);
            Stream* last = impl.waiting.back();
            last->wait_index = stream.wait_index;
            impl.waiting[stream.wait_index] = last;
            impl.waiting.pop_back();
            stream.wait_deadline = Clock::time_point::max();
            // While the reader runs, io_context::run() cannot return anyway: the reader releases
            // the timer when it stops (release_wait_timer_locked), so that a body read chunk by
            // chunk does not post a release per chunk.
            if (!impl.waiting.empty() || !impl.timer_armed || impl.timer_release_posted ||
                impl.reader_running)
                return timed_out;
            // Released after the handlers already queued have run, and only if no stream waits
            // again by then: a stream reading its next chunk keeps the timer armed (no
            // timerfd_settime system call per wait).
            impl.timer_release_posted = true;
            try {
                asio::post(impl.strand, [weak = connection.weak_from_this()] {
                    auto self = weak.lock();
                    if (!self) return;
                    Impl& impl = *self->impl_;
                    std::lock_guard lock(impl.mutex);
                    impl.timer_release_posted = false;
                    if (!impl.waiting.empty() || !impl.timer_armed) return;
                    impl.timer_armed = false;
                    ++impl.timer_generation;
                    impl.wait_timer.cancel();
                });
            } catch (...) {
                impl.timer_release_posted = false;
            }
            return timed_out;
        }
    };
    Waiting waiting(*this, s, deadline);
    std::exception_ptr error;
    try {
        co_await s.signal.wait();
    } catch (...) {
        error = std::current_exception();
    }
    // Whichever came first decides: an event that ended the wait before the timer did wins.
    if (waiting.leave() && error) {
        if (write) throw WriteTimeout("Timed out while sending data to the host.");
        throw ReadTimeout("Timed out while receiving data from the host.");
    }
    if (error) std::rethrow_exception(error);
}

void Http2Connection::arm_wait_timer_locked(Clock::time_point when) {
    Impl& impl = *impl_;
    impl.wait_timer.expires_at(when);  // cancels a pending wait, now of an older generation
    impl.timer_armed = true;
    impl.wait_timer.async_wait(
        [weak = weak_from_this(), generation = ++impl.timer_generation](boost::system::error_code) {
            if (auto self = weak.lock()) self->on_wait_timer(generation);
        });
}

void Http2Connection::on_wait_timer(unsigned generation) {
    Impl& impl = *impl_;
    std::lock_guard lock(impl.mutex);
    if (generation != impl.timer_generation) return;  // superseded or released
    impl.timer_armed = false;
    const Clock::time_point now = Clock::now();
    Clock::time_point next = Clock::time_point::max();
    for (Stream* s : impl.waiting) {
        if (s->timed_out) continue;
        if (s->wait_deadline <= now) {
            s->timed_out = true;
            s->signal.interrupt();
        } else {
            next = std::min(next, s->wait_deadline);
        }
    }
    if (next != Clock::time_point::max()) arm_wait_timer_locked(next);
}

void Http2Connection::close() noexcept {
    close(true);
}

void Http2Connection::close_now() noexcept {
    close(false);
}

void Http2Connection::close(bool say_goodbye) noexcept {
    bool goodbye = false, start_writer = false;
    {
        std::lock_guard lock(impl_->mutex);
        if (impl_->state == Impl::State::closed) return;
        // A connection in working order says GOAWAY(NO_ERROR) first, as httpcore does: the
        // server learns that the client is done with it rather than seeing it drop. The writer
        // sends it and then closes the socket; not after a failure (nothing left to tell).
        goodbye = say_goodbye && impl_->usable();
        impl_->fail_locked({Failure::Kind::read, "The connection was closed."}, true);
        if (goodbye) {
            impl_->session.terminate();
            impl_->saying_goodbye = true;
            start_writer = !impl_->writer_running;
            impl_->writer_running = true;
        }
    }
    auto self = weak_from_this().lock();
    if (!self) return;  // being destroyed: the destructor closes the socket
    try {
        if (!goodbye) {
            // On the strand, where the reader and writer use the socket (a write stuck on a
            // server that stopped reading ends here too).
            asio::post(impl_->strand, [self] { self->stream_->close(); });
        } else if (start_writer) {
            asio::co_spawn(impl_->strand, write_loop(std::move(self)), asio::detached);
        } else {
            // The writer runs and sends the GOAWAY after what it is writing: a write stuck on a
            // server that stopped reading gets kGoodbyeLimit more, not its whole write timeout.
            impl_->write_deadline->start(kGoodbyeLimit);
        }
    } catch (...) {
        // Out of memory: the socket closes with the connection.
    }
}

awaitable<void> Http2Connection::send_body(
    std::shared_ptr<Stream> s, const AsyncByteStream& body,
    std::optional<std::chrono::duration<double>> write_timeout) {
    Impl& impl = *impl_;
    auto chunks = body.aiter();
    for (;;) {
        std::optional<Bytes> chunk = co_await chunks.next();
        bool stop = false, wait = false, start_writer = false;
        {
            std::lock_guard lock(impl.mutex);
            if (s->closed || s->failure) {
                stop = true;
            } else if (!chunk) {
                s->upload_end = true;
                impl.session.resume_body(s->id);
                stop = true;
            } else if (!chunk->empty()) {
                s->upload_queued += chunk->size();
                s->upload.push_back(std::move(*chunk));
                impl.session.resume_body(s->id);
                wait = s->upload_queued >= kUploadQueue;
                s->waiting_for_room = wait;
            }
            start_writer = impl.claim_writer();
        }
        start_loops(false, start_writer);
        if (stop) co_return;
        // Back-pressure: the next chunk is pulled once the writer made room (flow control).
        while (wait) {
            co_await wait_for(*s, write_timeout, true);
            std::lock_guard lock(impl.mutex);
            wait = !s->closed && !s->failure && s->upload_queued >= kUploadQueue;
            s->waiting_for_room = wait;
        }
    }
}

awaitable<Response> Http2Connection::handle_request(Request& request, const Timeout& timeout,
                                                    Lease lease) {
    auto self = shared_from_this();
    Impl& impl = *impl_;
    auto s = std::make_shared<Stream>();
    s->reused = lease.reused();

    const AsyncByteStream& body = request.stream();
    const Bytes* memory = body.buffer();
    const bool has_body = memory ? !memory->empty() : body.length() != std::uint64_t{0};
    if (memory) {
        s->body_owner = body;
        s->memory_body = *memory;
        s->upload_end = true;
    }
    std::string target = request.url().raw_path();
    if (auto it = request.extensions().find("target"); it != request.extensions().end()) {
        if (auto* t = std::any_cast<std::string>(&it->second)) target = *t;
    }
    const std::string authority = request.url().netloc();
    bool start_reader = false, start_writer = false, refused = false;
    {
        std::lock_guard lock(impl.mutex);
        if (impl.state != Impl::State::active) {
            refused = true;
        } else {
            s->id = impl.session.submit_request(
                {request.method(), request.url().scheme(), authority, target}, request.headers(),
                has_body);
            s->received_at_submit = impl.bytes_received;
            impl.write_timeout = timeout.write;
            impl.streams.emplace(s->id, s);
            ++impl.open_streams;
            start_reader = impl.claim_reader();
            start_writer = impl.claim_writer();
        }
    }
    if (refused) {
        // It stopped taking streams before the pool heard (the reader reports a GOAWAY or an
        // error once out of the lock): the pool hears it now, so that the request's next
        // attempt takes another connection, not this one again (on several threads every
        // attempt could land here before the reader's report).
        if (auto owner = impl.owner.lock()) owner->connection_changed(*this);
        lease.end(true);
        throw RefusedStream("The connection takes no new streams (GOAWAY or closed).", true);
    }
    start_loops(start_reader, start_writer);

    try {
        if (has_body && !memory) co_await send_body(s, body, timeout.write);
        for (;;) {
            {
                std::lock_guard lock(impl.mutex);
                if (s->head_received) break;
                if (s->failure) s->failure.raise();
            }
            co_await wait_for(*s, timeout.read, false);
        }
    } catch (const WriteTimeout&) {
        // The socket itself not taking bytes (rather than a stream window that stays shut)
        // makes the connection useless for every stream.
        bool stuck = false;
        {
            std::lock_guard lock(impl.mutex);
            stuck = impl.writing;
        }
        abandon(*s);
        if (stuck) {
            close_now();  // no GOAWAY: the socket takes no more bytes
            report_to_pool();
        }
        lease.end(true);
        throw;
    } catch (const ReadTimeout&) {
        abandon(*s);
        close_if_silent(timeout.read);
        lease.end(true);
        throw;
    } catch (...) {
        abandon(*s);
        lease.end(true);
        throw;
    }

    ResponseOptions options;
    int status = 0;
    std::optional<std::uint64_t> length;
    {
        std::lock_guard lock(impl.mutex);
        status = s->status;
        options.headers = std::move(s->headers);
        length = s->response_ended && s->body.empty() ? std::optional<std::uint64_t>(0)
                                                      : content_length(options.headers);
    }
    options.extensions["http_version"] = std::string("HTTP/2");
    // Trailer fields, filled in once the body has been read.
    options.extensions["trailers"] = std::shared_ptr<const Headers>(s->trailers);

    auto exchange = std::make_shared<Exchange>();
    exchange->connection = self;
    exchange->stream = s;
    exchange->read_timeout = timeout.read;
    exchange->lease = std::move(lease);
    AsyncByteStream stream(
        AsyncIterator<Bytes>([exchange] { return Exchange::next_chunk(exchange); }), length);
    stream.set_close_handler([weak = std::weak_ptr<Exchange>(exchange)] {
        if (auto e = weak.lock()) e->finish(false);
    });
    options.stream = std::move(stream);
    co_return Response(status, std::move(options));
}

}  // namespace httpx::transport
