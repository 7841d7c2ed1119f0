// The client side of an HTTP/2 connection (sans-I/O) over nghttp2's session: bytes in with
// `receive()`, frames out with `send()`, events reported to an `Http2Events` listener. No
// sockets, no coroutines, no locking: the connection layer drives it. nghttp2 stays in the .cpp.
#pragma once

#include <httpx/headers.hpp>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>

namespace httpx::protocol {

/// HTTP/2 error codes (RFC 9113 §7) the client uses by name.
enum class Http2Error : std::uint32_t {
    no_error = 0x0,
    protocol_error = 0x1,
    internal_error = 0x2,
    refused_stream = 0x7,
    cancel = 0x8,
};

/// The name of an HTTP/2 error code ("PROTOCOL_ERROR"), or "unknown error code 0x..".
std::string http2_error_name(std::uint32_t code);

/// What the session reports while it reads frames (from `receive()`) and writes them (from
/// `send()`). Called synchronously from inside those calls; a callback must not call back into
/// the session's `receive()` or `send()`.
class Http2Events {
public:
    virtual ~Http2Events();
    /// The final response head of a stream; interim 1xx heads are skipped.
    virtual void on_response_head(std::int32_t stream_id, int status, Headers headers) = 0;
    /// Response body bytes (flow-controlled: call `consume()` once the application has them).
    virtual void on_data(std::int32_t stream_id, std::string_view data) = 0;
    /// Trailer fields after the body.
    virtual void on_trailers(std::int32_t stream_id, Headers trailers) = 0;
    /// The server ended its side of the stream: the response is complete.
    virtual void on_response_end(std::int32_t stream_id) = 0;
    /// The stream is closed, with `error_code` 0 after a normal exchange, else the code of a
    /// RST_STREAM: received (`by_server`), or sent (by `reset_stream()`, or by the session
    /// itself when the server's response broke the rules). Streams a GOAWAY left unprocessed,
    /// and requests that could not be started (the server said GOAWAY first), close with
    /// REFUSED_STREAM (`by_server`): they may be sent again on another connection.
    virtual void on_stream_close(std::int32_t stream_id, std::uint32_t error_code,
                                 bool by_server) = 0;
    /// The server's SETTINGS arrived (the first ones, or a change).
    virtual void on_settings(std::uint32_t max_concurrent_streams) = 0;
    /// The server sent GOAWAY: no new streams; those above `last_stream_id`, and requests still
    /// held back by its stream limit, are closed with REFUSED_STREAM right after this call.
    virtual void on_goaway(std::int32_t last_stream_id, std::uint32_t error_code) = 0;
    /// Request body bytes for DATA frames: copies up to `buffer.size()` bytes and returns how
    /// many; sets `end` with the last ones. Returning 0 without `end` defers the body until
    /// `resume_body()`.
    virtual std::size_t read_body(std::int32_t stream_id, std::span<std::uint8_t> buffer,
                                  bool& end) = 0;
};

/// Windows and limits the client announces.
struct Http2Config {
    /// Per-stream receive window: at most this many body bytes of one response are ever
    /// buffered unconsumed (the server cannot send more until `consume()`).
    std::uint32_t stream_window = 1024 * 1024;
    /// Connection receive window. It is replenished as soon as bytes arrive, so that a slow
    /// stream never stalls the others: the per-stream windows bound the memory.
    std::uint32_t connection_window = 16 * 1024 * 1024;
    std::uint32_t max_header_list_size = 64 * 1024;
};

/// The pseudo-header fields of a request; every other field comes from the request's headers.
struct Http2RequestHead {
    std::string_view method;
    std::string_view scheme;
    std::string_view authority;  // used when the headers have no Host field
    std::string_view path;
};

class Http2ClientSession {
public:
    /// Queues the connection preface (client magic and SETTINGS: no push, the windows of
    /// `config`); `send()` yields it.
    explicit Http2ClientSession(Http2Events& events, Http2Config config = {});
    ~Http2ClientSession();
    Http2ClientSession(const Http2ClientSession&) = delete;
    Http2ClientSession& operator=(const Http2ClientSession&) = delete;

    /// Feeds bytes received from the server. Throws `httpx::RemoteProtocolError` when they break
    /// the protocol for the whole connection (the session then sends GOAWAY and is done);
    /// errors of a single stream close that stream instead.
    void receive(std::string_view data);
    /// Appends frames ready to go out to `out` until it holds `limit` bytes or more (or nothing
    /// is ready) and returns the number of bytes appended.
    std::size_t send(std::string& out, std::size_t limit);
    /// Whether `send()` has something to write.
    bool wants_write() const;
    /// Whether the connection is over: GOAWAY sent or received and nothing left to exchange.
    bool is_done() const;

    /// Opens a stream for a request and returns its id. The headers are lower-cased; Host
    /// becomes :authority; Connection, Keep-Alive, Proxy-Connection, Transfer-Encoding and
    /// Upgrade are dropped (HTTP/2 forbids them), and TE unless it is "trailers". With
    /// `has_body` the body is pulled through `Http2Events::read_body`, else HEADERS ends the
    /// stream. Throws `httpx::LocalProtocolError` for an invalid method, path or field
    /// (CR, LF, NUL or another control byte in a value, a name that is not a token); nothing
    /// is queued then. Throws `httpx::RemoteProtocolError` when no stream can be opened any more
    /// (GOAWAY, stream ids exhausted).
    std::int32_t submit_request(const Http2RequestHead& head, const Headers& headers,
                                bool has_body);
    /// More request body is available for a stream whose `read_body` deferred.
    void resume_body(std::int32_t stream_id);
    /// The application took `size` bytes of a stream's body: they may be sent again.
    void consume(std::int32_t stream_id, std::size_t size);
    /// Sets an open stream's receive window (its initial one is `Http2Config::stream_window`):
    /// at most `size` body bytes of it are then in flight or buffered unconsumed. A larger
    /// window is granted at once (WINDOW_UPDATE).
    void set_stream_window(std::int32_t stream_id, std::uint32_t size);
    /// Sends RST_STREAM (if the stream is still open). A request not yet sent (held back by the
    /// server's stream limit) is dropped instead and reported closed at once.
    void reset_stream(std::int32_t stream_id, Http2Error code);
    /// Queues a PING: a live server answers it at once (the answer counts as bytes received).
    void ping();
    /// Queues GOAWAY(NO_ERROR): the session is closing.
    void terminate();

    /// The server's SETTINGS_MAX_CONCURRENT_STREAMS (unlimited until its SETTINGS arrive).
    std::uint32_t remote_max_concurrent_streams() const;
    /// Why the session ended the connection itself (a GOAWAY it sent with an error), or "".
    const std::string& local_error() const noexcept;

    struct Callbacks;  // nghttp2's callbacks, in the .cpp

private:
    void take_frames(std::string& out, std::size_t limit);
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace httpx::protocol
