// httpx::Request and the per-request options shared by Request and the clients.
#pragma once

#include <httpx/byte_stream.hpp>
#include <httpx/config.hpp>
#include <httpx/cookies.hpp>
#include <httpx/headers.hpp>
#include <httpx/query_params.hpp>
#include <httpx/types.hpp>
#include <httpx/url.hpp>

#include <nlohmann/json.hpp>

#include <any>
#include <concepts>
#include <filesystem>
#include <functional>
#include <iosfwd>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <type_traits>
#include <utility>
#include <variant>
#include <vector>

namespace httpx {

class Auth;
class Request;
class Response;

/// Sends one request of an auth flow through the client (event hooks, redirects, transport)
/// and returns its response, its body read only when the flow's `Auth::requires_response_body()`
/// says so (else the flow may `co_await response.aread()` itself).
using AuthSend = std::function<awaitable<Response>(Request&)>;

namespace detail {
/// An auth flow written as a function: `awaitable<Response>(Request&, AuthSend)`.
template <class F>
concept AuthFlowFunction = std::is_invocable_r_v<awaitable<Response>, F&, Request&, AuthSend>;
/// A function that modifies each request (HTTPX's auth=callable): `void(Request&)`.
template <class F>
concept RequestModifier =
    std::is_invocable_v<F&, Request&> && std::is_void_v<std::invoke_result_t<F&, Request&>>;
}  // namespace detail

/// Form fields (`data=`): ordered pairs, a name may repeat.
using FormData = std::vector<std::pair<std::string, std::string>>;

/// One file of a multipart upload (`files=`).
struct File {
    std::string filename{};
    /// Bytes in memory, a file on disk (streamed in 64 KiB chunks, never loaded whole), or a
    /// stream.
    std::variant<Bytes, std::filesystem::path, AsyncByteStream> content{};
    /// Guessed from the filename when unset (application/octet-stream when unknown).
    std::optional<std::string> content_type{};
    /// Extra headers of this part.
    Headers headers{};

    /// The file at `path`, named after it.
    static File from_path(std::filesystem::path path,
                          std::optional<std::string> content_type = std::nullopt);
};

/// Multipart files: field name -> file, in order.
using Files = std::vector<std::pair<std::string, File>>;

/// Request extensions (HTTPX's `request.extensions`), e.g. "timeout" (a `Timeout`).
using Extensions = std::map<std::string, std::any, std::less<>>;

/// The authentication of a request. Left unset it means "the client's auth" (HTTPX's
/// USE_CLIENT_DEFAULT); `std::nullopt` disables authentication; otherwise any `Auth` subclass
/// (`BasicAuth(user, pass)`, ...), a (username, password) pair for basic auth, or a function:
/// `[](Request& r) {...}` modifies each request (a `FunctionAuth`, HTTPX's auth=callable), and
/// `[](Request& r, AuthSend send) -> awaitable<Response> {...}` is a whole flow (as
/// `Auth::auth_flow`; it needs neither body read beforehand).
class AuthOption {
public:
    AuthOption() = default;
    AuthOption(std::nullopt_t) : set_(true) {}
    AuthOption(std::shared_ptr<Auth> auth) : auth_(std::move(auth)), set_(true) {}
    /// A shared auth of a derived type, so that the caller can keep a handle to it.
    template <class A>
    requires std::derived_from<A, Auth> AuthOption(std::shared_ptr<A> auth)
        : auth_(std::move(auth)), set_(true) {}
    template <class A>
    requires std::derived_from<std::remove_cvref_t<A>, Auth> AuthOption(A&& auth)
        : auth_(std::make_shared<std::remove_cvref_t<A>>(std::forward<A>(auth))), set_(true) {}
    template <class F>
    requires detail::AuthFlowFunction<F> || detail::RequestModifier<F> AuthOption(F&& function)
        : auth_(from_function(std::forward<F>(function))), set_(true) {}
    AuthOption(std::pair<std::string, std::string> basic_credentials);
    /// `.auth = {"user", "pass"}`: basic auth, as HTTPX's auth=("user", "pass").
    AuthOption(std::string username, std::string password)
        : AuthOption(std::pair{std::move(username), std::move(password)}) {}

    bool is_client_default() const noexcept { return !set_; }
    /// The auth to use, null for none.
    const std::shared_ptr<Auth>& get() const noexcept { return auth_; }

private:
    template <class F>
    static std::shared_ptr<Auth> from_function(F&& function) {
        // A function that could be both (e.g. variadic) is taken as the flow.
        if constexpr (detail::AuthFlowFunction<F>)
            return flow_auth(
                std::function<awaitable<Response>(Request&, AuthSend)>(std::forward<F>(function)));
        else
            return function_auth(std::function<void(Request&)>(std::forward<F>(function)));
    }
    static std::shared_ptr<Auth> flow_auth(
        std::function<awaitable<Response>(Request&, AuthSend)> flow);
    static std::shared_ptr<Auth> function_auth(std::function<void(Request&)> modify);

    std::shared_ptr<Auth> auth_;
    bool set_ = false;
};

/// Per-request options (HTTPX's keyword arguments, in its order).
struct RequestOptions {
    /// The raw body: bytes, or a streamed `AsyncByteStream` (sent chunked when its length is
    /// unknown).
    std::optional<AsyncByteStream> content{};
    /// Form fields: urlencoded, or multipart together with `files`.
    FormData data{};
    Files files{};
    std::optional<nlohmann::json> json{};
    QueryParams params{};
    Headers headers{};
    Cookies cookies{};
    AuthOption auth{};
    std::optional<bool> follow_redirects{};
    TimeoutOption timeout{};
    Extensions extensions{};
};

/// An HTTP request (HTTPX's `Request`). A value type; copies share a streamed body.
class Request {
public:
    /// Builds a request as HTTPX does: the method upper-cased, `params` merged into the URL,
    /// the body encoded from `content`/`data`/`files`/`json` with its headers
    /// (Content-Length or Transfer-Encoding, Content-Type), `Host` added first when absent and
    /// `Content-Length: 0` for a body-less POST/PUT/PATCH. `auth`, `follow_redirects` and
    /// `timeout` are client options and ignored here.
    Request(std::string_view method, URL url, RequestOptions options = {});

    /// A request from its parts, with no headers added (for transports and servers; HTTPX's
    /// `Request(..., stream=...)`).
    static Request from_parts(std::string_view method, URL url, Headers headers,
                              AsyncByteStream stream, Extensions extensions = {});

    const std::string& method() const noexcept { return method_; }
    void set_method(std::string_view method);
    const URL& url() const noexcept { return url_; }
    void set_url(URL url) { url_ = std::move(url); }
    Headers& headers() noexcept { return headers_; }
    const Headers& headers() const noexcept { return headers_; }
    /// The body as a stream (always set; an empty in-memory body when there is none).
    const AsyncByteStream& stream() const noexcept { return stream_; }
    void set_stream(AsyncByteStream stream) { stream_ = std::move(stream); }
    /// The body bytes. Throws `RequestNotRead` for a streamed body not yet read by `aread()`.
    const Bytes& content() const;
    /// Reads a streamed body into memory (it then becomes replayable) and returns it.
    awaitable<Bytes> aread();
    Extensions& extensions() noexcept { return extensions_; }
    const Extensions& extensions() const noexcept { return extensions_; }

    /// Prints `<Request('GET', 'https://example.com/')>`.
    friend std::ostream& operator<<(std::ostream& os, const Request& request);

private:
    Request() = default;

    std::string method_;
    URL url_;
    Headers headers_;
    AsyncByteStream stream_;
    Extensions extensions_;
};

}  // namespace httpx
