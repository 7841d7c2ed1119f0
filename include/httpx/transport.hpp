// Transports: what turns a Request into a Response (HTTPX's `AsyncBaseTransport` and friends).
#pragma once

#include <httpx/request.hpp>
#include <httpx/response.hpp>
#include <httpx/types.hpp>

#include <concepts>
#include <functional>
#include <memory>
#include <string>
#include <type_traits>

namespace httpx {

/// The interface every transport implements; implement it to plug in your own (caching,
/// URL rewriting, a test double...). `handle_async_request` returns a response whose body may
/// still be streaming (`ResponseOptions::stream`); the client reads or streams it.
class AsyncBaseTransport {
public:
    virtual ~AsyncBaseTransport();
    virtual awaitable<Response> handle_async_request(Request& request) = 0;
    /// Releases the transport's resources (connections). The default does nothing.
    virtual awaitable<void> aclose();
};

/// The handler of a MockTransport or AppTransport: `Response(Request&)` or
/// `awaitable<Response>(Request&)`.
using AsyncHandler = std::function<awaitable<Response>(Request&)>;

namespace detail {
// Wraps a synchronous or asynchronous handler into an AsyncHandler.
template <class F>
AsyncHandler make_async_handler(F handler) {
    if constexpr (std::same_as<std::invoke_result_t<F&, Request&>, awaitable<Response>>) {
        return AsyncHandler(std::move(handler));
    } else {
        static_assert(std::same_as<std::invoke_result_t<F&, Request&>, Response>,
                      "a handler returns Response or awaitable<Response>");
        return [handler = std::move(handler)](Request& request) -> awaitable<Response> {
            co_return handler(request);
        };
    }
}
}  // namespace detail

/// Answers every request with a handler function, with no network (HTTPX's `MockTransport`).
/// The request body is read before the handler runs, so `request.content()` works there.
class MockTransport : public AsyncBaseTransport {
public:
    template <class F>
    requires std::invocable<F&, Request&>
    explicit MockTransport(F handler) : handler_(detail::make_async_handler(std::move(handler))) {}

    awaitable<Response> handle_async_request(Request& request) override;

private:
    AsyncHandler handler_;
};

/// Calls an in-process C++ application directly (the analogue of HTTPX's `ASGITransport`):
/// no sockets, streaming both ways. The application receives the request with its body still
/// streaming (`request.stream()`), and may answer with a streamed body
/// (`ResponseOptions::stream`, e.g. from an `AsyncGenerator`).
class AppTransport : public AsyncBaseTransport {
public:
    struct Options {
        /// When false, an exception thrown by the application becomes a 500 response.
        bool raise_app_exceptions = true;
        /// Prefix of the application's mount point, removed from paths it sees (ASGI root_path):
        /// the request gets the extension "root_path".
        std::string root_path{};
        /// The client address the application is told about (extension "client").
        std::string client = "127.0.0.1:123";
    };

    template <class F>
    requires std::invocable<F&, Request&>
    explicit AppTransport(F app, Options options)
        : app_(detail::make_async_handler(std::move(app))), options_(std::move(options)) {}
    template <class F>
    requires std::invocable<F&, Request&>
    explicit AppTransport(F app) : AppTransport(std::move(app), Options{}) {}

    awaitable<Response> handle_async_request(Request& request) override;

private:
    AsyncHandler app_;
    Options options_;
};

}  // namespace httpx
