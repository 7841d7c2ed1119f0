// httpx::Client: the blocking client (HTTPX's `Client`), and the top-level functions
// (`httpx::get(url)`, HTTPX's `httpx.get(url)`).
#pragma once

#include <httpx/async_client.hpp>
#include <httpx/auth.hpp>
#include <httpx/config.hpp>
#include <httpx/cookies.hpp>
#include <httpx/event_hooks.hpp>
#include <httpx/headers.hpp>
#include <httpx/query_params.hpp>
#include <httpx/request.hpp>
#include <httpx/response.hpp>
#include <httpx/types.hpp>
#include <httpx/url.hpp>

#include <memory>
#include <optional>
#include <string_view>

namespace httpx {

/// A blocking HTTP client with connection pooling (HTTPX's `Client`): the options and methods
/// of `AsyncClient`, returning their results directly: `httpx::Response r = client.get(url);`.
///
/// It owns a private event loop (an `io_context`) and an `AsyncClient` on it, and runs each
/// call's loop on the calling thread until the call is done (libcurl's easy interface works the
/// same way): redirects, auth, cookies, hooks, pooling, HTTP/2 and timeouts are the async
/// client's, one implementation of each. Nothing runs between calls: idle pooled connections
/// are checked when taken, as in HTTPX's sync client.
///
/// - Threads: several threads may share one Client. One of them at a time runs the loop, only
///   until its own call is done; the others wait, and their calls progress on that thread
///   meanwhile. So a thread's callbacks (event hooks, auth flows, `MockTransport` handlers,
///   blocking body sources) may run on another thread that is waiting for its own call.
///   Setters (`set_headers`, ...) are not meant to race with calls.
/// - Re-entrance: a blocking call made from inside the client's own loop (from one of its event
///   hooks or transport handlers) throws `std::logic_error` instead of waiting for itself; use
///   the async forms there (hooks may be coroutines).
/// - Inside another program's event loop (say, in a handler of its own `io_context`): it works,
///   and blocks that thread until the call is done, as any blocking call does.
///
/// Streamed responses (`stream()`, `send(request, {.stream = true})`) are read with
/// range-for: `for (const httpx::Bytes& chunk : response.iter_bytes())`, `iter_text()`,
/// `iter_lines()`, `iter_raw()`, or `read()`. They keep the loop alive, but closing the client
/// closes their connections. Move-only; the destructor closes the client.
class Client {
public:
    Client();
    explicit Client(ClientOptions options);
    Client(Client&&) noexcept;
    Client& operator=(Client&&) noexcept;
    ~Client();

    Response get(URL url, RequestOptions options = {});
    Response options(URL url, RequestOptions options = {});
    Response head(URL url, RequestOptions options = {});
    Response post(URL url, RequestOptions options = {});
    Response put(URL url, RequestOptions options = {});
    Response patch(URL url, RequestOptions options = {});
    Response delete_(URL url, RequestOptions options = {});
    /// Builds the request (`build_request`) and sends it (`send`), reading the body.
    Response request(std::string_view method, URL url, RequestOptions options = {});
    /// As `request`, but returns once the headers are in, body unread (HTTPX's
    /// `with client.stream(...) as response:`): read it with `iter_bytes()` etc. When the last
    /// copy of the response goes, an unread body is closed and its connection not reused.
    Response stream(std::string_view method, URL url, RequestOptions options = {});

    /// As `AsyncClient::build_request`.
    Request build_request(std::string_view method, URL url, RequestOptions options = {}) const;
    /// As `AsyncClient::send`: auth flow, redirects (when following), event hooks, cookies.
    Response send(Request request, SendOptions options = {});

    /// Closes every transport (their pooled connections). Requests after this throw
    /// `std::logic_error`. Safe to call twice.
    void close();
    bool is_closed() const noexcept;

    /// As `AsyncClient::headers`: mutable in place, not synchronised.
    Headers& headers();
    const Headers& headers() const;
    void set_headers(Headers headers);
    /// The client's cookie jar itself (HTTPX's `client.cookies`), as `AsyncClient::cookies`.
    Cookies& cookies();
    const Cookies& cookies() const;
    void set_cookies(Cookies cookies);
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
    /// The client's authentication, null when there is none.
    std::shared_ptr<Auth> auth() const;
    void set_auth(AuthOption auth);
    bool trust_env() const;

    // Not API: public only because the top-level functions of src/client/client.cpp name it.
    struct Impl;

private:
    std::shared_ptr<Impl> impl_;
};

/// The options of the top-level functions (HTTPX's `httpx.request(...)` keywords): the
/// request's (`RequestOptions`, in its order) and the client-level ones of the temporary
/// `Client` each call makes.
struct TopLevelOptions {
    std::optional<AsyncByteStream> content{};
    FormData data{};
    Files files{};
    JsonOption json{};
    std::optional<QueryParams> params{};
    Headers headers{};
    Cookies cookies{};
    AuthOption auth{};
    std::optional<Proxy> proxy{};
    Timeout timeout{};
    bool follow_redirects = false;
    VerifyOption verify = true;
    std::optional<ClientCert> cert{};
    bool trust_env = true;
    Extensions extensions{};
};

/// One request with a temporary `Client` (HTTPX's `httpx.request`), body read.
Response request(std::string_view method, URL url, TopLevelOptions options = {});
/// The same, returning once the headers are in (HTTPX's `with httpx.stream(...) as r:`): the
/// response keeps its temporary client until its last copy goes; read it with `iter_bytes()`.
Response stream(std::string_view method, URL url, TopLevelOptions options = {});
Response get(URL url, TopLevelOptions options = {});
Response options(URL url, TopLevelOptions options = {});
Response head(URL url, TopLevelOptions options = {});
Response post(URL url, TopLevelOptions options = {});
Response put(URL url, TopLevelOptions options = {});
Response patch(URL url, TopLevelOptions options = {});
Response delete_(URL url, TopLevelOptions options = {});

}  // namespace httpx
