// Observability: the "trace" request extension (httpcore's `extensions["trace"]`), which reports
// each step of a request on its connection as it happens, and the library's logging (HTTPX's
// "httpx" and "httpcore.*" loggers).
#pragma once

#include <cstdint>
#include <exception>
#include <functional>
#include <optional>
#include <string_view>

namespace httpx {

class Headers;
class Request;
struct TLSInfo;

/// What a trace event reports: httpcore's `info` dict, as fields. An event fills the fields
/// its step has and leaves the others empty (null, 0, ""); the views and pointers are valid
/// during the callback only (copy what you keep).
///
/// | event                                          | fields                                  |
/// | ---------------------------------------------- | --------------------------------------- |
/// | connection.connect_tcp.started                 | host, port, local_address, timeout      |
/// | connection.connect_tcp.complete                | server_address/port, client_address/port|
/// | connection.connect_unix_socket.started         | path, timeout                           |
/// | connection.connect_unix_socket.complete        | path                                    |
/// | connection.start_tls.started                   | server_hostname, timeout                |
/// | connection.start_tls.complete                  | tls, server_address/port                |
/// | http11.send_request_headers.started (and       | request                                 |
/// |   send_request_body, receive_response_headers, |                                         |
/// |   receive_response_body)                       |                                         |
/// | http11.receive_response_headers.complete       | http_version, status_code,              |
/// |                                                | reason_phrase, headers                  |
/// | http11.response_closed.started                 | (nothing)                               |
/// | http2.send_connection_init.started             | request                                 |
/// | http2.send_request_headers.started (and the    | request, stream_id                      |
/// |   other send/receive steps)                    |                                         |
/// | http2.receive_response_headers.complete        | status_code, headers, stream_id         |
/// | http2.response_closed.started                  | stream_id                               |
/// | any *.failed                                   | exception (and the step's started       |
/// |                                                | fields that identify it: stream_id)     |
struct TraceInfo {
    /// The request as it goes on the wire: its method, URL (`url().raw_path()` is what the
    /// request line carries) and headers, Host included (for HTTP/2 the pseudo-headers are
    /// made from them and the names sent lower-cased).
    const Request* request = nullptr;
    /// HTTP/2: the stream of the request.
    std::optional<std::int32_t> stream_id{};

    /// connect_tcp.started: where the connection goes (the URL's host, before resolution) and
    /// the address it binds to (the transport's `local_address`, "" for any).
    std::string_view host{};
    std::uint16_t port = 0;
    std::string_view local_address{};
    /// connect_unix_socket: the socket's path (the transport's `uds`).
    std::string_view path{};
    /// connect_*.started, start_tls.started: the connect timeout in seconds (none: nullopt).
    std::optional<double> timeout{};
    /// start_tls.started: the name sent as SNI and verified (the "sni_hostname" extension or
    /// the URL's host).
    std::string_view server_hostname{};

    /// connect_tcp.complete, start_tls.complete: the peer's IP address and port (httpcore's
    /// `get_extra_info("server_addr")`), and ours (`"client_addr"`).
    std::string_view server_address{};
    std::uint16_t server_port = 0;
    std::string_view client_address{};
    std::uint16_t client_port = 0;
    /// start_tls.complete: what the handshake negotiated (version, cipher, ALPN, certificate).
    const TLSInfo* tls = nullptr;

    /// receive_response_headers.complete: the response head, headers as received.
    /// `http_version` is "HTTP/1.1" or "HTTP/1.0"; HTTP/2 has no reason phrase ("").
    std::string_view http_version{};
    int status_code = 0;
    std::string_view reason_phrase{};
    const Headers* headers = nullptr;

    /// *.failed: why the step failed (an httpx exception: ConnectError, ReadTimeout, ...).
    std::exception_ptr exception{};
};

/// A trace callback: `event` is httpcore's name ("connection.connect_tcp.started",
/// "http11.receive_response_headers.complete", ...). Set it as a request's extension:
///
///     httpx::RequestOptions options;
///     options.extensions["trace"] = httpx::TraceCallback(
///         [](std::string_view event, const httpx::TraceInfo& info) { ... });
///
/// (the extension must hold a `TraceCallback`, not a bare lambda: the request throws
/// `std::invalid_argument` otherwise).
///
/// Each step reports `NAME.started`, then `NAME.complete` or `NAME.failed`, as httpcore does:
/// - `connection.connect_tcp` (or `connection.connect_unix_socket`), each connect attempt;
///   `connection.start_tls` over https. Only when the request opens a new connection: a
///   request on a pooled connection has no connection.* events. (Proxies will add `proxy.*`.)
/// - HTTP/1.1: `http11.send_request_headers`, `http11.send_request_body`,
///   `http11.receive_response_headers`, `http11.receive_response_body` (started when the body is
///   first read, complete at its end), `http11.response_closed` (when the response is closed).
/// - HTTP/2: `http2.send_connection_init` (first request of a connection), then
///   `http2.send_request_headers`, `http2.send_request_body`, `http2.receive_response_headers`,
///   `http2.receive_response_body`, `http2.response_closed`.
///
/// The callback runs on the request's executor, in the middle of the request: keep it short,
/// and post anything slow elsewhere. There is no awaitable form (httpcore's async callback):
/// it would cost each step a coroutine frame even for requests without a trace. An exception
/// thrown by the callback ends the request: the connection it was on is closed (an HTTP/1.1
/// connection is never reused; an HTTP/2 stream is reset, its connection serves on), no further
/// events are reported, and the caller gets the callback's exception as thrown; the client
/// stays usable. Two exceptions: what the callback throws for a `.failed` event is dropped (the
/// request fails with its own error), and so is what it throws for `response_closed`, which
/// may run when a response is destroyed.
///
/// Without a callback (and with logging below DEBUG) no event is made: no allocation, no
/// string built.
using TraceCallback = std::function<void(std::string_view event, const TraceInfo& info)>;

/// Levels of the library's log lines, with Python's numbers.
enum class LogLevel : int {
    trace = 5,   ///< everything DEBUG logs (finer lines may come later)
    debug = 10,  ///< "httpcore.connection", "httpcore.http11", "httpcore.http2": each step
    info = 20,   ///< "httpx": a line per response
    warning = 30,
    error = 40,
};

/// "TRACE", "DEBUG", "INFO", "WARNING", "ERROR" (Python's level names).
std::string_view to_string(LogLevel level) noexcept;

/// Receives a log line: its level, its logger ("httpx", "httpcore.connection",
/// "httpcore.http11", "httpcore.http2") and its message, as HTTPX and httpcore word them:
///   INFO  httpx               HTTP Request: GET https://example.org/ "HTTP/1.1 200 OK"
///   DEBUG httpcore.connection connect_tcp.started host='example.org' port=443
///                             local_address=None timeout=5.0 socket_options=None
///   DEBUG httpcore.http11     receive_response_headers.complete return_value=(b'HTTP/1.1',
///                             200, b'OK', [(b'Content-Type', b'text/plain'), ...])
/// It may be called from any thread that runs requests, and from several at once.
using LogHandler =
    std::function<void(LogLevel level, std::string_view logger, std::string_view message)>;

/// Sends the library's log lines of `min_level` and above to `handler` (Python's
/// `logging.getLogger("httpx").setLevel(...)` plus a handler), from now on. An empty handler
/// turns it off again (back to HTTPXX_LOG, below). Thread-safe: each line goes to the old
/// handler or the new one (a call already under way on another thread may finish after this
/// returns: the old handler is kept alive until then).
///
/// Without a handler nothing is logged unless the environment variable HTTPXX_LOG is `info`,
/// `debug` or `trace` (read once, when the program starts): then lines of that level and above go
/// to stderr as Python's `logging.basicConfig()` prints them, `LEVEL:logger:message`
/// (`INFO:httpx:HTTP Request: GET https://example.org/ "HTTP/1.1 200 OK"`).
///
/// Off (and without a trace callback), a request pays a look-up of its "trace" extension and
/// a few relaxed atomic loads: no event is made, no line formatted, nothing allocated.
void set_log_handler(LogHandler handler, LogLevel min_level = LogLevel::debug);

}  // namespace httpx
