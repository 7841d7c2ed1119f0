// AsyncClient: HTTPX's client policies (httpx/_client.py) over any AsyncBaseTransport.
#include "httpx/async_client.hpp"

#include "client/url_pattern.hpp"
#include "content/decoders.hpp"
#include "httpx/exceptions.hpp"
#include "httpx/http_transport.hpp"
#include "models/default_port.hpp"
#include "models/headers_access.hpp"
#include "models/response_access.hpp"

#include <algorithm>
#include <mutex>

namespace httpx {

namespace {

Headers default_headers() {
    return Headers{{"Accept", "*/*"},
                   {"Accept-Encoding", std::string(content::supported_content_encodings())},
                   {"Connection", "keep-alive"},
                   {"User-Agent", std::string("httpxx/") + version}};
}

// HTTPX's _enforce_trailing_slash: base_url always ends in '/', so that merging appends.
URL with_trailing_slash(const URL& url) {
    if (url.str().empty() || url.encoded_path().ends_with('/')) return url;
    URL::Components components;
    components.path = url.path() + "/";
    return url.copy_with(components);
}

bool same_origin(const URL& a, const URL& b) {
    return a.scheme() == b.scheme() && a.host() == b.host() &&
           detail::port_or_default(a) == detail::port_or_default(b);
}

bool is_https_redirect(const URL& from, const URL& to) {
    return from.host() == to.host() && from.scheme() == "http" &&
           detail::port_or_default(from) == 80 && to.scheme() == "https" &&
           detail::port_or_default(to) == 443;
}

// Attaches the request to a RequestError that has none (HTTPX's request_context).
[[noreturn]] void rethrow_with_request(RequestError& error, const Request& request) {
    if (!error.has_request()) error.set_request(std::make_shared<Request>(request));
    throw;
}
// The same with a request nobody changes after this: shared, not copied.
[[noreturn]] void rethrow_with_request(RequestError& error,
                                       const std::shared_ptr<Request>& request) {
    if (!error.has_request()) error.set_request(request);
    throw;
}

}  // namespace

struct AsyncClient::Impl {
    mutable std::mutex mutex;  // guards everything below that setters can change
    Headers headers;
    QueryParams params;
    Cookies cookies;
    URL base_url;
    Timeout timeout;
    EventHooks event_hooks;
    bool follow_redirects = false;
    int max_redirects = 20;
    std::shared_ptr<Auth> auth;
    std::string default_encoding;

    std::shared_ptr<AsyncBaseTransport> transport;
    // The transport the client made itself (no `transport` option), null otherwise.
    // Mounts, most specific first; a null transport means "the default one".
    std::vector<std::pair<detail::URLPattern, std::shared_ptr<AsyncBaseTransport>>> mounts;
    bool closed = false;

    explicit Impl(ClientOptions&& o) {
        headers = default_headers();
        headers.update(o.headers);
        params = std::move(o.params);
        cookies = std::move(o.cookies);
        base_url = with_trailing_slash(o.base_url);
        timeout = o.timeout;
        event_hooks = std::move(o.event_hooks);
        follow_redirects = o.follow_redirects;
        max_redirects = o.max_redirects;
        auth = o.auth.get();
        default_encoding = std::move(o.default_encoding);
        if (o.transport) {
            transport = std::move(o.transport);
        } else {
            HTTPTransportOptions transport_options;
            transport_options.verify = std::move(o.verify);
            transport_options.cert = std::move(o.cert);
            transport_options.http1 = o.http1;
            transport_options.http2 = o.http2;
            transport_options.limits = o.limits;
            transport_options.proxy = std::move(o.proxy);
            transport = std::make_shared<AsyncHTTPTransport>(std::move(transport_options));
        }
        for (auto& [pattern, mounted] : o.mounts)
            mounts.emplace_back(detail::URLPattern(pattern), mounted);
        std::stable_sort(mounts.begin(), mounts.end(), [](const auto& a, const auto& b) {
            return a.first.priority() < b.first.priority();
        });
    }

    std::shared_ptr<AsyncBaseTransport> transport_for_url(const URL& url) const {
        for (const auto& [pattern, mounted_transport] : mounts)
            if (pattern.matches(url)) return mounted_transport ? mounted_transport : transport;
        return transport;
    }

    // In place: `url` is the caller's to consume (a URL is seven strings, moved at every
    // hand-over).
    void merge_url(URL& url) const {
        if (url.is_absolute_url()) return;
        // HTTPX: base.raw_path + url.raw_path.lstrip("/"), on the base URL.
        std::string relative = url.raw_path();
        relative.erase(0, relative.find_first_not_of('/'));
        std::string merged;
        if (!base_url.scheme().empty()) merged = base_url.scheme() + "://";
        if (!base_url.userinfo().empty()) merged += base_url.userinfo() + "@";
        merged += base_url.netloc() + base_url.raw_path() + relative;
        url = URL(merged);
    }

    // Consumes `url` and `options`: taken by reference so that they move once, into the Request.
    Request build_request(std::string_view method, URL& url, RequestOptions& options) const {
        merge_defaults(url, options);
        return Request(method, std::move(url), std::move(options));
    }

    // build_request() but the Request: the client's base URL, headers, params, cookies and
    // timeout merged into the caller's, in place.
    void merge_defaults(URL& url, RequestOptions& options) const {
        std::lock_guard lock(mutex);
        merge_url(url);
        // Room for the Host and Content-Length fields the Request puts in front.
        Headers merged_headers;
        auto& items = detail::HeadersAccess::items(merged_headers);
        items.reserve(headers.size() + options.headers.size() + 2);
        items.insert(items.end(), headers.begin(), headers.end());
        merged_headers.update(options.headers);
        options.headers = std::move(merged_headers);
        if (!options.params.empty() || !params.empty())
            options.params = params.merge(options.params);
        if (!cookies.empty() || !options.cookies.empty()) {
            Cookies merged_cookies = cookies;
            merged_cookies.update(options.cookies);
            options.cookies = std::move(merged_cookies);
        }
        // One lookup; a "timeout" the caller set stays.
        options.extensions.try_emplace("timeout", std::in_place_type<Timeout>,
                                       options.timeout.value_or(timeout));
    }

    static void set_cookie_header(Request& request, const Cookies& jar) {
        if (request.headers().contains("Cookie")) return;
        std::string header = jar.cookie_header_for(request.url());
        if (!header.empty()) request.headers().set("Cookie", std::move(header));
    }

    // `client_auth`: the client's auth, read by the caller under the lock.
    static std::shared_ptr<Auth> auth_for(const Request& request, const AuthOption& option,
                                          std::shared_ptr<Auth> client_auth) {
        if (option.is_client_default()) {
            if (client_auth) return client_auth;
        } else if (option.get()) {
            return option.get();
        }
        const URL& url = request.url();
        if (!url.username().empty() || !url.password().empty())
            return std::make_shared<BasicAuth>(url.username(), url.password());
        return no_auth();
    }

    // Stateless: one for all requests.
    static const std::shared_ptr<Auth>& no_auth() {
        static const auto none = std::make_shared<Auth>();
        return none;
    }

    Request build_redirect_request(const Request& request, const Response& response) const {
        // Method: what browsers do for 301/302/303.
        std::string method = request.method();
        int status = response.status_code();
        if ((status == 303 || status == 302) && method != "HEAD") method = "GET";
        if (status == 301 && method == "POST") method = "GET";

        // URL: the Location header, joined to the request URL.
        URL url;
        try {
            url = URL(response.headers()["Location"]);
        } catch (const InvalidURL& e) {
            throw RemoteProtocolError(
                std::string("Invalid URL in location header: ") + e.what() + ".",
                std::make_shared<Request>(request));
        }
        if (!url.scheme().empty() && url.raw_host().empty()) {
            URL::Components host;
            host.host = request.url().host();
            url = url.copy_with(host);
        }
        if (url.is_relative_url()) url = request.url().join(url);
        if (!request.url().fragment().empty() && url.fragment().empty()) {
            URL::Components fragment;
            fragment.fragment = request.url().fragment();
            url = url.copy_with(fragment);
        }

        Headers redirect_headers = request.headers();
        if (!same_origin(url, request.url())) {
            if (!is_https_redirect(request.url(), url)) redirect_headers.erase("Authorization");
            redirect_headers.set("Host", url.netloc());
        }
        bool to_get = method != request.method() && method == "GET";
        if (to_get) {
            redirect_headers.erase("Content-Length");
            redirect_headers.erase("Transfer-Encoding");
        }
        redirect_headers.erase("Cookie");

        AsyncByteStream stream = to_get ? AsyncByteStream() : request.stream();
        Request next = Request::from_parts(method, std::move(url), std::move(redirect_headers),
                                           std::move(stream), request.extensions());
        std::lock_guard lock(mutex);
        set_cookie_header(next, cookies);
        return next;
    }

    // What every response gets before a hook sees it: its cookies go to the jar, the clock
    // behind elapsed() starts, the client's default encoding applies.
    void received(const Request& request, Response& response,
                  std::chrono::steady_clock::time_point start) {
        {
            std::lock_guard lock(mutex);
            cookies.extract_cookies(request.url(), response.headers());
        }
        detail::ResponseAccess::start_elapsed_clock(response, start);
        detail::ResponseAccess::set_default_encoding(response, default_encoding);
    }

    // `first` is the auth flow's request, used in place (as HTTPX does: hooks may modify it);
    // redirects build their own. `first_is_ours`: nobody uses `first` after this returns.
    // `first_response`: the response to `first` when the caller sent it already (run()'s
    // common case, which comes here only for its redirect): the loop goes on from there.
    // Each exchange is sent inline (no coroutine of its own: a frame and a resume per request).
    awaitable<Response> send_handling_redirects(Request& first, bool follow,
                                                std::vector<Response>& history,
                                                bool first_is_ours = false,
                                                std::optional<Response> first_response = {}) {
        std::optional<Request> redirected;
        EventHooks hooks;
        int redirect_limit = 0;
        {
            std::lock_guard lock(mutex);
            hooks = event_hooks;
            redirect_limit = max_redirects;
        }
        for (;;) {
            Request& request = redirected ? *redirected : first;
            std::optional<Response> sent = std::exchange(first_response, std::nullopt);
            const bool sent_here = !sent;
            if (sent_here) {
                if (history.size() > static_cast<std::size_t>(redirect_limit))
                    throw TooManyRedirects("Exceeded maximum allowed redirects.",
                                           std::make_shared<Request>(request));
                for (const auto& hook : hooks.request) co_await hook(request);

                // As in HTTPX, the scheme is the transport's business: a MockTransport or a
                // mount may handle any scheme, AsyncHTTPTransport raises UnsupportedProtocol
                // for others.
                std::shared_ptr<AsyncBaseTransport> chosen = transport_for_url(request.url());
                auto start = std::chrono::steady_clock::now();
                try {
                    sent.emplace(co_await chosen->handle_async_request(request));
                } catch (RequestError& e) {
                    rethrow_with_request(e, request);
                }
                received(request, *sent, start);
                // Response hooks see the response before its redirect is decided: keep the
                // request. Otherwise a response that does not redirect keeps the request itself
                // instead of a copy when nobody uses it after this.
                const bool last_use = (redirected || first_is_ours) && hooks.response.empty();
                if (last_use && !sent->has_redirect_location())
                    sent->set_request(std::move(request));
                else
                    sent->set_request(request);
            }
            Response& response = *sent;

            try {
                if (sent_here)
                    for (const auto& hook : hooks.response) co_await hook(response);
                response.set_history(history);
                if (!response.has_redirect_location()) co_return std::move(response);
                Request next = build_redirect_request(request, response);
                history.push_back(response);
                if (!follow) {
                    response.set_next_request(std::move(next));
                    co_return std::move(response);
                }
                co_await detail::ResponseAccess::read(response);
                redirected = std::move(next);
            } catch (...) {
                response.close();
                throw;
            }
        }
    }

    // A verb's request, on the heap from the start: first the verb's arguments (run() starts
    // only when awaited, and builds the request then, as HTTPX does), then the Request built
    // from them in place, which the response keeps (one allocation, no move of the Request,
    // and run()'s coroutine frame, allocated for every request, stays small).
    struct PendingRequest {
        // A constructor (not aggregate initialisation from make_shared: clang 14 has none).
        PendingRequest(std::string_view m, URL&& u, RequestOptions&& o)
            : method(m), url(std::move(u)), options(std::move(o)) {}
        // A verb called without options: none made by the caller to be moved here.
        PendingRequest(std::string_view m, URL&& u) : method(m), url(std::move(u)) {}

        std::string method;
        URL url;
        RequestOptions options;
        std::optional<Request> request;
    };

    // Where run() gets its request: a verb's arguments (NewRequest), or a request built by the
    // caller (BuiltRequest, send()).
    struct NewRequest {
        std::shared_ptr<PendingRequest> pending;
        bool stream = false;

        bool streamed() const { return stream; }
        std::optional<bool> follow_option() const { return pending->options.follow_redirects; }
        // The Request has no use for it.
        AuthOption take_auth() { return std::move(pending->options.auth); }
        std::shared_ptr<Request> take(const Impl& impl) {
            PendingRequest& p = *pending;
            impl.merge_defaults(p.url, p.options);
            p.request.emplace(p.method, std::move(p.url), std::move(p.options));
            return std::shared_ptr<Request>(std::move(pending), &*p.request);
        }
    };
    struct BuiltRequest {
        std::shared_ptr<Request> request;
        SendOptions options;

        bool streamed() const { return options.stream; }
        std::optional<bool> follow_option() const { return options.follow_redirects; }
        AuthOption take_auth() { return std::move(options.auth); }
        std::shared_ptr<Request> take(const Impl&) { return std::move(request); }
    };

    // The one coroutine behind every public send: it builds the request (unless given one
    // built), picks the auth, sends and reads the body, all in one frame when there is no auth
    // flow, no hook and no redirect (the common case). Takes the client's state by shared_ptr,
    // so that a request spawned detached (`co_spawn(ex, client.get(url), detached)`) stays
    // valid even if the AsyncClient object goes away before it completes.
    template <class Source>
    static awaitable<Response> run(std::shared_ptr<Impl> self, Source source) {
        const std::optional<bool> follow_option = source.follow_option();
        const AuthOption auth_option = source.take_auth();
        // On the heap: the response keeps it, neither copied nor moved again.
        const std::shared_ptr<Request> request = source.take(*self);
        bool follow = false;
        bool hooked = false;
        std::shared_ptr<Auth> request_auth;
        {
            std::lock_guard lock(self->mutex);
            if (self->closed)
                throw std::logic_error("Cannot send a request, as the client has been closed.");
            follow = follow_option.value_or(self->follow_redirects);
            hooked = !self->event_hooks.request.empty() || !self->event_hooks.response.empty();
            if (auth_option.is_client_default()) request_auth = self->auth;
        }
        request_auth = auth_for(*request, auth_option, std::move(request_auth));
        std::optional<Response> response;
        std::vector<Response> history;
        if (request_auth != no_auth()) {
            response.emplace(
                co_await run_auth_flow(self.get(), *request, std::move(request_auth), follow));
        } else if (hooked) {
            // No auth flow to run (Auth::auth_flow would send the request once), but hooks: the
            // loop runs them. The request is ours.
            response.emplace(
                co_await self->send_handling_redirects(*request, follow, history, true));
        } else {
            // One exchange, inline (send_handling_redirects' first round without its hooks).
            std::shared_ptr<AsyncBaseTransport> chosen = self->transport_for_url(request->url());
            const auto start = std::chrono::steady_clock::now();
            try {
                response.emplace(co_await chosen->handle_async_request(*request));
            } catch (RequestError& e) {
                rethrow_with_request(e, request);
            }
            self->received(*request, *response, start);
            if (!response->has_redirect_location()) {
                detail::ResponseAccess::set_request(*response, request);
            } else {
                response->set_request(*request);
                Response redirect = std::move(*response);
                response.reset();
                response.emplace(co_await self->send_handling_redirects(*request, follow, history,
                                                                        true, std::move(redirect)));
            }
        }
        if (!source.streamed()) {
            try {
                // The body inline when it needs no decoding (no frame of ResponseAccess::read).
                if (auto chunks = detail::ResponseAccess::raw_chunks(*response)) {
                    Bytes body;
                    for (;;) {
                        std::optional<Bytes> chunk = co_await chunks->next();
                        if (!detail::ResponseAccess::append_raw_chunk(*response, body,
                                                                      std::move(chunk)))
                            break;
                    }
                } else {
                    co_await detail::ResponseAccess::read(*response);
                }
            } catch (...) {
                response->close();
                throw;
            }
        }
        co_return std::move(*response);
    }

    // A request with an auth flow (Auth::auth_flow), which sends through `send_one`; every
    // response but the last goes to history. A coroutine of its own: the common case's frame
    // does not carry the flow's state.
    static awaitable<Response> run_auth_flow(Impl* impl, Request& request,
                                             std::shared_ptr<Auth> auth, bool follow) {
        if (auth->requires_request_body()) co_await request.aread();
        // One pointer captured: small enough for std::function to hold without allocating.
        struct Flow {
            Impl* impl;
            bool follow;
            std::vector<Response> history;
            std::optional<Response> previous;
        } flow{impl, follow, {}, {}};
        AuthSend send_one = [captured = &flow](Request& next) -> awaitable<Response> {
            Flow* f = captured;  // read before the first suspension (the closure may move)
            if (f->previous) {
                co_await detail::ResponseAccess::read(*f->previous);
                f->history.push_back(*f->previous);
            }
            std::vector<Response> chain = f->history;
            Response response = co_await f->impl->send_handling_redirects(next, f->follow, chain);
            f->previous = response;
            co_return response;
        };
        Response response = co_await auth->auth_flow(request, send_one);
        co_return response;
    }
};

AsyncClient::AsyncClient() : AsyncClient(ClientOptions{}) {}
AsyncClient::AsyncClient(ClientOptions options)
    : impl_(std::make_shared<Impl>(std::move(options))) {}
AsyncClient::AsyncClient(AsyncClient&&) noexcept = default;
AsyncClient& AsyncClient::operator=(AsyncClient&&) noexcept = default;
AsyncClient::~AsyncClient() {
    if (impl_) {
        std::lock_guard lock(impl_->mutex);
        impl_->closed = true;
    }
}

namespace {

awaitable<Response> send_request(const std::shared_ptr<AsyncClient::Impl>& impl,
                                 std::string_view method, URL& url, RequestOptions& options,
                                 bool stream) {
    using Impl = AsyncClient::Impl;
    auto pending =
        std::make_shared<Impl::PendingRequest>(method, std::move(url), std::move(options));
    return Impl::run(impl, Impl::NewRequest{std::move(pending), stream});
}
// The same without options.
awaitable<Response> send_request(const std::shared_ptr<AsyncClient::Impl>& impl,
                                 std::string_view method, URL& url, bool stream) {
    using Impl = AsyncClient::Impl;
    auto pending = std::make_shared<Impl::PendingRequest>(method, std::move(url));
    return Impl::run(impl, Impl::NewRequest{std::move(pending), stream});
}

}  // namespace

awaitable<Response> AsyncClient::request(std::string_view method, URL url) {
    return send_request(impl_, method, url, false);
}

awaitable<Response> AsyncClient::request(std::string_view method, URL url, RequestOptions options) {
    return send_request(impl_, method, url, options, false);
}

awaitable<Response> AsyncClient::stream(std::string_view method, URL url) {
    return send_request(impl_, method, url, true);
}

awaitable<Response> AsyncClient::stream(std::string_view method, URL url, RequestOptions options) {
    return send_request(impl_, method, url, options, true);
}

#define HTTPX_CLIENT_VERB(name, METHOD)                                      \
    awaitable<Response> AsyncClient::name(URL url) {                         \
        return send_request(impl_, METHOD, url, false);                      \
    }                                                                        \
    awaitable<Response> AsyncClient::name(URL url, RequestOptions options) { \
        return send_request(impl_, METHOD, url, options, false);             \
    }
HTTPX_CLIENT_VERB(get, "GET")
HTTPX_CLIENT_VERB(options, "OPTIONS")
HTTPX_CLIENT_VERB(head, "HEAD")
HTTPX_CLIENT_VERB(post, "POST")
HTTPX_CLIENT_VERB(put, "PUT")
HTTPX_CLIENT_VERB(patch, "PATCH")
HTTPX_CLIENT_VERB(delete_, "DELETE")
#undef HTTPX_CLIENT_VERB

Request AsyncClient::build_request(std::string_view method, URL url, RequestOptions options) const {
    return impl_->build_request(method, url, options);
}

awaitable<Response> AsyncClient::send(Request request) {
    return Impl::run(impl_, Impl::BuiltRequest{std::make_shared<Request>(std::move(request)), {}});
}

awaitable<Response> AsyncClient::send(Request request, SendOptions options) {
    return Impl::run(impl_, Impl::BuiltRequest{std::make_shared<Request>(std::move(request)),
                                               std::move(options)});
}

awaitable<void> AsyncClient::aclose() {
    std::vector<std::shared_ptr<AsyncBaseTransport>> transports;
    {
        std::lock_guard lock(impl_->mutex);
        if (impl_->closed) co_return;
        impl_->closed = true;
        transports.push_back(impl_->transport);
        for (const auto& [pattern, mounted] : impl_->mounts)
            if (mounted) transports.push_back(mounted);
    }
    for (const auto& transport : transports) co_await transport->aclose();
}

bool AsyncClient::is_closed() const noexcept {
    std::lock_guard lock(impl_->mutex);
    return impl_->closed;
}

const Headers& AsyncClient::headers() const {
    return impl_->headers;
}
void AsyncClient::set_headers(Headers headers) {
    std::lock_guard lock(impl_->mutex);
    impl_->headers = default_headers();
    impl_->headers.update(headers);
}
Cookies AsyncClient::cookies() const {
    std::lock_guard lock(impl_->mutex);
    return impl_->cookies;
}
void AsyncClient::set_cookies(Cookies cookies) {
    std::lock_guard lock(impl_->mutex);
    impl_->cookies = std::move(cookies);
}
const QueryParams& AsyncClient::params() const {
    return impl_->params;
}
void AsyncClient::set_params(QueryParams params) {
    std::lock_guard lock(impl_->mutex);
    impl_->params = std::move(params);
}
const URL& AsyncClient::base_url() const {
    return impl_->base_url;
}
void AsyncClient::set_base_url(URL url) {
    std::lock_guard lock(impl_->mutex);
    impl_->base_url = with_trailing_slash(url);
}
const Timeout& AsyncClient::timeout() const {
    return impl_->timeout;
}
void AsyncClient::set_timeout(Timeout timeout) {
    std::lock_guard lock(impl_->mutex);
    impl_->timeout = timeout;
}
const EventHooks& AsyncClient::event_hooks() const {
    return impl_->event_hooks;
}
void AsyncClient::set_event_hooks(EventHooks hooks) {
    std::lock_guard lock(impl_->mutex);
    impl_->event_hooks = std::move(hooks);
}
bool AsyncClient::follow_redirects() const {
    std::lock_guard lock(impl_->mutex);
    return impl_->follow_redirects;
}
void AsyncClient::set_follow_redirects(bool follow) {
    std::lock_guard lock(impl_->mutex);
    impl_->follow_redirects = follow;
}
int AsyncClient::max_redirects() const {
    std::lock_guard lock(impl_->mutex);
    return impl_->max_redirects;
}
void AsyncClient::set_max_redirects(int max_redirects) {
    std::lock_guard lock(impl_->mutex);
    impl_->max_redirects = max_redirects;
}
void AsyncClient::set_auth(AuthOption auth) {
    std::lock_guard lock(impl_->mutex);
    impl_->auth = auth.get();
}

}  // namespace httpx
