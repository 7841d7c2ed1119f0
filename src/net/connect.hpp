// Opening a connection's byte stream, in steps: a TCP (or Unix) socket, then TLS over it, each
// attempt within the connect timeout, failed attempts retried. The socket connector
// (net/connector.hpp) runs these steps as they are; other connectors compose them with their
// own (a test's fault injection, later a proxy's tunnel).
#pragma once

#include "httpx/config.hpp"
#include "httpx/exceptions.hpp"
#include "httpx/types.hpp"
#include "net/network_stream.hpp"
#include "net/tls_context.hpp"

#include <boost/asio/any_io_executor.hpp>
#include <boost/system/error_code.hpp>

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace boost::asio::ssl {
class context;
}

namespace httpx::detail {
class Tracer;
}

namespace httpx::net {

/// Everything needed to open a connection, fixed per transport.
struct ConnectSettings {
    std::shared_ptr<const TlsSettings> tls;  // for https
    std::optional<std::string> uds;
    std::optional<std::string> local_address;
    std::vector<SocketOption> socket_options;
    int retries = 0;
    bool http1 = true;   // HTTP/1.1 offered (ALPN) and spoken
    bool http2 = false;  // HTTP/2 offered by ALPN; over plain TCP only without http1
};

/// Where a connection goes.
struct Destination {
    std::string host;  // resolved and connected to (unless the settings' uds is set)
    int port = 0;
    bool tls = false;
    /// TLS: the name sent as SNI and checked against the server's certificate (the request's
    /// "sni_hostname" extension); "" for `host`.
    std::string server_name{};

    /// The trace of the request that opens the connection (its connection.* steps); null for
    /// none. A proxy's connector reports its proxy.* steps here too.
    detail::Tracer* tracer = nullptr;

    const std::string& tls_name() const noexcept {
        return server_name.empty() ? host : server_name;
    }
};

/// A connected socket: the Unix socket `settings.uds` when set, else TCP to host:port (every
/// resolved address in turn, from `settings.local_address`, with the settings' socket options).
/// The socket lives on `executor`. Throws ConnectError.
awaitable<std::unique_ptr<NetworkStream>> open_socket(const std::string& host, int port,
                                                      const ConnectSettings& settings,
                                                      boost::asio::any_io_executor executor);

/// TLS over `stream` for `server_name`: SNI (not for an IP address), the settings' ALPN and
/// client certificate and, when the context verifies the peer, the host name (or IP address)
/// check; then the handshake. Throws ConnectError.
awaitable<std::unique_ptr<NetworkStream>> start_tls(std::unique_ptr<NetworkStream> stream,
                                                    const TlsSettings& tls,
                                                    const std::string& server_name,
                                                    boost::asio::any_io_executor executor);

/// The ConnectError of a connect to host:port (or to `settings.uds`) that failed with `error`.
ConnectError connect_failure(const std::string& host, int port, const ConnectSettings& settings,
                             const boost::system::error_code& error);
/// The ConnectError of a TLS handshake with `host` that failed for `reason`.
ConnectError handshake_failure(const std::string& host, const std::string& reason);

/// Awaits `attempt` within `timeout` (ConnectTimeout when it passes first).
awaitable<std::unique_ptr<NetworkStream>> connect_within(
    std::optional<std::chrono::duration<double>> timeout,
    awaitable<std::unique_ptr<NetworkStream>> attempt);

/// Runs `attempt` until it succeeds, at most `retries` times more after a ConnectError or
/// ConnectTimeout, with httpcore's backoff: again at once, then after 0.5, 1, 2, 4 ... seconds.
awaitable<std::unique_ptr<NetworkStream>> with_connect_retries(
    int retries, std::function<awaitable<std::unique_ptr<NetworkStream>>()> attempt);

/// All of the above: a stream to `to` (kept by reference until it completes), retried as
/// `settings.retries` says. As in httpcore, the socket's connect and the TLS handshake each
/// have `timeout`, and each is reported to `to.tracer` (connection.connect_tcp or
/// connection.connect_unix_socket, then connection.start_tls). Throws ConnectError /
/// ConnectTimeout (or what the trace callback throws).
awaitable<std::unique_ptr<NetworkStream>> open_stream(
    const Destination& to, const ConnectSettings& settings,
    std::optional<std::chrono::duration<double>> timeout);

}  // namespace httpx::net
