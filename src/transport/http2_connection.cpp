#include "transport/http2_connection.hpp"

#include "models/response_access.hpp"
#include "protocol/request_target.hpp"

#include "net/lazy_timer.hpp"
#include "net/stream_deadline.hpp"
#include "protocol/http2_session.hpp"

#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/system/system_error.hpp>

#include <algorithm>
#include <array>
#include <charconv>
#include <mutex>
#include <unordered_map>
#include <vector>

namespace httpx::transport {

namespace asio = boost::asio;
using protocol::Http2Error;
using Clock = std::chrono::steady_clock;
using Phase = Http2Stream::Phase;

namespace {

// Bytes taken from the stream per read (one wake-up of the reader and of the body's consumer per
// batch). Larger batches measured worse for a bulk download: the buffers and chunks of a batch
// no longer stay in the CPU's cache.
constexpr std::size_t kReadSize = 64 * 1024;
// Frames gathered into one socket write.
constexpr std::size_t kWriteBatch = 256 * 1024;
// How long close() lets the GOAWAY it sends take before the socket closes anyway (a live
// server's socket takes 17 bytes at once; one that stopped reading must not hold the close).
constexpr std::chrono::milliseconds kGoodbyeLimit{1000};

std::optional<std::uint64_t> content_length(const Headers& headers) {
    auto value = headers.get("content-length");
    if (!value) return std::nullopt;
    std::uint64_t n = 0;
    auto [end, ec] = std::from_chars(value->data(), value->data() + value->size(), n);
    if (ec != std::errc() || end != value->data() + value->size()) return std::nullopt;
    return n;
}

}  // namespace

struct Http2Connection::Impl final : protocol::Http2Events {
    // The connection: `active` takes new streams; `draining` (after GOAWAY) finishes those it
    // has; `failed` and `closed` are over; `closing`: close() said goodbye, the writer sends the
    // GOAWAY and closes the socket once it is written (then `closed`).
    enum class State { active, draining, failed, closing, closed };
    // The reader runs while streams are open, the writer while frames are ready: an idle
    // connection has no coroutine and no pending I/O (so that io_context::run() returns).
    // `reading`: in read_some; `writing`: in a socket write (both on the strand).
    enum class Reader { stopped, running, reading };
    enum class Writer { stopped, running, writing };

    asio::strand<asio::any_io_executor> strand;
    std::weak_ptr<ConnectionOwner> owner;
    std::mutex mutex;
    protocol::Http2ClientSession session;
    std::unordered_map<std::int32_t, std::shared_ptr<Http2Stream>> streams;
    std::size_t open_streams = 0;
    State state = State::active;
    Reader reader = Reader::stopped;
    Writer writer = Writer::stopped;
    std::string goaway_error;                        // the code of a GOAWAY with an error, by name
    std::int32_t goaway_last_stream_id = INT32_MAX;  // streams above it were refused
    std::uint64_t bytes_received = 0;
    // The running reader's cancellation signal (set by the reader, used on the strand).
    std::shared_ptr<asio::cancellation_signal> read_cancel;
    // For the pool, handed over without the lock (report_to_pool).
    std::optional<std::uint32_t> settings_to_report;
    std::optional<std::uint32_t> reported_capacity;  // the last settings the owner was told of
    bool unusable = false, unusable_reported = false;
    bool settings_received = false;
    bool init_traced = false;  // a request reported http2.send_connection_init (the first)
    // Set by the connection: asks the strand to cancel a read nobody waits for.
    std::function<void()> stop_reading;
    // The streams in a timed wait, and one timer for all of them (instead of a timer, a
    // coroutine and a parallel group per wait): each wait records its deadline, and the timer
    // sleeps until the earliest one it may have to enforce (see wait_for).
    std::vector<Http2Stream*> waiting;
    std::optional<net::LazyTimer> wait_timer;  // made by the connection (its on_wake)
    // Each socket write may take the write timeout of the latest request (as an HTTP/1.1
    // write): a socket that stops taking bytes fails the connection instead of leaving every
    // stream, and the writer, waiting on it for ever.
    std::optional<net::StreamDeadline> write_deadline;
    std::optional<std::chrono::duration<double>> write_timeout;
    // When bytes last arrived, and when the last PING went out to check on a silent server
    // (see close_if_silent).
    std::chrono::steady_clock::time_point last_received = std::chrono::steady_clock::now();
    std::optional<std::chrono::steady_clock::time_point> ping_sent;

    bool usable() const noexcept { return state == State::active || state == State::draining; }
    // When the reader stops: the timer of the stream waits goes if no stream waits (a wait that
    // ended while the reader ran left it armed, see wait_for).
    void release_wait_timer_locked() {
        if (waiting.empty()) wait_timer->release();
    }
    // Something to read for: the reader ends with the last open stream (a read with nothing
    // to wait for would keep io_context::run() from returning).
    bool wants_read() const noexcept { return open_streams > 0; }
    // Whether the caller must start the reader (it is then marked running).
    bool claim_reader() {
        if (reader != Reader::stopped || !usable() || !wants_read()) return false;
        reader = Reader::running;
        return true;
    }
    // Whether the caller must start the writer (it is then marked running).
    bool claim_writer() {
        if (writer != Writer::stopped || !usable() || !session.wants_write()) return false;
        writer = Writer::running;
        return true;
    }
    // close()'s GOAWAY is written, or the socket failed: closing -> closed. Returns whether the
    // connection was saying goodbye (the writer then closes the socket).
    bool end_goodbye_locked() noexcept {
        if (state != State::closing) return false;
        state = State::closed;
        return true;
    }
    // close(): every stream still open fails; a connection in working order says GOAWAY first
    // (`goodbye`), the others are closed at once.
    void close_locked(bool goodbye) {
        fail_locked({Failure::Kind::read, "The connection was closed."}, true);
        if (goodbye) state = State::closing;
    }
    // The reader ends (the connection failed, or no stream is left to read for).
    void stop_reader_locked() {
        reader = Reader::stopped;
        read_cancel.reset();
        release_wait_timer_locked();
    }

    Impl(asio::any_io_executor executor, std::weak_ptr<ConnectionOwner> o)
        : strand(asio::make_strand(executor)), owner(std::move(o)), session(*this) {}

    Http2Stream* find(std::int32_t id) {
        auto it = streams.find(id);
        return it == streams.end() ? nullptr : it->second.get();
    }

    // --- protocol::Http2Events (called under the lock, from receive() or send()) ---

    void on_response_head(std::int32_t id, int status, Headers headers) override {
        if (Http2Stream* s = find(id)) s->receive_head(status, std::move(headers));
    }

    void on_data(std::int32_t id, std::string_view data) override {
        Http2Stream* s = find(id);
        if (!s || s->phase() == Phase::abandoned) {
            session.consume(id, data.size());
            return;
        }
        s->receive_data(data);
    }

    void on_trailers(std::int32_t id, Headers trailers) override {
        if (Http2Stream* s = find(id)) *s->trailers = std::move(trailers);
    }

    void on_response_end(std::int32_t id) override {
        if (Http2Stream* s = find(id)) s->end_response();
    }

    void on_stream_close(std::int32_t id, std::uint32_t code, bool by_server) override {
        auto it = streams.find(id);
        if (it == streams.end()) return;
        std::shared_ptr<Http2Stream> s = std::move(it->second);
        streams.erase(it);
        --open_streams;
        if (!s->response_pending()) {
            s->close();
        } else if (code == static_cast<std::uint32_t>(Http2Error::refused_stream)) {
            s->fail({Failure::Kind::refused,
                     id > goaway_last_stream_id
                         ? "The server's GOAWAY refused the stream (REFUSED_STREAM): the request "
                           "was not processed."
                         : "The server refused the stream (REFUSED_STREAM): the request was not "
                           "processed."});
        } else if (by_server) {
            s->fail({Failure::Kind::remote,
                     "The server reset the stream: " + protocol::http2_error_name(code)});
        } else {
            s->fail({Failure::Kind::remote,
                     "The server's response broke the HTTP/2 rules (stream reset with " +
                         protocol::http2_error_name(code) + ")."});
        }
        // Called from receive() the reader is not reading; from send() it may be, for nothing.
        if (!wants_read() && reader == Reader::reading && stop_reading) stop_reading();
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
        Http2Stream* s = find(id);
        if (!s) {
            end = true;
            return 0;
        }
        return s->read_upload(buffer, end);
    }

    // --- connection state ---

    // Ends the connection (`closing`: close() does, else it failed): every stream not yet
    // answered in full fails with `failure`.
    void fail_locked(Failure failure, bool closing) {
        if (!usable()) {
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
            if (!s->response_pending()) {
                s->close();
                continue;
            }
            // A reused connection that died before saying anything: the request was not
            // processed (as a stale HTTP/1.1 connection).
            const bool unprocessed = s->reused && !s->has_head() &&
                                     bytes_received == s->received_at_submit &&
                                     failure.kind != Failure::Kind::write &&
                                     failure.kind != Failure::Kind::write_timeout &&
                                     failure.kind != Failure::Kind::read_timeout && !closing;
            if (unprocessed) {
                Failure refused = failure;
                refused.kind = Failure::Kind::refused;
                s->fail(std::move(refused));
            } else {
                s->fail(failure);
            }
        }
        streams.clear();
        open_streams = 0;
        unusable = true;
    }
};

Http2Connection::Http2Connection(std::unique_ptr<net::NetworkStream> stream, std::string origin,
                                 asio::any_io_executor executor,
                                 std::weak_ptr<ConnectionOwner> owner)
    : stream_(std::move(stream)),
      origin_(std::move(origin)),
      tls_(stream_->tls_info()),
      impl_(std::make_unique<Impl>(std::move(executor), std::move(owner))) {
    impl_->write_deadline.emplace(impl_->strand, *stream_);
}

Http2Connection::~Http2Connection() {
    stream_->close();
}

void Http2Connection::start() {
    impl_->wait_timer.emplace(impl_->strand, [weak = weak_from_this()] {
        if (auto c = weak.lock()) c->on_wait_timer();
    });
    impl_->stop_reading = [weak = weak_from_this()] {
        auto c = weak.lock();
        if (!c) return;
        asio::post(c->impl_->strand, [c] {
            std::shared_ptr<asio::cancellation_signal> cancel;
            {
                std::lock_guard lock(c->impl_->mutex);
                if (c->impl_->reader == Impl::Reader::reading && !c->impl_->wants_read())
                    cancel = c->impl_->read_cancel;
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
                impl.stop_reader_locked();
                co_return;
            }
            impl.reader = Impl::Reader::reading;
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
            impl.reader = Impl::Reader::running;
            if (ec) {
                impl.fail_locked({Failure::Kind::read, ec.message()}, false);
            } else if (n == 0) {
                impl.fail_locked({Failure::Kind::eof, {}}, false);
            } else if (impl.usable()) {
                impl.bytes_received += n;
                impl.last_received = std::chrono::steady_clock::now();
                try {
                    impl.session.receive(std::string_view(buffer, n));
                } catch (const RemoteProtocolError& e) {
                    impl.fail_locked({Failure::Kind::remote, e.what()}, false);
                }
                start_writer = impl.claim_writer();  // SETTINGS ACK, WINDOW_UPDATE, more DATA
            }
            failed = !impl.usable();
            if (failed) {
                impl.stop_reader_locked();
                // close() is writing its GOAWAY: the socket closes after it.
                keep_socket = impl.state == Impl::State::closing;
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
            const bool goodbye = impl.state == Impl::State::closing;
            if (impl.usable() || goodbye) impl.session.send(out, kWriteBatch);
            if (out.empty()) {
                impl.writer = Impl::Writer::stopped;
                goodbye_sent = impl.end_goodbye_locked();
            } else {
                limit = goodbye ? kGoodbyeLimit : impl.write_timeout;
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
                impl.writer = Impl::Writer::writing;
                // close() came since the limit was taken: its GOAWAY follows within its limit.
                if (impl.state == Impl::State::closing) impl.write_deadline->start(kGoodbyeLimit);
            }
            co_await self->stream_->write(buffers);
        } catch (const boost::system::system_error& e) {
            ec = e.code();
        }
        // Also when the timer closed the socket as the write completed.
        const bool timed_out = impl.write_deadline->finish();
        {
            std::lock_guard lock(impl.mutex);
            impl.writer = Impl::Writer::running;
        }
        if (ec || timed_out) {
            impl.write_deadline->idle();
            {
                std::lock_guard lock(impl.mutex);
                impl.writer = Impl::Writer::stopped;
                impl.end_goodbye_locked();
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

void Http2Connection::abandon(Http2Stream& s) {
    bool start_writer = false;
    {
        std::lock_guard lock(impl_->mutex);
        if (s.abandon()) {
            impl_->session.reset_stream(s.id, Http2Error::cancel);
            start_writer = impl_->claim_writer();
        }
    }
    start_loops(false, start_writer);
}

Http2Stream::BodyStep Http2Connection::take_body(Http2Stream& s) {
    Impl& impl = *impl_;
    bool start_writer = false;
    Http2Stream::BodyStep step;
    {
        std::lock_guard lock(impl.mutex);
        step = s.next_body_step();
        if (step.credit) {
            impl.session.consume(s.id, step.chunk->size());  // may queue WINDOW_UPDATE
            if (step.window) impl.session.set_stream_window(s.id, *step.window);
            start_writer = impl.claim_writer();
        }
    }
    start_loops(false, start_writer);
    return step;
}

awaitable<void> Http2Connection::wait_for(Http2Stream& s,
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
        Impl& impl;
        Http2Stream& stream;
        bool left = false;
        Waiting(Impl& i, Http2Stream& s, Clock::time_point deadline) : impl(i), stream(s) {
            std::lock_guard lock(impl.mutex);
            s.wait.deadline = deadline;
            s.wait.timed_out = false;
            s.wait.index = impl.waiting.size();
            impl.waiting.push_back(&s);
            impl.wait_timer->wake_by(deadline);
        }
        Waiting(const Waiting&) = delete;
        Waiting& operator=(const Waiting&) = delete;
        ~Waiting() { leave(); }
        // Returns whether the connection's timer ended the wait.
        bool leave() noexcept {
            if (left) return false;
            left = true;
            std::lock_guard lock(impl.mutex);
            const bool timed_out = std::exchange(stream.wait.timed_out, false);
            Http2Stream* last = impl.waiting.back();
            last->wait.index = stream.wait.index;
            impl.waiting[stream.wait.index] = last;
            impl.waiting.pop_back();
            stream.wait.deadline = Clock::time_point::max();
            // While the reader runs, io_context::run() cannot return anyway: the reader releases
            // the timer when it stops (release_wait_timer_locked), so that a body read chunk by
            // chunk does not post a release per chunk. Otherwise a stream that waits again soon
            // (its next chunk) keeps the timer armed.
            if (impl.waiting.empty() && impl.reader == Impl::Reader::stopped)
                impl.wait_timer->idle();
            return timed_out;
        }
    };
    Waiting waiting(*impl_, s, deadline);
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

void Http2Connection::on_wait_timer() {
    Impl& impl = *impl_;
    std::lock_guard lock(impl.mutex);
    const Clock::time_point now = Clock::now();
    Clock::time_point next = Clock::time_point::max();
    for (Http2Stream* s : impl.waiting) {
        if (s->wait.timed_out) continue;
        if (s->wait.deadline <= now) {
            s->wait.timed_out = true;
            s->signal.interrupt();
        } else {
            next = std::min(next, s->wait.deadline);
        }
    }
    if (next != Clock::time_point::max()) impl.wait_timer->wake_by(next);
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
        if (impl_->state == Impl::State::closing || impl_->state == Impl::State::closed) return;
        // A connection in working order says GOAWAY(NO_ERROR) first, as httpcore does: the
        // server learns that the client is done with it rather than seeing it drop. The writer
        // sends it and then closes the socket; not after a failure (nothing left to tell).
        goodbye = say_goodbye && impl_->usable();
        impl_->close_locked(goodbye);
        if (goodbye) {
            impl_->session.terminate();
            start_writer = impl_->writer == Impl::Writer::stopped;
            if (start_writer) impl_->writer = Impl::Writer::running;
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
    std::shared_ptr<Http2Stream> s, const AsyncByteStream& body,
    std::optional<std::chrono::duration<double>> write_timeout) {
    Impl& impl = *impl_;
    auto chunks = body.aiter();
    for (;;) {
        std::optional<Bytes> chunk = co_await chunks.next();
        bool stop = false, wait = false, start_writer = false;
        {
            std::lock_guard lock(impl.mutex);
            if (!s->takes_upload()) {
                stop = true;
            } else if (!chunk) {
                s->end_upload();
                impl.session.resume_body(s->id);
                stop = true;
            } else if (!chunk->empty()) {
                wait = s->queue_upload(std::move(*chunk));
                impl.session.resume_body(s->id);
            }
            start_writer = impl.claim_writer();
        }
        start_loops(false, start_writer);
        if (stop) co_return;
        // Back-pressure: the next chunk is pulled once the writer made room (flow control).
        while (wait) {
            co_await wait_for(*s, write_timeout, true);
            std::lock_guard lock(impl.mutex);
            wait = s->must_wait_for_room();
        }
    }
}

void Http2Connection::trace_request_queued(detail::Tracer& trace, const Request& request,
                                           std::int32_t stream_id, bool first) {
    if (first) {
        trace.started(detail::TraceStep::http2_send_connection_init, &request);
        trace.complete(detail::TraceStep::http2_send_connection_init);
    }
    trace.started(detail::TraceStep::http2_send_request_headers, &request, stream_id);
    trace.complete(detail::TraceStep::http2_send_request_headers, stream_id);
    trace.started(detail::TraceStep::http2_send_request_body, &request, stream_id);
}

awaitable<Response> Http2Connection::handle_request(Request& request, const Timeout& timeout,
                                                    Lease lease) {
    auto self = shared_from_this();
    Impl& impl = *impl_;
    auto s = std::make_shared<Http2Stream>(lease.reused());

    const AsyncByteStream& body = request.stream();
    const Bytes* memory = body.buffer();
    const bool has_body = memory ? !memory->empty() : body.length() != std::uint64_t{0};
    if (memory) s->send_from_memory(body, *memory);
    const std::string target = protocol::request_target(request);
    const std::string authority = request.url().netloc();
    detail::Tracer trace(request);
    bool start_reader = false, start_writer = false, refused = false, first = false;
    {
        std::lock_guard lock(impl.mutex);
        if (impl.state != Impl::State::active) {
            refused = true;
        } else {
            first = !std::exchange(impl.init_traced, true);
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
        // The preface and the request's frames are queued for the writer; they are reported
        // sent when queued (a streamed body: once its last chunk is queued).
        if (trace.on()) trace_request_queued(trace, request, s->id, first);
        if (has_body && !memory) co_await send_body(s, body, timeout.write);
        if (trace.on()) {
            trace.complete(detail::TraceStep::http2_send_request_body, s->id);
            trace.started(detail::TraceStep::http2_receive_response_headers, &request, s->id);
        }
        for (;;) {
            {
                std::lock_guard lock(impl.mutex);
                if (s->has_head()) break;
                if (s->phase() == Phase::failed) s->failure().raise();
            }
            co_await wait_for(*s, timeout.read, false);
        }
    } catch (const WriteTimeout&) {
        // The socket itself not taking bytes (rather than a stream window that stays shut)
        // makes the connection useless for every stream.
        bool stuck = false;
        {
            std::lock_guard lock(impl.mutex);
            stuck = impl.writer == Impl::Writer::writing;
        }
        abandon(*s);
        if (stuck) {
            close_now();  // no GOAWAY: the socket takes no more bytes
            report_to_pool();
        }
        lease.end(true);
        trace.fail_open_step(s->id);
        throw;
    } catch (const ReadTimeout&) {
        abandon(*s);
        close_if_silent(timeout.read);
        lease.end(true);
        trace.fail_open_step(s->id);
        throw;
    } catch (...) {
        // Also a trace callback that threw: the stream is reset, the connection serves on.
        abandon(*s);
        lease.end(true);
        trace.fail_open_step(s->id);
        throw;
    }

    ResponseOptions options;
    int status = 0;
    std::optional<std::uint64_t> length;
    {
        std::lock_guard lock(impl.mutex);
        status = s->status();
        options.headers = std::move(s->headers);
        length = s->complete() && s->body.empty() ? std::optional<std::uint64_t>(0)
                                                  : content_length(options.headers);
    }
    if (trace.on()) {
        try {
            TraceInfo info;
            info.stream_id = s->id;
            info.status_code = status;
            info.headers = &options.headers;
            trace.report(detail::TraceStep::http2_receive_response_headers,
                         detail::TraceOutcome::complete, info);
        } catch (...) {
            abandon(*s);
            lease.end(true);
            throw;
        }
    }
    options.extensions["http_version"] = std::string("HTTP/2");
    options.extensions["stream_id"] = static_cast<int>(s->id);  // httpcore's extension
    // Trailer fields, filled in once the body has been read.
    options.extensions["trailers"] = std::shared_ptr<const Headers>(s->trailers);

    auto exchange =
        std::make_shared<Http2Exchange>(self, s, timeout.read, std::move(lease), std::move(trace));
    AsyncByteStream stream(
        AsyncIterator<Bytes>([exchange] { return Http2Exchange::next_chunk(exchange); }), length);
    stream.set_close_handler([weak = std::weak_ptr<Http2Exchange>(exchange)] {
        if (auto e = weak.lock()) e->finish(false);
    });
    options.stream = std::move(stream);
    Response response(status, std::move(options));
    if (tls_) detail::ResponseAccess::set_tls_info(response, tls_);
    co_return response;
}

}  // namespace httpx::transport
