// The project's own test server: HTTP/1.1, and HTTP/2 when Options::http2 is set (over TLS by
// ALPN, over plain TCP with prior knowledge), used by the integration tests and by the demo. It
// runs on its own thread with its own io_context; its routes (routes.cpp) are listed below, and
// every route answers over both protocols. Some routes misbehave on purpose.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace httpx::testing {

// PEM files for a TLS server: the certificate chain (leaf first) and its private key.
struct TlsFiles {
    std::string cert_chain_file;
    std::string private_key_file;
    // When set, clients must present a certificate signed by this CA (mutual TLS).
    std::string client_ca_file{};
};

// The deterministic content of /bytes/{n}, /stream/{n}, /drip and friends: byte i of such a body
// is pattern_byte(i), a printable character repeating with a period of 61 (a prime, so that a
// body shifted by a whole I/O buffer does not look right by accident).
char pattern_byte(std::uint64_t index);
// `length` bytes of the pattern starting at `offset`.
std::string pattern(std::uint64_t offset, std::size_t length);

namespace detail {
struct ServerState;
}

// Routes (any method unless said otherwise; HEAD gets the head of the GET response):
//   /                        200 "Hello, world!"
//   /echo                    the request body, streamed back, with the request's Content-Type
//   /echo_headers            JSON object of the request headers (lower-case names, repeated
//                            fields joined with ", "); ?raw=1: JSON array of [name, value] as sent
//   /status/{code}           that status, empty body (3xx: Location: /; 1xx other than 101: sent
//                            as an interim response, followed by a 200 "Hello, world!")
//   /bytes/{n}               n pattern bytes with Content-Length, written in 64 KiB pieces
//   /stream/{n}?chunk=K      n pattern bytes, chunked in K-byte chunks (default 1024)
//   /range/{n}[?etag=E][&ignore=1][&ms=M&chunk=K]  n pattern bytes as a static file: ETag
//                            (default "pattern-n"), Last-Modified, Accept-Ranges; Range
//                            "bytes=A-[B]" -> 206 + Content-Range, past the end -> 416
//                            "bytes */n", If-Range not matching the ETag -> 200; ignore=1:
//                            Range ignored; K-byte pieces (default 64 KiB) M ms apart
//   /gzip[?n=N]              gzip body (Content-Encoding: gzip) of "Hello, world!" or of N
//                            pattern bytes
//   /slow?ms=N               waits N ms, then 200 "Hello, world!"
//   /drip?chunks=N&ms=M&size=S  N chunks of S pattern bytes (default 10), M ms apart
//   /redirect/{n}[?status=C][&absolute=1]  C (default 302) to /redirect/{n-1}; /redirect/0: 200
//   /upload                  reads the body, replies {"bytes": N, "chunked": bool}
//   /headers/close           200 with Connection: close, then closes
//   /http10[?n=N]            HTTP/1.0 response without Content-Length, close-delimited body
//   /misbehave/reset         reads the request, then closes abortively (RST)
//   /misbehave/stall         never answers (stop() still ends it)
//   /misbehave/truncate      Content-Length: 100, sends 50 bytes, closes
//   /misbehave/lie_length    Content-Length: 10, sends 20 bytes, keeps the connection
//   /misbehave/garbage       sends "NOT HTTP\r\n\r\n", closes
//   /misbehave/bad_chunk     chunked body with an invalid chunk size, closes
//   /misbehave/close_idle    answers normally (keep-alive), then closes the connection at once
//   /misbehave/close_idle_in_one_segment  as close_idle, with the answer and what closes the
//                            connection (TLS close_notify, or the FIN) held back (TCP_CORK) and
//                            sent together 200 ms later: the client reads them in one go
//   /misbehave/drop_next     answers normally (keep-alive); the next request on the connection
//                            is read, not answered, and the connection closes (HTTP/1.1 only)
//   /misbehave/headers_only_then_close  Content-Length: 100 head, no body, closes
//   Hostile servers (limits):
//   /misbehave/huge_head     a 128 KiB header section (the client allows 100 KiB)
//   /misbehave/many_headers  1000 header fields (the client allows 256)
//   /misbehave/endless_line  a header line that never ends (written until the client goes)
//   /misbehave/chunk_overflow  a chunk size of 2^64
//   /misbehave/huge_length   a Content-Length of 2^64
//   /misbehave/smuggle       Content-Length and Transfer-Encoding: chunked
//   /misbehave/endless_body  a chunked body that never ends (64 KiB chunks)
//   /misbehave/gzip_bomb     Content-Encoding: gzip, gzip; 1827 bytes that decode to 1 GiB of zeros
//   /stats                   JSON: the counters below, "connection" (this request's connection id),
//                            "protocol", and "connections": [{id, protocol, requests,
//                            peak_streams, open_streams, resets_received, goaways_received,
//                            open}]
//   /trailers[?n=N]          "Hello, world!" (or N pattern bytes), then the trailers
//                            x-trailer: done and x-body-length: <length> (HTTP/1.1: chunked)
//   /upload?hash=sha256      as /upload, plus "sha256": the hex digest of the body
//   /upload?read_ms=N        as /upload, but waits N ms after each piece of body it reads (a
//                            slow consumer: over HTTP/2 the client's window fills up)
//   /h2/reset?code=C&stage=start|headers|body&n=N&ms=D
//                            RST_STREAM with error code C (default 2) before the response
//                            (stage=start, the default), after its HEADERS, or after HEADERS and N
//                            pattern bytes (default 1000); ms: wait D ms first. HTTP/1.1: TCP RST.
//   /h2/goaway?code=C&last=L&ms=D&close=1
//                            after D ms (default 0), GOAWAY with error code C (default 0) and
//                            last-stream-id L (default: this stream): streams above L are dropped
//                            unanswered, streams up to L complete, then the server closes; this
//                            stream, if <= L, gets 200 "goaway sent". close=1: the TCP connection
//                            closes as soon as the GOAWAY is written. HTTP/1.1: 200 and close.
//   /h2/bad_header?kind=K    200 "Hello, world!" with a head HTTP/2 forbids: K = uppercase
//                            (X-Upper-Case: 1), connection (connection: keep-alive),
//                            transfer_encoding, pseudo (a :path in the response), no_status (no
//                            :status). HTTP/1.1: the same fields, as a normal response.
//   /upgrade/echo            HTTP/1.1: 101 Switching Protocols (Upgrade: echo) with "welcome\n"
//                            in the same write, then echoes every byte until the client closes.
//                            HTTP/2: 400
//   /tls/sni                 the server name the client sent in its TLS ClientHello ("" for none)
//   An absolute-form target ("http://host/path", as a forwarding proxy passes it on) routes by
//   its path; "*", or an absolute form whose path no route has: 200 "target: <target>"
//   (test_proxy.hpp: the test server's proxy role, HTTP, HTTPS or SOCKS5)
// Over HTTP/2 the HTTP/1.1 misbehaviours become: reset: TCP RST; stall: never answers; truncate
// and headers_only_then_close: HEADERS with content-length: 100 (and 50 bytes), then the TCP
// connection closes; lie_length: content-length: 10, 20 bytes, END_STREAM; garbage: those bytes
// amid the frames, then close; bad_chunk: a DATA frame on stream 0, then close; close_idle (both)
// and /headers/close: the answer, then GOAWAY(NO_ERROR) and close; /http10: a normal 200.
// Anything else: 404.
class TestServer {
public:
    struct Options {
        std::string host = "127.0.0.1";
        std::uint16_t port = 0;  // 0: an ephemeral port, see port()
        std::optional<TlsFiles> tls;
        // Close keep-alive connections that stay idle this long between requests (HTTP/2: with no
        // stream open, after a GOAWAY); 0 = never.
        std::chrono::milliseconds idle_close{0};
        // HTTP/2: TLS offers ALPN "h2" before "http/1.1"; plain TCP takes HTTP/2 with prior
        // knowledge (a client that starts with the connection preface) and HTTP/1.1 otherwise.
        bool http2 = false;
        // With http2: false makes the server HTTP/2 only (ALPN offers only "h2"; a TLS client that
        // offers other protocols only fails the handshake; anything else is read as HTTP/2).
        bool http1 = true;
        // SETTINGS_MAX_CONCURRENT_STREAMS the server announces (and enforces).
        std::uint32_t http2_max_concurrent_streams = 100;
        // SETTINGS_INITIAL_WINDOW_SIZE the server announces: how much of a request body a client
        // may send on a stream before the route consumes it (the connection window is raised to
        // match when larger than the default 65535).
        std::uint32_t http2_initial_window_size = 65535;
    };

    // One accepted connection, as seen by the server.
    struct ConnectionStats {
        std::uint64_t id = 0;                // 1-based, in accept order
        std::string protocol;                // "HTTP/1.1" or "HTTP/2"
        std::uint64_t requests = 0;          // requests (HTTP/2: streams) dispatched to a route
        std::uint64_t peak_streams = 0;      // most HTTP/2 streams open at once
        std::uint64_t open_streams = 0;      // HTTP/2 streams open now
        std::uint64_t resets_received = 0;   // RST_STREAM frames the client sent
        std::uint64_t goaways_received = 0;  // GOAWAY frames the client sent
        std::uint32_t goaway_error = 0;      // the error code of the last one
        bool open = false;
    };

    TestServer();
    explicit TestServer(Options options);
    ~TestServer();  // stop()
    TestServer(const TestServer&) = delete;
    TestServer& operator=(const TestServer&) = delete;

    // Binds, listens and starts the server thread; throws if the address cannot be bound or the
    // TLS files cannot be loaded. Calling start() on a running server does nothing.
    void start();
    // Closes the listener and every connection, and joins the thread. Bounded in time (about a
    // second at worst), idempotent; the server may be started again afterwards.
    void stop();
    bool running() const;

    std::uint16_t port() const;
    const std::string& host() const;
    bool tls() const;
    // "http://127.0.0.1:PORT" (or https).
    std::string origin() const;
    // origin() + path; a '/' is inserted if `path` does not start with one.
    std::string url(std::string_view path = "/") const;

    // Connections accepted since start().
    std::uint64_t connections_accepted() const;
    // Requests whose head was read and dispatched to a route since start() (counted before any
    // of the response is written, so a client that has its response sees the count); an HTTP/2
    // stream counts once its request headers are complete (even if a GOAWAY drops it later).
    std::uint64_t requests_served() const;
    // Connections currently open.
    std::uint64_t open_connections() const;
    // Every connection accepted since start(), in accept order.
    std::vector<ConnectionStats> connection_stats() const;
    // The most HTTP/2 streams open at once on one connection since start().
    std::uint64_t peak_concurrent_streams() const;

private:
    std::unique_ptr<detail::ServerState> state_;
};

}  // namespace httpx::testing
