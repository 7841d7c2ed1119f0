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

/// Form fields (`data=`): ordered pairs, a name may repeat. Values are strings, or numbers, bools
/// and nullopt written as HTTPX writes them (`PrimitiveValue`): `{{"n", 2}, {"ok", true}}`.
using FormData = std::vector<std::pair<std::string, PrimitiveValue>>;

/// What a multipart file holds: bytes in memory, a file on disk, or a stream. A string (also a
/// literal) is the bytes themselves, as in HTTPX; a file on disk is given as a
/// `std::filesystem::path` (or with `File::from_path`): `File{"a.txt", "hello"}` uploads the five
/// bytes "hello", `File{"a.txt", std::filesystem::path("a.txt")}` uploads the file a.txt.
class FileContent {
public:
    using Variant = std::variant<Bytes, std::filesystem::path, AsyncByteStream>;

    FileContent() = default;
    FileContent(Bytes bytes) : value_(std::move(bytes)) {}
    FileContent(const char* bytes) : value_(Bytes(bytes)) {}
    FileContent(std::string_view bytes) : value_(Bytes(bytes)) {}
    /// A file on disk, streamed in 64 KiB chunks read off the I/O thread (never loaded whole);
    /// its size is taken when the request is built.
    FileContent(std::filesystem::path path) : value_(std::move(path)) {}
    FileContent(AsyncByteStream stream) : value_(std::move(stream)) {}
    /// Anything else an `AsyncByteStream` is made from (an `AsyncGenerator<Bytes>`, a chunk
    /// callable, a response's iterator).
    template <class S>
    requires(!std::convertible_to<S, std::string_view> &&
             !std::convertible_to<S, const std::filesystem::path&> &&
             !std::same_as<std::remove_cvref_t<S>, FileContent> &&
             std::constructible_from<AsyncByteStream, S>) FileContent(S&& stream)
        : value_(AsyncByteStream(std::forward<S>(stream))) {}

    const Variant& value() const noexcept { return value_; }

private:
    Variant value_;
};

/// One file of a multipart upload (`files=`), HTTPX's (filename, content, content_type,
/// headers) tuple: `{"a.txt", "hello", "text/plain"}`.
struct File {
    std::string filename{};
    FileContent content{};
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

/// A JSON body (`json=`), sent byte for byte as HTTPX 0.28 writes it: compact, non-ASCII as
/// UTF-8, floats as Python prints them; NaN, infinities and strings that are not UTF-8 throw
/// `std::invalid_argument` when the request is built. Object keys go out in the order the
/// value keeps them: as written for a braced list (`.json = {{"name", "x"}, {"n", 1}}`, like a
/// Python dict) or an `nlohmann::ordered_json`; sorted for an `nlohmann::json`, which sorts
/// them. Anything an `nlohmann::ordered_json` can be made from is accepted. Left unset (also
/// `= {}`), there is no JSON body; for an empty object, give `nlohmann::json::object()`.
class JsonOption {
public:
    JsonOption() = default;
    /// `{{"b", 1}, {"a", 2}}`: an object with its keys in the order written (or an array, as
    /// nlohmann reads braced lists).
    JsonOption(nlohmann::ordered_json::initializer_list_t init)
        : value_(std::in_place_type<nlohmann::ordered_json>, init) {}
    /// A sorted `nlohmann::json`, kept as it is (no copy into another type).
    JsonOption(nlohmann::json value)
        : value_(std::in_place_type<nlohmann::json>, std::move(value)) {}
    template <class T>
    requires(!std::same_as<std::remove_cvref_t<T>, JsonOption> &&
             !std::same_as<std::remove_cvref_t<T>, nlohmann::json> &&
             std::constructible_from<nlohmann::ordered_json, T>) JsonOption(T&& value)
        : value_(std::in_place_type<nlohmann::ordered_json>, std::forward<T>(value)) {}

    bool has_value() const noexcept { return value_.index() != 0; }
    explicit operator bool() const noexcept { return has_value(); }
    /// The value: `nlohmann::json` or `nlohmann::ordered_json`, or std::monostate when unset.
    const std::variant<std::monostate, nlohmann::json, nlohmann::ordered_json>& value()
        const noexcept {
        return value_;
    }

private:
    std::variant<std::monostate, nlohmann::json, nlohmann::ordered_json> value_;
};

/// Per-request options (HTTPX's keyword arguments, in its order).
struct RequestOptions {
    /// The raw body: bytes, or a streamed `AsyncByteStream` (sent chunked when its length is
    /// unknown).
    std::optional<AsyncByteStream> content{};
    /// Form fields: urlencoded, or multipart together with `files`.
    FormData data{};
    Files files{};
    JsonOption json{};
    /// Replaces the URL's query when given (HTTPX 0.28's `params=`): `QueryParams{{"a", "1"}}`
    /// sends `?a=1` whatever the URL's query was, an empty `QueryParams()` sends none; nullopt
    /// (the default) keeps the URL's query. A client's params are merged in first (see
    /// `AsyncClient::params`).
    std::optional<QueryParams> params{};
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
    /// Builds a request as HTTPX does: the method upper-cased, `params` (when given) as the
    /// URL's query, the body encoded from `content`/`data`/`files`/`json` with its headers
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
