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

HTTPX_DECLARE_EXCEPTION(TransportError, RequestError);
HTTPX_DECLARE_EXCEPTION(TimeoutException, TransportError);
HTTPX_DECLARE_EXCEPTION(ConnectTimeout, TimeoutException);
HTTPX_DECLARE_EXCEPTION(ReadTimeout, TimeoutException);
HTTPX_DECLARE_EXCEPTION(WriteTimeout, TimeoutException);
HTTPX_DECLARE_EXCEPTION(PoolTimeout, TimeoutException);
HTTPX_DECLARE_EXCEPTION(NetworkError, TransportError);
HTTPX_DECLARE_EXCEPTION(ConnectError, NetworkError);
HTTPX_DECLARE_EXCEPTION(ReadError, NetworkError);
HTTPX_DECLARE_EXCEPTION(WriteError, NetworkError);
HTTPX_DECLARE_EXCEPTION(CloseError, NetworkError);
HTTPX_DECLARE_EXCEPTION(ProtocolError, TransportError);
HTTPX_DECLARE_EXCEPTION(LocalProtocolError, ProtocolError);
HTTPX_DECLARE_EXCEPTION(RemoteProtocolError, ProtocolError);
HTTPX_DECLARE_EXCEPTION(ProxyError, TransportError);
HTTPX_DECLARE_EXCEPTION(UnsupportedProtocol, TransportError);
HTTPX_DECLARE_EXCEPTION(DecodingError, RequestError);
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
