// The project's own HTTP/1.1 test server (TLS optional), used by the integration tests and by the
// demo. It runs on its own thread with its own io_context; its routes are listed in
// test_server.cpp (and in README-style comments below). Some routes misbehave on purpose.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

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
//   /misbehave/headers_only_then_close  Content-Length: 100 head, no body, closes
// Anything else: 404.
class TestServer {
public:
    struct Options {
        std::string host = "127.0.0.1";
        std::uint16_t port = 0;  // 0: an ephemeral port, see port()
        std::optional<TlsFiles> tls;
        // Close keep-alive connections that stay idle this long between requests; 0 = never.
        std::chrono::milliseconds idle_close{0};
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
    // of the response is written, so a client that has its response sees the count).
    std::uint64_t requests_served() const;
    // Connections currently open.
    std::uint64_t open_connections() const;

private:
    std::unique_ptr<detail::ServerState> state_;
};

}  // namespace httpx::testing
