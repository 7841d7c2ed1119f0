// HTTPX's exception hierarchy. Every class keeps HTTPX's name and parent, so that code catching
// `httpx::TransportError` catches what `except httpx.TransportError` would.
#pragma once

#include <memory>
#include <stdexcept>
#include <string>

namespace httpx {

class Request;
class Response;

/// Base of every error about an HTTP exchange (HTTPX's `HTTPError`).
class HTTPError : public std::runtime_error {
public:
    explicit HTTPError(const std::string& message);
};

/// An error while sending a request or receiving its response. Carries the request when known.
class RequestError : public HTTPError {
public:
    explicit RequestError(const std::string& message, std::shared_ptr<const Request> request = {});
    /// The request that failed. Throws `std::logic_error` if none was attached.
    const Request& request() const;
    bool has_request() const noexcept { return request_ != nullptr; }
    void set_request(std::shared_ptr<const Request> request) { request_ = std::move(request); }

private:
    std::shared_ptr<const Request> request_;
};

using StdRuntimeError = std::runtime_error;

#define HTTPX_DECLARE_EXCEPTION(Name, Parent) \
    class Name : public Parent {              \
    public:                                   \
        using Parent::Parent;                 \
    }

/// Base of the failures of a transport's exchange (raised only through its subclasses).
HTTPX_DECLARE_EXCEPTION(TransportError, RequestError);
/// Base of the four timeouts of `Timeout`.
HTTPX_DECLARE_EXCEPTION(TimeoutException, TransportError);
/// Opening a connection (TCP connect and TLS handshake) took longer than `Timeout::connect`.
HTTPX_DECLARE_EXCEPTION(ConnectTimeout, TimeoutException);
/// A wait for response bytes took longer than `Timeout::read`.
HTTPX_DECLARE_EXCEPTION(ReadTimeout, TimeoutException);
/// A wait to send request bytes took longer than `Timeout::write`.
HTTPX_DECLARE_EXCEPTION(WriteTimeout, TimeoutException);
/// A request waited longer than `Timeout::pool` for a pooled connection.
HTTPX_DECLARE_EXCEPTION(PoolTimeout, TimeoutException);
/// Base of the socket-level failures.
HTTPX_DECLARE_EXCEPTION(NetworkError, TransportError);
/// A connection could not be opened: DNS failure, refused connect, TLS handshake or
/// certificate verification failure, a socket option the OS rejects.
HTTPX_DECLARE_EXCEPTION(ConnectError, NetworkError);
/// A socket error while the response was being read.
HTTPX_DECLARE_EXCEPTION(ReadError, NetworkError);
/// A socket error while the request was being sent, the server's disconnect included.
HTTPX_DECLARE_EXCEPTION(WriteError, NetworkError);
/// HTTPX's class, kept for `catch` compatibility; never raised (as in HTTPX's transport).
HTTPX_DECLARE_EXCEPTION(CloseError, NetworkError);
/// Base of the HTTP violations; raised itself by `DigestAuth` for a challenge it cannot answer.
HTTPX_DECLARE_EXCEPTION(ProtocolError, TransportError);
/// The request is not valid HTTP: an illegal method, target, authority or header field.
HTTPX_DECLARE_EXCEPTION(LocalProtocolError, ProtocolError);
/// The server broke HTTP (a malformed or oversized response, a disconnect before the response
/// ended, an HTTP/2 protocol error), or a redirect's Location is not a valid URL.
HTTPX_DECLARE_EXCEPTION(RemoteProtocolError, ProtocolError);
/// A proxy refused or failed the tunnel; not raised yet (proxies are not supported).
HTTPX_DECLARE_EXCEPTION(ProxyError, TransportError);
/// The URL's scheme is not http or https, or it has no host, and no mount handles it.
HTTPX_DECLARE_EXCEPTION(UnsupportedProtocol, TransportError);
/// A response body that its Content-Encoding (gzip, deflate, br, zstd) cannot decode.
HTTPX_DECLARE_EXCEPTION(DecodingError, RequestError);
/// Following redirects went past `max_redirects`.
HTTPX_DECLARE_EXCEPTION(TooManyRedirects, RequestError);

/// Raised by `Response::raise_for_status()` for a 1xx, 3xx, 4xx or 5xx response.
class HTTPStatusError : public HTTPError {
public:
    HTTPStatusError(const std::string& message, std::shared_ptr<const Request> request,
                    std::shared_ptr<const Response> response);
    const Request& request() const;
    const Response& response() const;

private:
    std::shared_ptr<const Request> request_;
    std::shared_ptr<const Response> response_;
};

/// A URL that cannot be parsed or is not valid for HTTP (bad port, bad IP literal, ...).
HTTPX_DECLARE_EXCEPTION(InvalidURL, StdRuntimeError);
/// `Cookies::get()` found several cookies of that name and no domain/path to choose.
HTTPX_DECLARE_EXCEPTION(CookieConflict, StdRuntimeError);

/// Python's built-in `NotImplementedError` (a `RuntimeError`, not an HTTPX error), raised where
/// HTTPX raises it: by `DigestAuth` for a challenge that only offers qop="auth-int".
HTTPX_DECLARE_EXCEPTION(NotImplementedError, StdRuntimeError);

/// Misuse of a request or response body stream (HTTPX's `StreamError`, a `RuntimeError`).
HTTPX_DECLARE_EXCEPTION(StreamError, StdRuntimeError);

/// The body was already read once and cannot be iterated again.
class StreamConsumed : public StreamError {
public:
    StreamConsumed();
};
/// The stream was closed; its body can no longer be read.
class StreamClosed : public StreamError {
public:
    StreamClosed();
};
/// `Response::content()` on a streamed response whose body was not read yet.
class ResponseNotRead : public StreamError {
public:
    ResponseNotRead();
};
/// `Request::content()` on a request with a streamed body that was not read yet.
class RequestNotRead : public StreamError {
public:
    RequestNotRead();
};

#undef HTTPX_DECLARE_EXCEPTION

}  // namespace httpx
