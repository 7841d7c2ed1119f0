// Configuration values: Timeout, Limits, Proxy, TLS and socket options (HTTPX's `_config.py`).
#pragma once

#include <httpx/headers.hpp>

#include <chrono>
#include <cstddef>
#include <iosfwd>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <variant>

namespace boost::asio::ssl {
class context;
}

namespace httpx {

/// Per-phase overrides of `Timeout(all, overrides)`. At namespace scope (not nested in Timeout)
/// because clang rejects a nested class with member initializers in its enclosing class's
/// default arguments; the initializers keep g++'s -Wextra quiet about designated initializers.
struct TimeoutPhases {
    std::optional<std::chrono::duration<double>> connect{}, read{}, write{}, pool{};
};

/// Timeouts for the four phases of a request; nullopt means no limit for that phase.
/// `Timeout(5s)` sets all four, `Timeout(10s, {.connect = 60s})` sets all and overrides some,
/// `Timeout(std::nullopt)` disables every limit. The default is 5 s for each phase.
struct Timeout {
    using Duration = std::chrono::duration<double>;
    using Phases = TimeoutPhases;

    std::optional<Duration> connect;  // TCP connect + TLS handshake -> ConnectTimeout
    std::optional<Duration> read;     // each wait for response bytes -> ReadTimeout
    std::optional<Duration> write;    // each wait to send request bytes -> WriteTimeout
    std::optional<Duration> pool;     // waiting for a pooled connection -> PoolTimeout

    Timeout() : Timeout(std::chrono::seconds(5)) {}
    Timeout(std::nullopt_t) {}
    template <class Rep, class Period>
    Timeout(std::chrono::duration<Rep, Period> all, Phases overrides = {})
        : Timeout(std::optional<Duration>(all), overrides) {}
    Timeout(std::optional<Duration> all, Phases overrides)
        : connect(overrides.connect ? overrides.connect : all),
          read(overrides.read ? overrides.read : all),
          write(overrides.write ? overrides.write : all),
          pool(overrides.pool ? overrides.pool : all) {}

    friend bool operator==(const Timeout&, const Timeout&) = default;
    friend std::ostream& operator<<(std::ostream& os, const Timeout& t);
};

/// A per-request timeout: left unset it means "the client's timeout" (HTTPX's
/// USE_CLIENT_DEFAULT); `std::nullopt` means no limits, a duration or a Timeout sets them.
class TimeoutOption {
public:
    TimeoutOption() = default;
    TimeoutOption(std::nullopt_t) : value_(Timeout(std::nullopt)) {}
    TimeoutOption(Timeout t) : value_(t) {}
    template <class Rep, class Period>
    TimeoutOption(std::chrono::duration<Rep, Period> all) : value_(Timeout(all)) {}

    bool is_client_default() const noexcept { return !value_.has_value(); }
    Timeout value_or(const Timeout& client_default) const {
        return value_.value_or(client_default);
    }

private:
    std::optional<Timeout> value_;
};

/// Connection pool limits (HTTPX's `Limits`); nullopt means unlimited / never expires.
struct Limits {
    std::optional<std::size_t> max_connections = 100;
    std::optional<std::size_t> max_keepalive_connections = 20;
    std::optional<std::chrono::duration<double>> keepalive_expiry = std::chrono::seconds(5);
    friend bool operator==(const Limits&, const Limits&) = default;
    /// Prints HTTPX's repr: `Limits(max_connections=100, ..., keepalive_expiry=5.0)`.
    friend std::ostream& operator<<(std::ostream& os, const Limits& limits);
};

/// TLS verification (HTTPX's `verify`): true (the system trust store, or with `trust_env` the
/// CA bundle file `SSL_CERT_FILE`, else the CA directory `SSL_CERT_DIR`), false (no
/// verification), a path to a CA bundle file or to a CA directory (OpenSSL's hashed layout, as
/// `openssl rehash` or `c_rehash` make it), or a ready SSL context, used as it is: a transport
/// sets ALPN and its client certificate on each connection, never on the context.
using VerifyOption = std::variant<bool, std::string, std::shared_ptr<boost::asio::ssl::context>>;

/// Credentials for a proxy or `BasicAuth`-style login.
struct Credentials {
    std::string username;
    std::string password;
    friend bool operator==(const Credentials&, const Credentials&) = default;
};

/// A proxy server (HTTPX's `Proxy`): `http://`, `https://`, `socks5://` or `socks5h://`.
/// An `http://` proxy forwards plain-HTTP requests (absolute-form target, `headers` added) and
/// tunnels `https://` ones with `CONNECT host:port`; an `https://` proxy does the same over TLS
/// to the proxy. `auth` (or the URL's userinfo) goes as `Proxy-Authorization: Basic`, the first
/// of the proxy headers; for SOCKS5 as its username/password login.
class Proxy {
public:
    struct Options {
        std::optional<Credentials> auth{};
        Headers headers{};
        /// How an `https://` proxy's own certificate is checked (HTTPX's `Proxy(ssl_context=)`),
        /// independently of the transport's `verify`, which checks the origins.
        VerifyOption verify = true;
    };
    /// Throws `std::invalid_argument` for an unsupported proxy scheme, `InvalidURL` for a bad URL.
    Proxy(std::string url, Options options);
    // An overload rather than `= {}`: Options is incomplete in a default argument here.
    Proxy(std::string url) : Proxy(std::move(url), Options{}) {}
    Proxy(const char* url) : Proxy(std::string(url)) {}

    const std::string& url() const noexcept { return url_; }
    /// The credentials: from the options, else from the URL's userinfo.
    const std::optional<Credentials>& auth() const noexcept { return auth_; }
    const Headers& headers() const noexcept { return headers_; }
    const VerifyOption& verify() const noexcept { return verify_; }

    /// Prints HTTPX's repr, the password masked: `Proxy('http://p:8080', auth=('u', '********'))`.
    friend std::ostream& operator<<(std::ostream& os, const Proxy& proxy);

private:
    std::string url_;
    std::optional<Credentials> auth_;
    Headers headers_;
    VerifyOption verify_;
};

/// A client certificate (HTTPX's `cert`).
struct ClientCert {
    std::string certfile;
    std::string keyfile;  // "" when the key is inside certfile
    std::string password;
};

/// HTTPX's `create_ssl_context(verify, cert, trust_env)`: the SSL context a transport would
/// make from `verify` (see VerifyOption; with `trust_env`, `SSL_CERT_FILE` / `SSL_CERT_DIR` are
/// read for `verify = true`), for the caller to adjust and pass back as `verify`. TLS 1.2 at
/// least; verification of the peer unless `verify` is false (the host name is checked per
/// connection). A given context is returned as it is, with `cert` loaded into it as HTTPX does.
/// Throws `std::invalid_argument` for a file or folder that cannot be read.
std::shared_ptr<boost::asio::ssl::context> create_ssl_context(
    const VerifyOption& verify = true, const std::optional<ClientCert>& cert = std::nullopt,
    bool trust_env = true);

/// A socket option applied to every connection (HTTPX's `socket_options`): `setsockopt(level,
/// name, value)`.
struct SocketOption {
    int level = 0;
    int name = 0;
    int value = 0;
};

}  // namespace httpx
