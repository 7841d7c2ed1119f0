// AsyncClient: HTTPX's client policies (httpx/_client.py) over any AsyncBaseTransport.
#include "httpx/async_client.hpp"

#include "client/mounts.hpp"
#include "client/redirects.hpp"
#include "content/decoders.hpp"
#include "httpx/exceptions.hpp"
#include "httpx/http_transport.hpp"
#include "models/headers_access.hpp"
#include "models/response_access.hpp"
#include "support/logging.hpp"

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
    // The jar locks itself (client.cookies() hands it out): not under `mutex`.
    Cookies cookies;
    mutable std::mutex mutex;  // guards everything below that setters can change
    Headers headers;
    QueryParams params;
    URL base_url;
    Timeout timeout;
    EventHooks event_hooks;
    bool follow_redirects = false;
    int max_redirects = 20;
    std::shared_ptr<Auth> auth;
    DefaultEncoding default_encoding;
    bool trust_env = true;

    std::shared_ptr<AsyncBaseTransport> transport;
    detail::Mounts mounts;
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
        trust_env = o.trust_env;
        if (o.transport) {
            transport = std::move(o.transport);
        } else {
            HTTPTransportOptions transport_options;
            transport_options.verify = std::move(o.verify);
            transport_options.cert = std::move(o.cert);
            transport_options.trust_env = o.trust_env;
            transport_options.http1 = o.http1;
            transport_options.http2 = o.http2;
            transport_options.limits = o.limits;
            transport_options.proxy = std::move(o.proxy);
            transport = std::make_shared<AsyncHTTPTransport>(std::move(transport_options));
        }
        mounts = detail::Mounts(o.mounts);
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
        // HTTPX's _merge_queryparams: merged only when either side has some; a request's
        // empty QueryParams() stays given (it clears the URL's query), nullopt stays absent.
        if ((options.params && !options.params->empty()) || !params.empty())
            options.params = options.params ? params.merge(*options.params) : params;
        // HTTPX: a copy of the jar with the request's cookies on top (per-request cookies are
        // deprecated there, still applied). The Request picks those for its URL.
        if (!options.cookies.empty()) {
            Cookies merged_cookies = cookies;
            merged_cookies.update(options.cookies);
            options.cookies = std::move(merged_cookies);
        } else if (!cookies.empty()) {
            options.cookies = cookies;
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

    // HTTPX's _build_redirect_request: the redirect rules, then the cookies of the jar.
    Request build_redirect_request(const Request& request, const Response& response) const {
        Request next = detail::redirect_request(request, response);
        set_cookie_header(next, cookies);
        return next;
    }

    // HTTPX's INFO line: HTTP Request: GET https://example.org/ "HTTP/1.1 200 OK".
    static void log_response(const Request& request, const Response& response) {
        std::string line = "HTTP Request: ";
        line.append(request.method()).append(" ").append(request.url().str()).append(" \"");
        line.append(response.http_version()).append(" ");
        line.append(std::to_string(response.status_code())).append(" ");
        line.append(response.reason_phrase()).append("\"");
        detail::log(LogLevel::info, "httpx", line);
    }

    // What every response gets before a hook sees it: its cookies go to the jar, the clock
    // behind elapsed() starts, the client's default encoding applies.
    void received(const Request& request, Response& response,
                  std::chrono::steady_clock::time_point start) {
        if (detail::log_enabled(LogLevel::info)) log_response(request, response);
        cookies.extract_cookies(request.url(), response.headers());
        detail::ResponseAccess::start_elapsed_clock(response, start);
        detail::ResponseAccess::set_default_encoding(response, default_encoding);
    }

    // Who owns the first request of send_handling_redirects, and so what its response keeps.
    enum class FirstRequest {
        // run()'s: nobody changes it once it is sent, so its response shares it.
        shared,
        // An auth flow's: the flow may change it for its next round, so its response keeps a
        // copy (the pointer given owns nothing).
        lent,
    };

    // HTTPX's _send_handling_redirects and _send_single_request: request hooks, the transport,
    // the cookies, response hooks, and the next request while the response redirects (each
    // redirect is read whole first). `history`: the responses before (an auth flow's earlier
    // rounds).
    awaitable<Response> send_handling_redirects(std::shared_ptr<Request> request,
                                                FirstRequest first, bool follow,
                                                std::vector<Response> history) {
        EventHooks hooks;
        int redirect_limit = 0;
        {
            std::lock_guard lock(mutex);
            hooks = event_hooks;
            redirect_limit = max_redirects;
        }
        bool lent = first == FirstRequest::lent;  // only the first can be; redirects are ours
        for (;;) {
            if (history.size() > static_cast<std::size_t>(redirect_limit))
                throw TooManyRedirects("Exceeded maximum allowed redirects.",
                                       std::make_shared<Request>(*request));
            for (const auto& hook : hooks.request) co_await hook(*request);

            // As in HTTPX, the scheme is the transport's business: a MockTransport or a mount
            // may handle any scheme, AsyncHTTPTransport raises UnsupportedProtocol for others.
            std::shared_ptr<AsyncBaseTransport> chosen =
                mounts.transport_for(request->url(), transport);
            const auto start = std::chrono::steady_clock::now();
            std::optional<Response> sent;
            try {
                sent.emplace(co_await chosen->handle_async_request(*request));
            } catch (RequestError& e) {
                if (lent) rethrow_with_request(e, *request);
                rethrow_with_request(e, request);
            }
            Response& response = *sent;
            received(*request, response, start);
            if (lent)
                response.set_request(*request);
            else
                detail::ResponseAccess::set_request(response, request);
            lent = false;

            try {
                for (const auto& hook : hooks.response) co_await hook(response);
                response.set_history(history);
                if (!response.has_redirect_location()) co_return std::move(response);
                // On the heap: a Request in this frame would make it too big for Asio to recycle.
                auto next = std::make_shared<Request>(build_redirect_request(*request, response));
                history.push_back(response);
                if (!follow) {
                    response.set_next_request(std::move(*next));
                    co_return std::move(response);
                }
                co_await detail::ResponseAccess::read(response);
                request = std::move(next);
            } catch (...) {
                response.close();
                throw;
            }
        }
    }

    // One call of a public send, on the heap from the start: what to send (a verb's arguments,
    // built into a Request when run() starts, as HTTPX builds it when the call is awaited; or
    // the caller's Request, send()) and how (SendOptions). The response keeps the Request in
    // place: one allocation, no move of the Request, and run()'s frame stays small.
    struct Call {
        // Constructors, not aggregate initialisation from make_shared: clang 14 has none.
        Call(std::string_view m, URL&& u, RequestOptions&& o, bool stream)
            : method(m), url(std::move(u)), options(std::move(o)) {
            // The Request has no use for these.
            send.stream = stream;
            send.auth = std::move(options.auth);
            send.follow_redirects = options.follow_redirects;
        }
        // A verb called without options: none made by the caller to be moved here.
        Call(std::string_view m, URL&& u, bool stream) : method(m), url(std::move(u)) {
            send.stream = stream;
        }
        Call(Request&& r, SendOptions&& o) : request(std::move(r)), send(std::move(o)) {}

        std::string method;
        URL url;
        RequestOptions options;
        std::optional<Request> request;
        SendOptions send;
    };

    // The call's request (built now from a verb's arguments), sharing the call's allocation.
    std::shared_ptr<Request> take_request(std::shared_ptr<Call> call) const {
        Call& c = *call;
        if (!c.request) {
            merge_defaults(c.url, c.options);
            c.request.emplace(c.method, std::move(c.url), std::move(c.options));
        }
        return std::shared_ptr<Request>(std::move(call), &*c.request);
    }

    // The one coroutine behind every public send (HTTPX's send): it builds the request, picks
    // the auth, sends through the auth flow or straight through the redirect loop, and reads
    // the body unless the caller streams it. Takes the client's state by shared_ptr, so that a
    // request spawned detached (`co_spawn(ex, client.get(url), detached)`) stays valid even if
    // the AsyncClient object goes away before it completes.
    static awaitable<Response> run(std::shared_ptr<Impl> self, std::shared_ptr<Call> call) {
        const SendOptions options = std::move(call->send);
        const std::shared_ptr<Request> request = self->take_request(std::move(call));
        bool follow = false;
        std::shared_ptr<Auth> auth;
        {
            std::lock_guard lock(self->mutex);
            if (self->closed)
                throw std::logic_error("Cannot send a request, as the client has been closed.");
            follow = options.follow_redirects.value_or(self->follow_redirects);
            if (options.auth.is_client_default()) auth = self->auth;
        }
        auth = auth_for(*request, options.auth, std::move(auth));
        awaitable<Response> sending =
            auth == no_auth() ? self->send_handling_redirects(request, FirstRequest::shared, follow,
                                                              std::vector<Response>())
                              : run_auth_flow(self.get(), *request, std::move(auth), follow);
        Response response = co_await std::move(sending);
        if (!options.stream) {
            try {
                co_await detail::ResponseAccess::read(response);
            } catch (...) {
                response.close();
                throw;
            }
        }
        co_return response;
    }

    // A request with an auth flow (Auth::auth_flow), which sends through `send_one`; every
    // response but the last goes to history. A coroutine of its own: run()'s frame does not
    // carry the flow's state.
    static awaitable<Response> run_auth_flow(Impl* impl, Request& request,
                                             std::shared_ptr<Auth> auth, bool follow) {
        if (auth->requires_request_body()) co_await request.aread();
        // One pointer captured: small enough for std::function to hold without allocating.
        struct Flow {
            Impl* impl;
            bool follow;
            bool read_responses;
            std::vector<Response> history;
            std::optional<Response> previous;
        } flow{impl, follow, auth->requires_response_body(), {}, {}};
        AuthSend send_one = [captured = &flow](Request& next) -> awaitable<Response> {
            Flow* f = captured;  // read before the first suspension (the closure may move)
            if (f->previous) {
                co_await detail::ResponseAccess::read(*f->previous);
                f->history.push_back(*f->previous);
            }
            // The flow goes on using `next`: lent, owned by nobody here.
            const std::shared_ptr<Request> lent(std::shared_ptr<Request>(), &next);
            Response response = co_await f->impl->send_handling_redirects(lent, FirstRequest::lent,
                                                                          f->follow, f->history);
            f->previous = response;
            // HTTPX's Auth.async_auth_flow: the body is read before the flow resumes only if
            // the flow asks for it.
            if (f->read_responses) co_await detail::ResponseAccess::read(response);
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
    return Impl::run(
        impl, std::make_shared<Impl::Call>(method, std::move(url), std::move(options), stream));
}
// The same without options.
awaitable<Response> send_request(const std::shared_ptr<AsyncClient::Impl>& impl,
                                 std::string_view method, URL& url, bool stream) {
    using Impl = AsyncClient::Impl;
    return Impl::run(impl, std::make_shared<Impl::Call>(method, std::move(url), stream));
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
    return Impl::run(impl_, std::make_shared<Impl::Call>(std::move(request), SendOptions()));
}

awaitable<Response> AsyncClient::send(Request request, SendOptions options) {
    return Impl::run(impl_, std::make_shared<Impl::Call>(std::move(request), std::move(options)));
}

awaitable<void> AsyncClient::aclose() {
    std::vector<std::shared_ptr<AsyncBaseTransport>> transports;
    {
        std::lock_guard lock(impl_->mutex);
        if (impl_->closed) co_return;
        impl_->closed = true;
        transports = impl_->mounts.transports();
        transports.insert(transports.begin(), impl_->transport);
    }
    for (const auto& transport : transports) co_await transport->aclose();
}

bool AsyncClient::is_closed() const noexcept {
    std::lock_guard lock(impl_->mutex);
    return impl_->closed;
}

Headers& AsyncClient::headers() {
    return impl_->headers;
}
const Headers& AsyncClient::headers() const {
    return impl_->headers;
}
void AsyncClient::set_headers(Headers headers) {
    std::lock_guard lock(impl_->mutex);
    impl_->headers = default_headers();
    impl_->headers.update(headers);
}
Cookies& AsyncClient::cookies() {
    return impl_->cookies;
}
const Cookies& AsyncClient::cookies() const {
    return impl_->cookies;
}
void AsyncClient::set_cookies(Cookies cookies) {
    impl_->cookies = std::move(cookies);  // the jar locks itself; its address stays
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
std::shared_ptr<Auth> AsyncClient::auth() const {
    std::lock_guard lock(impl_->mutex);
    return impl_->auth;
}
void AsyncClient::set_auth(AuthOption auth) {
    std::lock_guard lock(impl_->mutex);
    impl_->auth = auth.get();
}
bool AsyncClient::trust_env() const {
    return impl_->trust_env;  // set once, by the constructor
}

}  // namespace httpx
