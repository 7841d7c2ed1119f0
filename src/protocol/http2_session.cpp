#include "protocol/http2_session.hpp"

#include "httpx/exceptions.hpp"
#include "protocol/header_rules.hpp"

#include <nghttp2/nghttp2.h>

#include <algorithm>
#include <array>
#include <charconv>
#include <cstdint>
#include <cstring>
#include <limits>
#include <vector>

namespace httpx::protocol {

Http2Events::~Http2Events() = default;

std::string http2_error_name(std::uint32_t code) {
    // nghttp2 names the codes it knows; "unknown" for the others.
    std::string name = nghttp2_http2_strerror(code);
    if (name.empty() || name == "unknown") {
        char hex[16];
        auto end = std::to_chars(hex, hex + sizeof hex, code, 16).ptr;
        return "unknown error code 0x" + std::string(hex, end);
    }
    return name;
}

namespace {

std::string_view view(const std::uint8_t* data, std::size_t size) {
    return {reinterpret_cast<const char*>(data), size};
}

char lower(char c) noexcept {
    return (c >= 'A' && c <= 'Z') ? static_cast<char>(c + ('a' - 'A')) : c;
}

// Fields HTTP/2 forbids (RFC 9113 §8.2.2): they describe the HTTP/1.1 connection.
bool is_connection_specific(std::string_view lowered) noexcept {
    return lowered == "connection" || lowered == "keep-alive" || lowered == "proxy-connection" ||
           lowered == "transfer-encoding" || lowered == "upgrade";
}

}  // namespace

// The header block being received: blocks (HEADERS + CONTINUATION) never interleave, so one
// accumulator serves every stream.
struct HeaderBlock {
    std::int32_t stream_id = 0;
    int status = 0;  // 0: no :status (trailers)
    Headers fields;
};

struct Http2ClientSession::Impl {
    Http2Events& events;
    nghttp2_session* session = nullptr;
    HeaderBlock block;
    std::string local_error;
    std::string last_library_error;
    std::string pending_output;  // frames taken out of nghttp2 by receive(), for send()
    // Frame headers go to nghttp2 whole (see receive()): the start of one cut by a read, and
    // how many bytes of the current frame's payload are still to come.
    std::string partial_frame_header;
    std::size_t frame_payload_left = 0;
    bool goaway_received = false;
    std::int32_t last_reset_received = 0;  // stream of the last RST_STREAM from the server
    bool terminating = false;
    // Requests whose HEADERS nghttp2 still holds (the server's stream limit is reached), in
    // stream id order. nghttp2 only looks at them again when a stream closes: with
    // SETTINGS_MAX_CONCURRENT_STREAMS 0 never, not even to refuse them after a GOAWAY. So
    // the session closes them itself (reset, GOAWAY) and ignores nghttp2's later word on them.
    std::vector<std::int32_t> queued;
    std::vector<std::int32_t> closed_while_queued;
    std::vector<std::string> lowered_names;  // scratch for submit_request
    std::vector<nghttp2_nv> nva;             // scratch for submit_request

    explicit Impl(Http2Events& e) : events(e) {}
    ~Impl() { nghttp2_session_del(session); }

    // Removes `id` from `ids`; returns whether it was there.
    static bool forget(std::vector<std::int32_t>& ids, std::int32_t id) {
        auto it = std::find(ids.begin(), ids.end(), id);
        if (it == ids.end()) return false;
        ids.erase(it);
        return true;
    }
    // Reports a request still in nghttp2's queue closed now, and that nghttp2 closing it
    // later is not news.
    void close_queued(std::int32_t id, std::uint32_t code, bool by_server) {
        forget(queued, id);
        closed_while_queued.push_back(id);
        events.on_stream_close(id, code, by_server);
    }
};

struct Http2ClientSession::Callbacks {
    static Impl& impl(void* user_data) { return *static_cast<Impl*>(user_data); }

    static int on_begin_headers(nghttp2_session*, const nghttp2_frame* frame, void* user_data) {
        HeaderBlock& block = impl(user_data).block;
        block.stream_id = frame->hd.stream_id;
        block.status = 0;
        block.fields.clear();
        return 0;
    }

    static int on_header(nghttp2_session* session, const nghttp2_frame* frame,
                         const std::uint8_t* name, std::size_t name_length,
                         const std::uint8_t* value, std::size_t value_length, std::uint8_t,
                         void* user_data) {
        HeaderBlock& block = impl(user_data).block;
        if (frame->hd.type != NGHTTP2_HEADERS || frame->hd.stream_id != block.stream_id) return 0;
        std::string_view n = view(name, name_length), v = view(value, value_length);
        if (n == ":status") {
            // nghttp2 has checked it is three digits, but lets 000-099 through: nghttp2 takes
            // them for final responses, which would deliver a body to a stream without a head.
            std::from_chars(v.data(), v.data() + v.size(), block.status);
            if (block.status < 100) {
                nghttp2_submit_rst_stream(session, NGHTTP2_FLAG_NONE, block.stream_id,
                                          NGHTTP2_PROTOCOL_ERROR);
                return NGHTTP2_ERR_TEMPORAL_CALLBACK_FAILURE;
            }
            return 0;
        }
        if (!n.empty() && n.front() == ':') return 0;
        block.fields.add(std::string(n), std::string(v));
        return 0;
    }

    static int on_frame_recv(nghttp2_session* session, const nghttp2_frame* frame,
                             void* user_data) {
        Impl& self = impl(user_data);
        const std::int32_t id = frame->hd.stream_id;
        const bool end_stream = (frame->hd.flags & NGHTTP2_FLAG_END_STREAM) != 0;
        switch (frame->hd.type) {
            case NGHTTP2_HEADERS: {
                HeaderBlock& block = self.block;
                if (block.stream_id != id) break;
                if (block.status == 0) {
                    self.events.on_trailers(id, std::move(block.fields));
                } else if (block.status >= 200) {
                    self.events.on_response_head(id, block.status, std::move(block.fields));
                }
                block = HeaderBlock{};
                if (end_stream) self.events.on_response_end(id);
                break;
            }
            case NGHTTP2_DATA:
                if (end_stream) self.events.on_response_end(id);
                break;
            case NGHTTP2_SETTINGS:
                if (!(frame->hd.flags & NGHTTP2_FLAG_ACK)) {
                    self.events.on_settings(nghttp2_session_get_remote_settings(
                        session, NGHTTP2_SETTINGS_MAX_CONCURRENT_STREAMS));
                }
                break;
            case NGHTTP2_RST_STREAM:
                self.last_reset_received = id;
                break;
            case NGHTTP2_GOAWAY:
                self.goaway_received = true;
                self.events.on_goaway(frame->goaway.last_stream_id, frame->goaway.error_code);
                // Requests that never went out never will: refused (nghttp2 refuses them only
                // when the stream limit lets them out of its queue, maybe never).
                while (!self.queued.empty())
                    self.close_queued(self.queued.front(), NGHTTP2_REFUSED_STREAM, true);
                break;
            default:
                break;
        }
        return 0;
    }

    static int on_data_chunk(nghttp2_session* session, std::uint8_t, std::int32_t stream_id,
                             const std::uint8_t* data, std::size_t length, void* user_data) {
        // The connection window is given back at once; the stream's when the application
        // consumes the bytes (see Http2Config).
        nghttp2_session_consume_connection(session, length);
        impl(user_data).events.on_data(stream_id, view(data, length));
        return 0;
    }

    static int on_stream_close(nghttp2_session*, std::int32_t stream_id, std::uint32_t error_code,
                               void* user_data) {
        // Also for a request whose HEADERS never went out: REFUSED_STREAM when the server's GOAWAY
        // came first (it may be sent again elsewhere), else the code it was reset with.
        Impl& self = impl(user_data);
        if (self.forget(self.closed_while_queued, stream_id)) return 0;  // reported already
        self.forget(self.queued, stream_id);
        // Closed by the server's RST_STREAM, or refused by its GOAWAY; else by us.
        const bool by_server = self.last_reset_received == stream_id ||
                               error_code == NGHTTP2_REFUSED_STREAM ||
                               error_code == NGHTTP2_NO_ERROR;
        self.events.on_stream_close(stream_id, error_code, by_server);
        return 0;
    }

    static int on_frame_send(nghttp2_session*, const nghttp2_frame* frame, void* user_data) {
        Impl& self = impl(user_data);
        // A request's HEADERS went out (the first of the queue: they go out in order).
        if (frame->hd.type == NGHTTP2_HEADERS && !self.queued.empty())
            self.forget(self.queued, frame->hd.stream_id);
        if (frame->hd.type == NGHTTP2_GOAWAY && frame->goaway.error_code != NGHTTP2_NO_ERROR &&
            self.local_error.empty()) {
            self.local_error = http2_error_name(frame->goaway.error_code);
            if (!self.last_library_error.empty())
                self.local_error += ": " + self.last_library_error;
        }
        return 0;
    }

    static int on_error(nghttp2_session*, int, const char* message, std::size_t length,
                        void* user_data) {
        impl(user_data).last_library_error.assign(message, length);
        return 0;
    }

    static ssize_t read_body(nghttp2_session*, std::int32_t stream_id, std::uint8_t* buffer,
                             std::size_t length, std::uint32_t* flags, nghttp2_data_source*,
                             void* user_data) {
        bool end = false;
        const std::size_t n =
            impl(user_data).events.read_body(stream_id, std::span(buffer, length), end);
        if (end) *flags |= NGHTTP2_DATA_FLAG_EOF;
        if (n == 0 && !end) return NGHTTP2_ERR_DEFERRED;
        return static_cast<ssize_t>(n);
    }
};

Http2ClientSession::Http2ClientSession(Http2Events& events, Http2Config config)
    : impl_(std::make_unique<Impl>(events)) {
    nghttp2_session_callbacks* callbacks = nullptr;
    if (nghttp2_session_callbacks_new(&callbacks) != 0) throw std::bad_alloc();
    nghttp2_session_callbacks_set_on_begin_headers_callback(callbacks, Callbacks::on_begin_headers);
    nghttp2_session_callbacks_set_on_header_callback(callbacks, Callbacks::on_header);
    nghttp2_session_callbacks_set_on_frame_recv_callback(callbacks, Callbacks::on_frame_recv);
    nghttp2_session_callbacks_set_on_data_chunk_recv_callback(callbacks, Callbacks::on_data_chunk);
    nghttp2_session_callbacks_set_on_stream_close_callback(callbacks, Callbacks::on_stream_close);
    nghttp2_session_callbacks_set_on_frame_send_callback(callbacks, Callbacks::on_frame_send);
    nghttp2_session_callbacks_set_error_callback2(callbacks, Callbacks::on_error);

    nghttp2_option* option = nullptr;
    if (nghttp2_option_new(&option) != 0) {
        nghttp2_session_callbacks_del(callbacks);
        throw std::bad_alloc();
    }
    // Window updates follow the application's consumption (consume()), not the arrival.
    nghttp2_option_set_no_auto_window_update(option, 1);
    nghttp2_option_set_max_send_header_block_length(option, 256 * 1024);
    const int rv = nghttp2_session_client_new2(&impl_->session, callbacks, impl_.get(), option);
    nghttp2_option_del(option);
    nghttp2_session_callbacks_del(callbacks);
    if (rv != 0) throw std::bad_alloc();

    // SETTINGS_NO_RFC7540_PRIORITIES (RFC 9218): the client sends no RFC 7540 priorities, and
    // nghttp2 then sends request bodies oldest stream first. Its RFC 7540 scheduler puts every
    // stream's first DATA frame ahead of the streams that already sent one (a frame costs a
    // stream 16 times its length in virtual time; a new stream starts at the current time): on a
    // connection whose send window is scarce (64 KiB granted per round trip, the round trip
    // behind megabytes of response data), a steady supply of new uploads took every window and
    // kept older ones waiting into their read timeout. A server that does not know the setting
    // ignores it (RFC 9113 §6.5.2).
    const std::array<nghttp2_settings_entry, 4> settings{{
        {NGHTTP2_SETTINGS_ENABLE_PUSH, 0},
        {NGHTTP2_SETTINGS_INITIAL_WINDOW_SIZE, config.stream_window},
        {NGHTTP2_SETTINGS_MAX_HEADER_LIST_SIZE, config.max_header_list_size},
        {NGHTTP2_SETTINGS_NO_RFC7540_PRIORITIES, 1},
    }};
    nghttp2_submit_settings(impl_->session, NGHTTP2_FLAG_NONE, settings.data(), settings.size());
    nghttp2_session_set_local_window_size(impl_->session, NGHTTP2_FLAG_NONE, 0,
                                          static_cast<std::int32_t>(config.connection_window));
}

Http2ClientSession::~Http2ClientSession() = default;

namespace {

constexpr std::size_t kFrameHeaderSize = 9;

std::size_t frame_payload_length(std::string_view header) {
    const auto byte = [&](std::size_t i) {
        return static_cast<std::size_t>(static_cast<unsigned char>(header[i]));
    };
    return byte(0) << 16 | byte(1) << 8 | byte(2);
}

}  // namespace

void Http2ClientSession::receive(std::string_view data) {
    // nghttp2 counts a CONTINUATION frame once per call that delivers a piece of its 9-byte
    // header, and fails the connection after 8 per header block: how reads cut the bytes would
    // decide whether a response fails. So a frame header cut by a read waits for the next one.
    Impl& self = *impl_;
    auto feed = [&](std::string_view bytes) {
        const auto* begin = reinterpret_cast<const std::uint8_t*>(bytes.data());
        return nghttp2_session_mem_recv(self.session, begin, bytes.size());
    };
    ssize_t rv = 0;
    if (!self.partial_frame_header.empty()) {
        const auto take =
            std::min(kFrameHeaderSize - self.partial_frame_header.size(), data.size());
        self.partial_frame_header.append(data.substr(0, take));
        data.remove_prefix(take);
        if (self.partial_frame_header.size() < kFrameHeaderSize) return;
        self.frame_payload_left = frame_payload_length(self.partial_frame_header);
        rv = feed(self.partial_frame_header);
        self.partial_frame_header.clear();
    }
    if (rv >= 0) {
        // Where the last frame header that `data` holds whole ends.
        std::size_t whole = self.frame_payload_left;
        while (whole < data.size() && data.size() - whole >= kFrameHeaderSize)
            whole += kFrameHeaderSize + frame_payload_length(data.substr(whole));
        if (whole < data.size()) {
            self.partial_frame_header.assign(data.substr(whole));
            data = data.substr(0, whole);
            self.frame_payload_left = 0;
        } else {
            self.frame_payload_left = whole - data.size();
        }
        if (!data.empty()) rv = feed(data);
    }
    if (rv < 0) {
        std::string reason = nghttp2_strerror(static_cast<int>(rv));
        if (!self.last_library_error.empty()) reason += ": " + self.last_library_error;
        if (self.local_error.empty()) self.local_error = reason;
    } else if (self.local_error.empty() && !self.terminating && self.goaway_received) {
        // After the server's GOAWAY, whether nghttp2 also found a connection error (it then
        // ignores every later byte: the streams left would wait forever) shows only in the
        // frames it queued: its own GOAWAY, seen by on_frame_send. Take them out now.
        if (nghttp2_session_want_write(self.session)) take_frames(self.pending_output, SIZE_MAX);
    } else if (self.local_error.empty() && !self.terminating &&
               !nghttp2_session_check_request_allowed(self.session) &&
               nghttp2_session_get_next_stream_id(self.session) <= INT32_MAX) {
        // No new request allowed although nobody said GOAWAY yet: nghttp2 found a connection
        // error and queued GOAWAY. Take that frame out now, so that the error is known by its
        // code name (on_frame_send) and still goes to the server.
        take_frames(self.pending_output, SIZE_MAX);
        if (self.local_error.empty())
            self.local_error = self.last_library_error.empty() ? std::string("connection error")
                                                               : self.last_library_error;
    }
    if (!self.local_error.empty())
        throw RemoteProtocolError("HTTP/2 protocol error: " + self.local_error);
}

void Http2ClientSession::take_frames(std::string& out, std::size_t limit) {
    while (out.size() < limit) {
        const std::uint8_t* data = nullptr;
        const ssize_t n = nghttp2_session_mem_send(impl_->session, &data);
        if (n <= 0) break;  // nothing ready (errors are fatal only on out-of-memory)
        out.append(reinterpret_cast<const char*>(data), static_cast<std::size_t>(n));
    }
}

std::size_t Http2ClientSession::send(std::string& out, std::size_t limit) {
    const std::size_t before = out.size();
    if (!impl_->pending_output.empty()) {
        out += impl_->pending_output;
        impl_->pending_output.clear();
    }
    take_frames(out, limit);
    return out.size() - before;
}

bool Http2ClientSession::wants_write() const {
    return !impl_->pending_output.empty() || nghttp2_session_want_write(impl_->session) != 0;
}

bool Http2ClientSession::is_done() const {
    return nghttp2_session_want_read(impl_->session) == 0 && !wants_write();
}

std::int32_t Http2ClientSession::submit_request(const Http2RequestHead& head,
                                                const Headers& headers, bool has_body) {
    if (!is_token(head.method)) throw LocalProtocolError("Illegal method " + escaped(head.method));
    if (!is_visible_ascii(head.path))
        throw LocalProtocolError("Illegal target " + escaped(head.path));

    std::string_view authority = head.authority;
    auto& names = impl_->lowered_names;
    names.clear();
    names.reserve(headers.size());
    for (const auto& [name, value] : headers) {
        std::string lowered(name.size(), '\0');
        std::transform(name.begin(), name.end(), lowered.begin(), lower);
        if (!is_token(lowered)) throw LocalProtocolError("Illegal header name " + escaped(name));
        if (!is_valid_field_value(value)) {
            throw LocalProtocolError("Illegal header value for " + escaped(name) + ": " +
                                     escaped(value));
        }
        names.push_back(std::move(lowered));
    }
    if (!is_valid_field_value(authority) || authority.find(' ') != std::string_view::npos)
        throw LocalProtocolError("Illegal authority " + escaped(authority));

    auto& nva = impl_->nva;
    nva.clear();
    nva.reserve(headers.size() + 4);
    auto add = [&](std::string_view name, std::string_view value, std::uint8_t flags) {
        nva.push_back(nghttp2_nv{reinterpret_cast<std::uint8_t*>(const_cast<char*>(name.data())),
                                 reinterpret_cast<std::uint8_t*>(const_cast<char*>(value.data())),
                                 name.size(), value.size(), flags});
    };
    std::size_t i = 0;
    for (const auto& [name, value] : headers) {
        if (names[i++] == "host") authority = value;  // Host becomes :authority
    }
    add(":method", head.method, NGHTTP2_NV_FLAG_NONE);
    add(":scheme", head.scheme, NGHTTP2_NV_FLAG_NONE);
    add(":authority", authority, NGHTTP2_NV_FLAG_NONE);
    add(":path", head.path, NGHTTP2_NV_FLAG_NONE);
    i = 0;
    for (const auto& [name, value] : headers) {
        const std::string& lowered = names[i++];
        if (lowered == "host" || is_connection_specific(lowered)) continue;
        if (lowered == "te" && !iequals(value, "trailers")) continue;
        // Credentials stay out of the compression tables (HPACK's "never indexed").
        const bool secret =
            lowered == "authorization" || lowered == "proxy-authorization" || lowered == "cookie";
        add(lowered, value, secret ? NGHTTP2_NV_FLAG_NO_INDEX : NGHTTP2_NV_FLAG_NONE);
    }

    nghttp2_data_provider provider{};
    provider.read_callback = Callbacks::read_body;
    const std::int32_t id = nghttp2_submit_request(impl_->session, nullptr, nva.data(), nva.size(),
                                                   has_body ? &provider : nullptr, nullptr);
    if (id < 0) {
        throw RemoteProtocolError(std::string("Cannot open an HTTP/2 stream: ") +
                                  nghttp2_strerror(id));
    }
    impl_->queued.push_back(id);  // until its HEADERS go out
    return id;
}

void Http2ClientSession::resume_body(std::int32_t stream_id) {
    nghttp2_session_resume_data(impl_->session, stream_id);
}

void Http2ClientSession::consume(std::int32_t stream_id, std::size_t size) {
    nghttp2_session_consume_stream(impl_->session, stream_id, size);
}

void Http2ClientSession::set_stream_window(std::int32_t stream_id, std::uint32_t size) {
    // Fails only for a stream nghttp2 no longer knows (closed): nothing to grant then.
    nghttp2_session_set_local_window_size(impl_->session, NGHTTP2_FLAG_NONE, stream_id,
                                          static_cast<std::int32_t>(std::min<std::uint32_t>(
                                              size, std::numeric_limits<std::int32_t>::max())));
}

void Http2ClientSession::reset_stream(std::int32_t stream_id, Http2Error code) {
    // nghttp2 drops a queued request's HEADERS (no RST_STREAM then), but only when the stream
    // limit lets it out of its queue: the stream is over for us now.
    nghttp2_submit_rst_stream(impl_->session, NGHTTP2_FLAG_NONE, stream_id,
                              static_cast<std::uint32_t>(code));
    if (std::find(impl_->queued.begin(), impl_->queued.end(), stream_id) != impl_->queued.end())
        impl_->close_queued(stream_id, static_cast<std::uint32_t>(code), false);
}

void Http2ClientSession::ping() {
    nghttp2_submit_ping(impl_->session, NGHTTP2_FLAG_NONE, nullptr);
}

void Http2ClientSession::terminate() {
    impl_->terminating = true;
    nghttp2_session_terminate_session(impl_->session, NGHTTP2_NO_ERROR);
}

std::uint32_t Http2ClientSession::remote_max_concurrent_streams() const {
    return nghttp2_session_get_remote_settings(impl_->session,
                                               NGHTTP2_SETTINGS_MAX_CONCURRENT_STREAMS);
}

const std::string& Http2ClientSession::local_error() const noexcept {
    return impl_->local_error;
}

}  // namespace httpx::protocol
