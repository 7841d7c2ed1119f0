// The raw side of a connection: httpx::TLSInfo, what TLS a connection negotiated (httpcore's
// `network_stream.get_extra_info("ssl_object")`), and httpx::NetworkStream, the byte stream of a
// connection handed to the caller after `101 Switching Protocols` (HTTPX's "network_stream"
// response extension): what WebSockets and other upgraded protocols are built on.
#pragma once

#include <httpx/types.hpp>

#include <chrono>
#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace httpx {

/// The TLS facts of a connection. Every response that came over TLS carries them as the
/// extension "tls": `std::any_cast<httpx::TLSInfo>(&response.extensions()["tls"])`.
struct TLSInfo {
    std::string version;      ///< the protocol: "TLSv1.3", "TLSv1.2"
    std::string cipher;       ///< the cipher suite, OpenSSL's name ("TLS_AES_256_GCM_SHA384")
    std::string alpn;         ///< the protocol ALPN chose: "h2", "http/1.1", "" for none
    std::string server_name;  ///< the name verified and sent as SNI (the URL's host, or the
                              ///< request's "sni_hostname" extension); SNI is not sent for an IP
    bool verified = false;    ///< the peer's certificate chain and name were verified
    std::string peer_certificate_pem;  ///< the server's certificate in PEM, "" when it sent none
    std::string peer_certificate_der;  ///< the same, DER bytes
    std::string peer_subject;          ///< its subject, RFC 2253 ("CN=localhost")
    std::string peer_issuer;           ///< its issuer, RFC 2253 ("CN=httpxx test CA")
};

/// The byte stream of a connection that left HTTP: after a `101 Switching Protocols` response
/// (HTTPX's `response.extensions["network_stream"]`), with the bytes the server sent right
/// after the response head first in line. A shared handle: copies refer to one stream.
///
/// The connection no longer serves other requests but counts against the pool's
/// `max_connections` until the stream is closed: by close()/aclose(), or when the last handle
/// (the response's extension included) is gone. Unlike HTTPX, closing the response does not
/// close it. One read and one write may be under way at once (a reader loop and a writer);
/// not two reads, nor two writes.
class NetworkStream {
public:
    using Duration = std::chrono::duration<double>;
    struct Impl;

    explicit NetworkStream(std::shared_ptr<Impl> impl);

    /// At most `max_bytes` (at least one), "" at the end of the stream. Throws ReadTimeout when
    /// `timeout` passes first (the stream is closed then), ReadError when the connection fails
    /// or the stream was closed.
    awaitable<Bytes> read(std::size_t max_bytes = 64 * 1024,
                          std::optional<Duration> timeout = std::nullopt);
    /// Sends all of `data` (which must live until this completes). Throws WriteTimeout (the
    /// stream is closed then) or WriteError.
    awaitable<void> write(std::string_view data, std::optional<Duration> timeout = std::nullopt);
    /// Closes the connection and gives its place in the pool back. Idempotent.
    void close() noexcept;
    /// close(), as an awaitable (httpcore's `aclose()`).
    awaitable<void> aclose();
    bool is_closed() const noexcept;
    /// True when bytes (or the end of the stream) are there to read: httpcore's
    /// get_extra_info("is_readable").
    bool is_readable() const;
    /// TLS facts (httpcore's get_extra_info("ssl_object")); nullptr over plain TCP.
    const TLSInfo* tls() const noexcept;

private:
    std::shared_ptr<Impl> impl_;
};

}  // namespace httpx
