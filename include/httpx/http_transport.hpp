// httpx::AsyncHTTPTransport: the network transport (HTTP/1.1 and HTTP/2 over TCP, TLS or a Unix
// socket), with a connection pool. The default transport of AsyncClient.
#pragma once

#include <httpx/config.hpp>
#include <httpx/transport.hpp>

#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace httpx {

namespace detail {
struct HTTPTransportAccess;
}

/// Options of AsyncHTTPTransport (HTTPX's `HTTPTransport(...)` keywords, in its order).
struct HTTPTransportOptions {
    VerifyOption verify = true;
    std::optional<ClientCert> cert{};
    /// Whether `verify = true` reads `SSL_CERT_FILE` and `SSL_CERT_DIR` (HTTPX's `trust_env`).
    bool trust_env = true;
    /// The protocols offered: HTTP/1.1, HTTP/2, or both (at least one). Over TLS the server
    /// picks through ALPN; over plain TCP, HTTP/2 alone speaks h2c with prior knowledge and both
    /// mean HTTP/1.1 (no Upgrade). The constructor throws `std::invalid_argument` for neither.
    bool http1 = true;
    bool http2 = false;
    Limits limits{};
    /// Every request goes through this proxy (see Proxy): forwarded by an HTTP(S) proxy when
    /// plain HTTP (one connection per origin, HTTP/1.1), tunnelled with CONNECT when https (TLS
    /// to the origin inside, HTTP/2 by ALPN). The connect timeout covers the way through the
    /// proxy; a refusal is `ProxyError` ("407 Proxy Authentication Required"). Not with `uds`.
    std::optional<Proxy> proxy{};
    /// Connect to this Unix domain socket instead of the URL's host (which still names the Host).
    std::optional<std::string> uds{};
    /// Bind connections to this local address ("0.0.0.0" forces IPv4, "::" IPv6).
    std::optional<std::string> local_address{};
    /// How many times a failed connect is retried (backoff 0, 0.5, 1, 2 ... s). Reads and
    /// responses are never retried.
    int retries = 0;
    /// Applied to every socket before it connects; one the OS rejects fails the connect
    /// (ConnectError).
    std::vector<SocketOption> socket_options{};
};

/// Sends requests over pooled HTTP/1.1 and HTTP/2 connections (HTTPX's `AsyncHTTPTransport`);
/// an HTTP/2 connection carries many requests at once. Safe to share between coroutines and
/// threads. Failures are HTTPX's exceptions: ConnectError,
/// ConnectTimeout, ReadTimeout, WriteTimeout, PoolTimeout, ReadError, WriteError,
/// RemoteProtocolError, LocalProtocolError, UnsupportedProtocol, ProxyError.
class AsyncHTTPTransport : public AsyncBaseTransport {
public:
    AsyncHTTPTransport();
    explicit AsyncHTTPTransport(HTTPTransportOptions options);
    ~AsyncHTTPTransport() override;

    awaitable<Response> handle_async_request(Request& request) override;
    /// Closes every pooled connection; later requests throw `std::logic_error`.
    awaitable<void> aclose() override;

    /// Pool introspection (for tests and diagnostics): connections open, idle among them,
    /// and requests waiting for a connection.
    struct PoolStats {
        std::size_t connections = 0;
        std::size_t idle = 0;
        std::size_t waiting = 0;
    };
    PoolStats pool_stats() const;

private:
    struct Impl;
    friend struct detail::HTTPTransportAccess;
    std::shared_ptr<Impl> impl_;
};

/// The transport of the sync `Client` is the same one (HTTPX's `HTTPTransport`).
using HTTPTransport = AsyncHTTPTransport;

}  // namespace httpx
