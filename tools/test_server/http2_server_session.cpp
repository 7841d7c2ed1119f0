#include "http2_server_session.hpp"

#include <nghttp2/nghttp2.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <algorithm>
#include <array>
#include <cstring>
#include <deque>
#include <stdexcept>
#include <string>
#include <unordered_map>
#include <vector>

#include "connection.hpp"
#include "exchange.hpp"
#include "routes.hpp"

namespace httpx::testing::detail {

namespace asio = boost::asio;
using asio::awaitable;
using asio::use_awaitable;
using error_code = boost::system::error_code;
using namespace std::chrono_literals;

namespace {

// Response bytes a stream queues for nghttp2 before its route waits for them to go out: the
// route never runs further ahead of the client's flow-control window than this.
constexpr std::size_t kStreamBuffer = 64 * 1024;
// Bytes of frames gathered from nghttp2 for one socket write.
constexpr std::size_t kWriteBatch = 256 * 1024;
// A request head larger than this resets the stream.
constexpr std::size_t kMaxHeaderBytes = 64 * 1024;
constexpr std::size_t kReadChunk = 64 * 1024;

// The stream (or the whole connection) closed under a route: it has nobody left to answer.
struct StreamClosed : std::runtime_error {
    StreamClosed() : std::runtime_error("HTTP/2 stream closed") {}
};

bool connection_specific(std::string_view name) {
    return name == "connection" || name == "transfer-encoding" || name == "keep-alive" ||
           name == "upgrade" || name == "proxy-connection";
}

nghttp2_nv make_nv(const std::string& name, const std::string& value,
                   std::uint8_t flags = NGHTTP2_NV_FLAG_NONE) {
    return nghttp2_nv{reinterpret_cast<uint8_t*>(const_cast<char*>(name.data())),
                      reinterpret_cast<uint8_t*>(const_cast<char*>(value.data())), name.size(),
                      value.size(), flags};
}

// Fields with lower-case names, as HTTP/2 wants them, and the nghttp2_nv array pointing into them
// (nghttp2 copies both when a frame is submitted, lower-casing the names, except the verbatim
// ones).
class HeaderBlock {
public:
    void add(std::string name, std::string value) {
        fields_.emplace_back(lower(name), std::move(value));
    }
    // A name sent exactly as it is: `name` must outlive the frame (nghttp2 does not copy it).
    void add_verbatim(const std::string& name, std::string value) {
        verbatim_.emplace_back(&name, std::move(value));
    }
    std::vector<nghttp2_nv> nv() const {
        std::vector<nghttp2_nv> out;
        out.reserve(fields_.size() + verbatim_.size());
        for (const auto& [name, value] : fields_) out.push_back(make_nv(name, value));
        for (const auto& [name, value] : verbatim_) {
            out.push_back(make_nv(*name, value, NGHTTP2_NV_FLAG_NO_COPY_NAME));
        }
        return out;
    }

private:
    Fields fields_;
    std::vector<std::pair<const std::string*, std::string>> verbatim_;
};

// One request stream and what its route has queued of the response.
struct Http2Stream {
    Http2Stream(const asio::any_io_executor& executor, std::int32_t stream_id)
        : id(stream_id), signal(executor), sleeper(executor) {}

    void wake() { signal.cancel(); }
    std::size_t pending_output() const { return output.size() - output_offset; }

    std::int32_t id;
    Request request;
    std::size_t header_bytes = 0;
    // The request body, as received and not yet taken by the route (nor consumed for flow
    // control); input_ended once END_STREAM arrived.
    std::string input;
    bool input_ended = false;
    // The response.
    bool submitted = false;     // HEADERS handed to nghttp2
    bool headers_sent = false;  // ... and written
    std::string output;         // body bytes nghttp2 has not pulled yet, from output_offset
    std::size_t output_offset = 0;
    bool output_ended = false;  // finish() was called: EOF once output is drained
    Fields trailers;
    bool closed = false;  // nghttp2 closed the stream (or the connection went away)
    bool awaiting_write = false;
    // The route waits on `signal` (cancelled to wake it) and sleeps on `sleeper`.
    asio::steady_timer signal;
    asio::steady_timer sleeper;
};

class Http2Session : public std::enable_shared_from_this<Http2Session> {
public:
    explicit Http2Session(std::shared_ptr<Connection> connection)
        : connection_(std::move(connection)),
          server_(connection_->server()),
          executor_(connection_->socket().get_executor()),
          writer_signal_(executor_),
          idle_timer_(executor_) {}
    ~Http2Session() {
        if (session_) nghttp2_session_del(session_);
    }
    Http2Session(const Http2Session&) = delete;
    Http2Session& operator=(const Http2Session&) = delete;

    nghttp2_session* session() { return session_; }
    Connection& connection() { return *connection_; }
    bool dead() const { return dead_; }

    // Reads from the connection and feeds nghttp2 until the connection closes; the writer and the
    // streams' routes run beside it.
    awaitable<void> run() {
        create_session();
        asio::co_spawn(executor_, write_loop(shared_from_this()), asio::detached);
        arm_idle_timer();
        auto& input = connection_->input();
        feed(static_cast<const uint8_t*>(input.data().data()), input.size());
        input.consume(input.size());
        std::array<uint8_t, kReadChunk> buffer;
        while (!dead_) {
            error_code ec;
            std::size_t n = co_await connection_->read_some(asio::buffer(buffer), ec);
            if (ec) break;
            feed(buffer.data(), n);
        }
        shut_down();
    }

    void wake_writer() { writer_signal_.cancel(); }

    // Writes what is queued, then closes the TCP connection (a response cut short on purpose).
    void close_after_flush() {
        close_after_flush_ = true;
        wake_writer();
    }

    // GOAWAY(NO_ERROR) for the streams processed so far; the connection closes once they are done.
    void graceful_goaway() {
        if (dead_ || goaway_submitted_) return;
        goaway_submitted_ = true;
        nghttp2_submit_goaway(session_, NGHTTP2_FLAG_NONE,
                              nghttp2_session_get_last_proc_stream_id(session_), NGHTTP2_NO_ERROR,
                              nullptr, 0);
        wake_writer();
    }

    void goaway(std::uint32_t code, std::int32_t last_stream_id, bool close) {
        if (dead_) return;
        goaway_submitted_ = true;
        close_after_goaway_ = close_after_goaway_ || close;
        nghttp2_submit_goaway(session_, NGHTTP2_FLAG_NONE, last_stream_id, code, nullptr, 0);
        wake_writer();
    }

    // Queues raw bytes after the frames queued so far; returns the total to wait for (see
    // raw_written()).
    std::uint64_t queue_raw(std::string_view bytes) {
        raw_out_.append(bytes);
        raw_queued_ += bytes.size();
        wake_writer();
        return raw_queued_;
    }
    std::uint64_t raw_written() const { return raw_written_; }

    // Storage for header names sent verbatim: they live as long as the session.
    const std::string& keep_name(std::string name) { return verbatim_names_.emplace_back(name); }

    nghttp2_data_provider data_provider(Http2Stream& stream) {
        nghttp2_data_provider provider{};
        provider.source.ptr = &stream;
        provider.read_callback = &Http2Session::read_response_body;
        return provider;
    }

private:
    void create_session() {
        nghttp2_session_callbacks* callbacks = nullptr;
        nghttp2_session_callbacks_new(&callbacks);
        nghttp2_session_callbacks_set_on_begin_headers_callback(callbacks, &on_begin_headers);
        nghttp2_session_callbacks_set_on_header_callback(callbacks, &on_header);
        nghttp2_session_callbacks_set_on_frame_recv_callback(callbacks, &on_frame_recv);
        nghttp2_session_callbacks_set_on_data_chunk_recv_callback(callbacks, &on_data_chunk_recv);
        nghttp2_session_callbacks_set_on_stream_close_callback(callbacks, &on_stream_close);
        nghttp2_session_callbacks_set_on_frame_send_callback(callbacks, &on_frame_send);
        nghttp2_option* option = nullptr;
        nghttp2_option_new(&option);
        nghttp2_option_set_no_auto_window_update(option, 1);
        const int rv = nghttp2_session_server_new2(&session_, callbacks, this, option);
        nghttp2_option_del(option);
        nghttp2_session_callbacks_del(callbacks);
        if (rv != 0) throw std::runtime_error("nghttp2_session_server_new2 failed");

        const auto& options = server_.options;
        const std::uint32_t window =
            std::min<std::uint32_t>(options.http2_initial_window_size, NGHTTP2_MAX_WINDOW_SIZE);
        const std::array<nghttp2_settings_entry, 2> settings{
            nghttp2_settings_entry{NGHTTP2_SETTINGS_MAX_CONCURRENT_STREAMS,
                                   options.http2_max_concurrent_streams},
            nghttp2_settings_entry{NGHTTP2_SETTINGS_INITIAL_WINDOW_SIZE, window}};
        nghttp2_submit_settings(session_, NGHTTP2_FLAG_NONE, settings.data(), settings.size());
        if (window > NGHTTP2_INITIAL_CONNECTION_WINDOW_SIZE) {
            nghttp2_session_set_local_window_size(session_, NGHTTP2_FLAG_NONE, 0,
                                                  static_cast<std::int32_t>(window));
        }
        server_.update(connection_->id(),
                       [](TestServer::ConnectionStats& entry) { entry.protocol = "HTTP/2"; });
    }

    void feed(const uint8_t* data, std::size_t size) {
        if (size == 0) return;
        if (!recv_failed_) {
            const auto rv = nghttp2_session_mem_recv(session_, data, size);
            if (rv < 0) {
                // A bad preface, flooding, or a callback failure: say GOAWAY if still possible,
                // then drop whatever else the client sends until the connection closes.
                recv_failed_ = true;
                nghttp2_session_terminate_session(session_, NGHTTP2_PROTOCOL_ERROR);
            }
        }
        dispatch_ready_streams();
        wake_writer();
    }

    // Routes start after mem_recv() returns, never inside an nghttp2 callback.
    void dispatch_ready_streams() {
        std::vector<std::shared_ptr<Http2Stream>> ready;
        ready.swap(ready_);
        for (auto& stream : ready) {
            if (stream->closed) continue;
            server_.count_request(connection_->id());
            asio::co_spawn(executor_, run_stream(shared_from_this(), std::move(stream)),
                           asio::detached);
        }
    }

    static awaitable<void> run_stream(std::shared_ptr<Http2Session> self,
                                      std::shared_ptr<Http2Stream> stream);

    static awaitable<void> write_loop(std::shared_ptr<Http2Session> self) {
        std::string batch;
        while (!self->dead_) {
            batch.clear();
            bool with_raw = false;
            while (!self->send_failed_ && batch.size() < kWriteBatch) {
                const uint8_t* data = nullptr;
                const auto n = nghttp2_session_mem_send(self->session_, &data);
                if (n < 0) {
                    self->send_failed_ = true;
                    self->close_after_flush_ = true;
                    break;
                }
                if (n == 0) break;
                batch.append(reinterpret_cast<const char*>(data), static_cast<std::size_t>(n));
            }
            std::uint64_t raw_total = self->raw_written_;
            if (!self->raw_out_.empty()) {
                batch += self->raw_out_;
                self->raw_out_.clear();
                raw_total = self->raw_queued_;
                with_raw = true;
            }
            if (!batch.empty()) {
                try {
                    co_await self->connection_->write(batch);
                } catch (const std::exception&) {
                    break;  // the reader sees the connection fail too, and shuts the session down
                }
                self->raw_written_ = raw_total;
                if (with_raw) self->wake_streams_awaiting_write();
                continue;
            }
            if (self->close_after_flush_) {
                // Over TCP a FIN, and the reader drains what the client still sends (its SETTINGS
                // ACK, a WINDOW_UPDATE) until it closes: closing with those bytes unread would
                // reset the connection, and the client could see the reset instead of the cut.
                if (self->connection_->is_tls())
                    self->connection_->close();
                else
                    self->connection_->shutdown_send(500ms);
                break;
            }
            if (!nghttp2_session_want_read(self->session_) &&
                !nghttp2_session_want_write(self->session_)) {
                // Done (GOAWAY exchanged, no stream left): FIN, and the reader drains what the
                // client still sends until it closes too.
                self->connection_->shutdown_send(500ms);
                break;
            }
            self->writer_signal_.expires_at(std::chrono::steady_clock::time_point::max());
            error_code ignored;
            co_await self->writer_signal_.async_wait(asio::redirect_error(use_awaitable, ignored));
        }
    }

    void wake_streams_awaiting_write() {
        for (auto& [id, stream] : streams_) {
            if (stream->awaiting_write) stream->wake();
        }
    }

    // The connection is gone: every route still running ends at its next wait.
    void shut_down() {
        dead_ = true;
        connection_->close();
        writer_signal_.cancel();
        idle_timer_.cancel();
        for (auto& [id, stream] : streams_) close_stream(*stream);
        streams_.clear();
        server_.note_open_streams(connection_->id(), 0);
        ready_.clear();
    }

    static void close_stream(Http2Stream& stream) {
        stream.closed = true;
        stream.wake();
        stream.sleeper.cancel();
    }

    // With idle_close set, a connection without streams for that long gets GOAWAY and closes.
    void arm_idle_timer() {
        const auto idle = server_.options.idle_close;
        if (idle.count() <= 0 || dead_) return;
        idle_timer_.expires_after(idle);
        idle_timer_.async_wait([weak = weak_from_this()](error_code ec) {
            auto self = weak.lock();
            if (ec || !self || self->dead_ || !self->streams_.empty()) return;
            nghttp2_session_terminate_session(self->session_, NGHTTP2_NO_ERROR);
            self->wake_writer();
        });
    }

    static Http2Session& of(void* user_data) { return *static_cast<Http2Session*>(user_data); }
    static Http2Stream* stream_of(nghttp2_session* session, std::int32_t stream_id) {
        return static_cast<Http2Stream*>(nghttp2_session_get_stream_user_data(session, stream_id));
    }

    static int on_begin_headers(nghttp2_session* session, const nghttp2_frame* frame,
                                void* user_data) {
        Http2Session& self = of(user_data);
        if (self.dead_ || frame->hd.type != NGHTTP2_HEADERS ||
            frame->headers.cat != NGHTTP2_HCAT_REQUEST) {
            return 0;
        }
        auto stream = std::make_shared<Http2Stream>(self.executor_, frame->hd.stream_id);
        stream->request.version = 20;
        nghttp2_session_set_stream_user_data(session, frame->hd.stream_id, stream.get());
        self.streams_.emplace(frame->hd.stream_id, std::move(stream));
        self.idle_timer_.cancel();
        self.server_.note_open_streams(self.connection_->id(), self.streams_.size());
        return 0;
    }

    static int on_header(nghttp2_session* session, const nghttp2_frame* frame, const uint8_t* name,
                         size_t name_length, const uint8_t* value, size_t value_length, uint8_t,
                         void*) {
        Http2Stream* stream = stream_of(session, frame->hd.stream_id);
        if (!stream || frame->hd.type != NGHTTP2_HEADERS) return 0;
        stream->header_bytes += name_length + value_length + 32;
        if (stream->header_bytes > kMaxHeaderBytes) return NGHTTP2_ERR_TEMPORAL_CALLBACK_FAILURE;
        std::string field(reinterpret_cast<const char*>(name), name_length);
        std::string text(reinterpret_cast<const char*>(value), value_length);
        Request& request = stream->request;
        if (frame->headers.cat != NGHTTP2_HCAT_REQUEST) {
            request.trailers.emplace_back(std::move(field), std::move(text));
        } else if (field.starts_with(":")) {
            if (field == ":method") request.method = text;
            if (field == ":path") request.set_target(text);
            request.pseudo_headers.emplace_back(std::move(field), std::move(text));
        } else {
            request.headers.emplace_back(std::move(field), std::move(text));
        }
        return 0;
    }

    static int on_frame_recv(nghttp2_session* session, const nghttp2_frame* frame,
                             void* user_data) {
        Http2Session& self = of(user_data);
        if (self.dead_) return 0;
        if (frame->hd.type == NGHTTP2_RST_STREAM) {
            self.server_.update(self.connection_->id(), [](TestServer::ConnectionStats& entry) {
                ++entry.resets_received;
            });
        }
        if (frame->hd.type == NGHTTP2_GOAWAY) {
            self.server_.update(self.connection_->id(), [code = frame->goaway.error_code](
                                                            TestServer::ConnectionStats& entry) {
                ++entry.goaways_received;
                entry.goaway_error = code;
            });
        }
        if (frame->hd.type != NGHTTP2_HEADERS && frame->hd.type != NGHTTP2_DATA) return 0;
        Http2Stream* stream = stream_of(session, frame->hd.stream_id);
        if (!stream) return 0;
        if (frame->hd.type == NGHTTP2_HEADERS && frame->headers.cat == NGHTTP2_HCAT_REQUEST) {
            auto found = self.streams_.find(frame->hd.stream_id);
            if (found != self.streams_.end()) self.ready_.push_back(found->second);
        }
        if (frame->hd.flags & NGHTTP2_FLAG_END_STREAM) {
            stream->input_ended = true;
            stream->wake();
        }
        return 0;
    }

    static int on_data_chunk_recv(nghttp2_session* session, uint8_t, std::int32_t stream_id,
                                  const uint8_t* data, size_t length, void*) {
        Http2Stream* stream = stream_of(session, stream_id);
        if (!stream || stream->closed) {
            nghttp2_session_consume(session, stream_id, length);  // nobody will read it
            return 0;
        }
        stream->input.append(reinterpret_cast<const char*>(data), length);
        stream->wake();
        return 0;
    }

    static int on_stream_close(nghttp2_session* session, std::int32_t stream_id, uint32_t,
                               void* user_data) {
        Http2Session& self = of(user_data);
        Http2Stream* stream = stream_of(session, stream_id);
        if (!stream || self.dead_) return 0;
        // Body bytes the route will never take still count against the connection window.
        if (!stream->input.empty()) {
            nghttp2_session_consume_connection(session, stream->input.size());
            stream->input.clear();
        }
        close_stream(*stream);
        nghttp2_session_set_stream_user_data(session, stream_id, nullptr);
        self.streams_.erase(stream_id);  // the route's coroutine still holds the stream
        self.server_.note_open_streams(self.connection_->id(), self.streams_.size());
        if (self.streams_.empty()) self.arm_idle_timer();
        return 0;
    }

    static int on_frame_send(nghttp2_session* session, const nghttp2_frame* frame,
                             void* user_data) {
        Http2Session& self = of(user_data);
        if (frame->hd.type == NGHTTP2_GOAWAY && self.close_after_goaway_) {
            self.close_after_flush_ = true;
        }
        if (frame->hd.type == NGHTTP2_HEADERS) {
            if (Http2Stream* stream = stream_of(session, frame->hd.stream_id)) {
                stream->headers_sent = true;
                stream->wake();
            }
        }
        return 0;
    }

    static ssize_t read_response_body(nghttp2_session* session, std::int32_t stream_id,
                                      uint8_t* buffer, size_t length, uint32_t* flags,
                                      nghttp2_data_source* source, void*) {
        Http2Stream& stream = *static_cast<Http2Stream*>(source->ptr);
        const std::size_t n = std::min(length, stream.pending_output());
        std::memcpy(buffer, stream.output.data() + stream.output_offset, n);
        stream.output_offset += n;
        if (stream.pending_output() == 0) {
            stream.output.clear();
            stream.output_offset = 0;
            if (stream.output_ended) {
                *flags |= NGHTTP2_DATA_FLAG_EOF;
                if (!stream.trailers.empty()) {
                    *flags |= NGHTTP2_DATA_FLAG_NO_END_STREAM;
                    HeaderBlock block;
                    for (const auto& [name, value] : stream.trailers) block.add(name, value);
                    const auto nv = block.nv();
                    nghttp2_submit_trailer(session, stream_id, nv.data(), nv.size());
                }
            } else if (n == 0) {
                return NGHTTP2_ERR_DEFERRED;
            }
        }
        stream.wake();  // room in the buffer for the route
        return static_cast<ssize_t>(n);
    }

    std::shared_ptr<Connection> connection_;
    ServerState& server_;
    asio::any_io_executor executor_;
    nghttp2_session* session_ = nullptr;
    std::unordered_map<std::int32_t, std::shared_ptr<Http2Stream>> streams_;
    std::vector<std::shared_ptr<Http2Stream>> ready_;  // request heads complete, route not started
    asio::steady_timer writer_signal_;
    asio::steady_timer idle_timer_;
    std::string raw_out_;
    std::deque<std::string> verbatim_names_;
    std::uint64_t raw_queued_ = 0;
    std::uint64_t raw_written_ = 0;
    bool dead_ = false;                // the connection is closed
    bool recv_failed_ = false;         // nghttp2 rejected the input: the rest is dropped
    bool send_failed_ = false;         // nghttp2 cannot produce frames any more
    bool close_after_flush_ = false;   // close once everything queued is written
    bool close_after_goaway_ = false;  // close_after_flush_ once our GOAWAY is written
    bool goaway_submitted_ = false;
};

// One request and its response on an HTTP/2 stream.
class Http2Exchange final : public Exchange {
public:
    Http2Exchange(std::shared_ptr<Http2Session> session, std::shared_ptr<Http2Stream> stream)
        : session_(std::move(session)), stream_(std::move(stream)) {}

    Connection& connection() override { return session_->connection(); }
    const Request& request() const override { return stream_->request; }
    std::string_view protocol() const override { return "HTTP/2"; }
    std::uint32_t stream_id() const override { return static_cast<std::uint32_t>(stream_->id); }
    bool finished() const { return stream_->output_ended; }
    // A response cut short: whatever head the route started goes out anyway.
    void submit_started_head() {
        if (started_ && !stream_->closed && !session_->dead()) submit(!bodiless_);
    }

    awaitable<bool> read_body(std::string& out) override {
        out.clear();
        for (;;) {
            if (!stream_->input.empty()) {
                out.swap(stream_->input);
                if (!stream_->closed && !session_->dead()) {
                    // Only now may the client send more: the window follows consumption.
                    nghttp2_session_consume(session_->session(), stream_->id, out.size());
                    session_->wake_writer();
                }
                co_return true;
            }
            if (stream_->input_ended) co_return false;
            check_open();
            co_await wait();
        }
    }

    awaitable<void> interim(int status) override {
        check_open();
        HeaderBlock block;
        block.add(":status", std::to_string(status));
        block.add("server", "httpxx-testserver");
        const auto nv = block.nv();
        nghttp2_submit_headers(session_->session(), NGHTTP2_FLAG_NONE, stream_->id, nullptr,
                               nv.data(), nv.size(), nullptr);
        session_->wake_writer();
        co_return;
    }

    awaitable<void> start(const Response& head) override {
        check_open();
        head_ = head;
        started_ = true;
        bodiless_ = is_head() || head.bodiless_status() || head.status == 101;
        co_return;
    }

    awaitable<void> body(std::string_view data) override {
        check_open();
        if (!started_) throw std::logic_error("body() before start()");
        if (bodiless_ || data.empty()) co_return;
        submit(true);
        if (stream_->output_offset > 0) {  // drop what nghttp2 has pulled already
            stream_->output.erase(0, stream_->output_offset);
            stream_->output_offset = 0;
        }
        stream_->output.append(data);
        nghttp2_session_resume_data(session_->session(), stream_->id);
        session_->wake_writer();
        while (stream_->pending_output() >= kStreamBuffer) {
            check_open();
            co_await wait();
        }
    }

    awaitable<void> begin_chunk(std::uint64_t) override { co_return; }

    awaitable<After> finish() override {
        const Fields none;
        co_return co_await finish_with_trailers(none);
    }

    awaitable<After> finish_with_trailers(const Fields& trailers) override {
        check_open();
        if (!started_) throw std::logic_error("finish() before start()");
        stream_->output_ended = true;
        if (!stream_->submitted) {
            submit(!bodiless_ && !trailers.empty());
        }
        if (!bodiless_) stream_->trailers = trailers;
        nghttp2_session_resume_data(session_->session(), stream_->id);
        session_->wake_writer();
        co_return head_.close ? After::close : After::keep_alive;
    }

    awaitable<void> sleep_until(std::chrono::steady_clock::time_point when) override {
        check_open();
        stream_->sleeper.expires_at(when);
        error_code ec;
        co_await stream_->sleeper.async_wait(asio::redirect_error(use_awaitable, ec));
        check_open();
    }

    awaitable<void> write_raw(std::string_view bytes) override {
        check_open();
        const std::uint64_t target = session_->queue_raw(bytes);
        stream_->awaiting_write = true;
        while (session_->raw_written() < target && !stream_->closed) {
            if (session_->dead()) throw StreamClosed();
            co_await wait();
        }
        stream_->awaiting_write = false;
    }

    awaitable<After> reset_stream(std::uint32_t code) override {
        check_open();
        if (started_ && !stream_->submitted) submit(!bodiless_);
        // What was sent of the response goes out first, then the reset.
        while (stream_->submitted && (!stream_->headers_sent || stream_->pending_output() > 0)) {
            check_open();
            co_await wait();
        }
        nghttp2_submit_rst_stream(session_->session(), NGHTTP2_FLAG_NONE, stream_->id, code);
        session_->wake_writer();
        co_return After::keep_alive;
    }

    awaitable<void> goaway(std::uint32_t code, std::uint32_t last_stream_id, bool close) override {
        check_open();
        session_->goaway(code, static_cast<std::int32_t>(last_stream_id), close);
        co_return;
    }

private:
    void check_open() const {
        if (stream_->closed || session_->dead()) throw StreamClosed();
    }

    awaitable<void> wait() {
        stream_->signal.expires_at(std::chrono::steady_clock::time_point::max());
        error_code ignored;
        co_await stream_->signal.async_wait(asio::redirect_error(use_awaitable, ignored));
    }

    // Hands the response HEADERS to nghttp2, with a data source unless the stream ends there.
    void submit(bool with_body) {
        if (stream_->submitted) return;
        stream_->submitted = true;
        HeaderBlock block;
        if (!head_.omit_status) block.add(":status", std::to_string(head_.status));
        block.add("server", "httpxx-testserver");
        for (const auto& [name, value] : head_.fields) {
            if (!connection_specific(lower(name))) block.add(name, value);
        }
        if (head_.content_length) {
            block.add("content-length", std::to_string(*head_.content_length));
        }
        for (const auto& [name, value] : head_.raw_fields) {
            block.add_verbatim(session_->keep_name(name), value);
        }
        const auto nv = block.nv();
        if (with_body) {
            nghttp2_data_provider provider = session_->data_provider(*stream_);
            nghttp2_submit_response(session_->session(), stream_->id, nv.data(), nv.size(),
                                    &provider);
        } else {
            nghttp2_submit_response(session_->session(), stream_->id, nv.data(), nv.size(),
                                    nullptr);
        }
        session_->wake_writer();
    }

    std::shared_ptr<Http2Session> session_;
    std::shared_ptr<Http2Stream> stream_;
    Response head_;
    bool started_ = false;
    bool bodiless_ = false;
};

awaitable<void> Http2Session::run_stream(std::shared_ptr<Http2Session> self,
                                         std::shared_ptr<Http2Stream> stream) {
    Http2Exchange ex(self, stream);
    After after = After::keep_alive;
    bool bad_request = false;
    try {
        after = co_await route(ex);
    } catch (const BadRequest&) {
        bad_request = true;
    } catch (const std::exception&) {
        co_return;  // the stream or the connection closed under the route
    }
    if (self->dead_ || after == After::closed) co_return;
    if (bad_request || !ex.finished()) {
        if (after == After::close && !bad_request) {
            ex.submit_started_head();
            self->close_after_flush();  // a response cut short on purpose
        } else if (!stream->closed) {
            nghttp2_submit_rst_stream(self->session_, NGHTTP2_FLAG_NONE, stream->id,
                                      NGHTTP2_INTERNAL_ERROR);
            self->wake_writer();
        }
        co_return;
    }
    if (after == After::close) self->graceful_goaway();
    try {
        co_await ex.drain();  // keeps the connection window open while the client ends its body
    } catch (const std::exception&) {
    }
}

}  // namespace

awaitable<void> serve_http2(std::shared_ptr<Connection> connection) {
    auto session = std::make_shared<Http2Session>(std::move(connection));
    co_await session->run();
}

}  // namespace httpx::testing::detail
