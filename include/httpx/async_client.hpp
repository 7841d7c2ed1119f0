// httpx::AsyncClient: the asynchronous client, the heart of httpxx.
#pragma once

#include <httpx/auth.hpp>
#include <httpx/config.hpp>
#include <httpx/cookies.hpp>
#include <httpx/event_hooks.hpp>
#include <httpx/headers.hpp>
#include <httpx/query_params.hpp>
#include <httpx/request.hpp>
#include <httpx/response.hpp>
#include <httpx/text_encoding.hpp>
#include <httpx/transport.hpp>
#include <httpx/types.hpp>
#include <httpx/url.hpp>

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace httpx {

/// The options of a client (HTTPX's constructor keywords, in its order).
struct ClientOptions {
    AuthOption auth{};
    QueryParams params{};
    Headers headers{};
    Cookies cookies{};
    /// verify, cert, http1, http2, proxy and limits configure the default transport
    /// (`HTTPTransportOptions`); they are ignored when `transport` is given.
    VerifyOption verify = true;
    std::optional<ClientCert> cert{};
    bool http1 = true;
    bool http2 = false;
    /// The default transport's proxy (see `HTTPTransportOptions::proxy`).
    std::optional<Proxy> proxy{};
    /// URL pattern ("all://", "https://", "http://example.com", "all://*.example.com:8080")
    /// -> transport; the most specific pattern wins; a null transport means the default one.
    /// Proxies per scheme or host are mounted transports with `HTTPTransportOptions::proxy`.
    /// Beyond HTTPX, an address and a prefix length ("all://10.0.0.0/8") match a range.
    std::map<std::string, std::shared_ptr<AsyncBaseTransport>> mounts{};
    Timeout timeout{};
    bool follow_redirects = false;
    Limits limits{};
    int max_redirects = 20;
    EventHooks event_hooks{};
    URL base_url{};
    /// Replaces the default transport entirely.
    std::shared_ptr<AsyncBaseTransport> transport{};
    /// Whether the environment is read (HTTPX's `trust_env`): `SSL_CERT_FILE` / `SSL_CERT_DIR`
    /// for `verify = true`, and, when neither `proxy` nor `transport` is given, the proxies of
    /// `HTTP_PROXY`, `HTTPS_PROXY`, `ALL_PROXY` and `NO_PROXY` as Python's urllib reads them
    /// (lower case first; an empty lower-case variable unsets; upper-case `HTTP_PROXY` ignored
    /// when `REQUEST_METHOD` is set), each a transport mounted per scheme ("http://",
    /// "https://", "all://") with NO_PROXY's hosts mounted direct; `mounts` override them.
    /// NO_PROXY takes "*", names (and their subdomains), ".domain" and "*.domain" (subdomains
    /// only), IPv4 and IPv6 addresses, and beyond HTTPX ranges such as "10.0.0.0/8" and
    /// "fd00::/8" (for hosts written as addresses).
    bool trust_env = true;
    /// The encoding of `Response::text()` when Content-Type names no known charset: a name, or
    /// a detector called with the body, e.g. `httpx::autodetect_encoding` (`DefaultEncoding`).
    DefaultEncoding default_encoding = "utf-8";
};

/// Options of `send()`.
struct SendOptions {
    /// Return as soon as the headers are in, body unread (then read, iterate or close it).
    bool stream = false;
    AuthOption auth{};
    std::optional<bool> follow_redirects{};
};

/// An asynchronous HTTP client with connection pooling (HTTPX's `AsyncClient`). Move-only; meant
/// to be shared by many coroutines, also on a multi-threaded executor. It runs on the executor
/// of whichever coroutine awaits it. The destructor closes it synchronously.
/// With g++ 12.2, name an options struct before `co_await` (README: "A g++ 12.2 pitfall").
class AsyncClient {
public:
    AsyncClient();
    explicit AsyncClient(ClientOptions options);
    AsyncClient(AsyncClient&&) noexcept;
    AsyncClient& operator=(AsyncClient&&) noexcept;
    ~AsyncClient();

    // Without options, a call passes no temporary options struct (the g++ 12.2 pitfall).
    awaitable<Response> get(URL url);
    awaitable<Response> get(URL url, RequestOptions options);
    awaitable<Response> options(URL url);
    awaitable<Response> options(URL url, RequestOptions options);
    awaitable<Response> head(URL url);
    awaitable<Response> head(URL url, RequestOptions options);
    awaitable<Response> post(URL url);
    awaitable<Response> post(URL url, RequestOptions options);
    awaitable<Response> put(URL url);
    awaitable<Response> put(URL url, RequestOptions options);
    awaitable<Response> patch(URL url);
    awaitable<Response> patch(URL url, RequestOptions options);
    awaitable<Response> delete_(URL url);
    awaitable<Response> delete_(URL url, RequestOptions options);
    /// Builds the request (`build_request`) and sends it (`send`), reading the body.
    awaitable<Response> request(std::string_view method, URL url);
    awaitable<Response> request(std::string_view method, URL url, RequestOptions options);
    /// As `request`, but returns once the headers are in, body unread (HTTPX's
    /// `client.stream(...)`). When the last copy of the response goes, an unread body is
    /// closed: its connection is not reused, never leaked.
    awaitable<Response> stream(std::string_view method, URL url);
    awaitable<Response> stream(std::string_view method, URL url, RequestOptions options);

    /// Merges the client's base_url, params, headers and cookies with the request's, as HTTPX.
    /// Throws `InvalidURL` for a bad URL.
    Request build_request(std::string_view method, URL url, RequestOptions options = {}) const;
    /// Sends a request: auth flow, redirects (when following), event hooks, cookies.
    /// Throws `RequestError` subclasses for transport failures, `TooManyRedirects`, and
    /// `std::logic_error` when the client is closed.
    awaitable<Response> send(Request request);
    awaitable<Response> send(Request request, SendOptions options);

    /// Closes every transport. Requests after this throw `std::logic_error`.
    awaitable<void> aclose();
    bool is_closed() const noexcept;

    /// The headers sent with every request (HTTPX's `client.headers`): the built-in ones
    /// (Accept, Accept-Encoding, Connection, User-Agent) under the `headers` option. Mutable in
    /// place as in HTTPX: `client.headers().erase("User-Agent")` stops sending that header,
    /// `client.headers().set("X-Token", t)` adds one. Not synchronised: change them before
    /// the client is shared with other threads (on one thread, between requests, is fine: a
    /// request copies them when it is built), or replace them with `set_headers`, which is.
    Headers& headers();
    const Headers& headers() const;
    /// Replaces the headers; the built-in ones are re-applied underneath (HTTPX's
    /// `client.headers = ...`). To drop a built-in header, erase it from `headers()`.
    void set_headers(Headers headers);
    /// The client's cookie jar itself, as HTTPX's `client.cookies`: what is changed through it
    /// is what the next requests send. Every Set-Cookie of every response goes into it. The jar
    /// locks itself, so it may be read and changed while requests run on other threads (see
    /// Cookies: iterate a copy then). Valid as long as the client.
    Cookies& cookies();
    const Cookies& cookies() const;
    /// Replaces the jar's contents (in place: references from cookies() stay valid).
    void set_cookies(Cookies cookies);
    /// The query parameters of every request (HTTPX's `client.params`). As in HTTPX 0.28,
    /// when these or a request's `params` are non-empty, the merged parameters replace the
    /// query of the request's URL; an empty `QueryParams()` given to a request clears it.
    const QueryParams& params() const;
    void set_params(QueryParams params);
    const URL& base_url() const;
    void set_base_url(URL url);
    const Timeout& timeout() const;
    void set_timeout(Timeout timeout);
    const EventHooks& event_hooks() const;
    void set_event_hooks(EventHooks hooks);
    bool follow_redirects() const;
    void set_follow_redirects(bool follow);
    int max_redirects() const;
    void set_max_redirects(int max_redirects);
    /// The client's authentication (HTTPX's `client.auth`), null when there is none.
    std::shared_ptr<Auth> auth() const;
    void set_auth(AuthOption auth);
    /// Whether the environment is read (HTTPX's read-only `client.trust_env`).
    bool trust_env() const;

    // Not API: public only because helper functions of src/client/async_client.cpp name it.
    struct Impl;

private:
    std::shared_ptr<Impl> impl_;
};

}  // namespace httpx
