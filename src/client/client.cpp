// Client: AsyncClient's calls run to completion on a private loop (support/sync_driver.hpp),
// and the top-level functions over a temporary Client.
#include "httpx/client.hpp"

#include "models/response_access.hpp"
#include "support/sync_driver.hpp"

#include <utility>

namespace httpx {

struct Client::Impl {
    // Declared first: destroyed after the client, whose pending operations live on it.
    std::shared_ptr<detail::SyncDriver> driver = std::make_shared<detail::SyncDriver>();
    AsyncClient async;

    explicit Impl(ClientOptions options) : async(std::move(options)) {}
    Impl(const Impl&) = delete;
    Impl& operator=(const Impl&) = delete;
    ~Impl() {
        // From inside the loop (a response of httpx::stream() dropped in a hook) the loop cannot
        // be run: the AsyncClient's destructor closes it without it.
        if (driver->in_loop()) return;
        try {
            close();
        } catch (...) {  // a transport failing to close: nothing to do about it here
        }
    }

    void close() {
        if (!async.is_closed()) driver->run(async.aclose());
    }

    // Runs one call; its response's sync forms run on `owner` (the driver, or an alias of it
    // owning more).
    Response call(awaitable<Response> operation, std::shared_ptr<detail::SyncDriver> owner) {
        Response response = driver->run(std::move(operation));
        detail::ResponseAccess::set_sync_driver(response, std::move(owner));
        return response;
    }
    Response call(awaitable<Response> operation) { return call(std::move(operation), driver); }
};

Client::Client() : Client(ClientOptions{}) {}
Client::Client(ClientOptions options) : impl_(std::make_shared<Impl>(std::move(options))) {}
Client::Client(Client&&) noexcept = default;
Client& Client::operator=(Client&&) noexcept = default;
Client::~Client() = default;  // Impl's destructor closes

#define HTTPX_CLIENT_VERB(name)                                                    \
    Response Client::name(URL url, RequestOptions options) {                       \
        return impl_->call(impl_->async.name(std::move(url), std::move(options))); \
    }
HTTPX_CLIENT_VERB(get)
HTTPX_CLIENT_VERB(options)
HTTPX_CLIENT_VERB(head)
HTTPX_CLIENT_VERB(post)
HTTPX_CLIENT_VERB(put)
HTTPX_CLIENT_VERB(patch)
HTTPX_CLIENT_VERB(delete_)
#undef HTTPX_CLIENT_VERB

Response Client::request(std::string_view method, URL url, RequestOptions options) {
    return impl_->call(impl_->async.request(method, std::move(url), std::move(options)));
}

Response Client::stream(std::string_view method, URL url, RequestOptions options) {
    return impl_->call(impl_->async.stream(method, std::move(url), std::move(options)));
}

Request Client::build_request(std::string_view method, URL url, RequestOptions options) const {
    return impl_->async.build_request(method, std::move(url), std::move(options));
}

Response Client::send(Request request, SendOptions options) {
    return impl_->call(impl_->async.send(std::move(request), std::move(options)));
}

void Client::close() {
    impl_->close();
}
bool Client::is_closed() const noexcept {
    return impl_->async.is_closed();
}

Headers& Client::headers() {
    return impl_->async.headers();
}
const Headers& Client::headers() const {
    return std::as_const(impl_->async).headers();
}
void Client::set_headers(Headers headers) {
    impl_->async.set_headers(std::move(headers));
}
Cookies& Client::cookies() {
    return impl_->async.cookies();
}
const Cookies& Client::cookies() const {
    return std::as_const(impl_->async).cookies();
}
void Client::set_cookies(Cookies cookies) {
    impl_->async.set_cookies(std::move(cookies));
}
const QueryParams& Client::params() const {
    return impl_->async.params();
}
void Client::set_params(QueryParams params) {
    impl_->async.set_params(std::move(params));
}
const URL& Client::base_url() const {
    return impl_->async.base_url();
}
void Client::set_base_url(URL url) {
    impl_->async.set_base_url(std::move(url));
}
const Timeout& Client::timeout() const {
    return impl_->async.timeout();
}
void Client::set_timeout(Timeout timeout) {
    impl_->async.set_timeout(timeout);
}
const EventHooks& Client::event_hooks() const {
    return impl_->async.event_hooks();
}
void Client::set_event_hooks(EventHooks hooks) {
    impl_->async.set_event_hooks(std::move(hooks));
}
bool Client::follow_redirects() const {
    return impl_->async.follow_redirects();
}
void Client::set_follow_redirects(bool follow) {
    impl_->async.set_follow_redirects(follow);
}
int Client::max_redirects() const {
    return impl_->async.max_redirects();
}
void Client::set_max_redirects(int max_redirects) {
    impl_->async.set_max_redirects(max_redirects);
}
std::shared_ptr<Auth> Client::auth() const {
    return impl_->async.auth();
}
void Client::set_auth(AuthOption auth) {
    impl_->async.set_auth(std::move(auth));
}
bool Client::trust_env() const {
    return impl_->async.trust_env();
}

// ------------------------------------------------------------------ top-level functions

namespace {

// HTTPX's top-level functions: the client-level keywords make the temporary client, the rest
// is the request's.
ClientOptions client_options(TopLevelOptions& o) {
    ClientOptions client;
    client.verify = std::move(o.verify);
    client.cert = std::move(o.cert);
    client.proxy = std::move(o.proxy);
    client.timeout = o.timeout;
    client.follow_redirects = o.follow_redirects;
    client.trust_env = o.trust_env;
    return client;
}

RequestOptions request_options(TopLevelOptions& o) {
    RequestOptions request;
    request.content = std::move(o.content);
    request.data = std::move(o.data);
    request.files = std::move(o.files);
    request.json = std::move(o.json);
    request.params = std::move(o.params);
    request.headers = std::move(o.headers);
    request.cookies = std::move(o.cookies);
    request.auth = std::move(o.auth);
    request.extensions = std::move(o.extensions);
    return request;
}

}  // namespace

Response request(std::string_view method, URL url, TopLevelOptions options) {
    Client client(client_options(options));
    return client.request(method, std::move(url), request_options(options));
}

Response stream(std::string_view method, URL url, TopLevelOptions options) {
    // The response owns its temporary client (an alias of the driver owning the whole Impl):
    // the client closes when the response's last copy goes.
    auto impl = std::make_shared<Client::Impl>(client_options(options));
    std::shared_ptr<detail::SyncDriver> owner(impl, impl->driver.get());
    return impl->call(impl->async.stream(method, std::move(url), request_options(options)),
                      std::move(owner));
}

#define HTTPX_TOP_LEVEL_VERB(name, METHOD)                          \
    Response name(URL url, TopLevelOptions options) {               \
        return request(METHOD, std::move(url), std::move(options)); \
    }
HTTPX_TOP_LEVEL_VERB(get, "GET")
HTTPX_TOP_LEVEL_VERB(options, "OPTIONS")
HTTPX_TOP_LEVEL_VERB(head, "HEAD")
HTTPX_TOP_LEVEL_VERB(post, "POST")
HTTPX_TOP_LEVEL_VERB(put, "PUT")
HTTPX_TOP_LEVEL_VERB(patch, "PATCH")
HTTPX_TOP_LEVEL_VERB(delete_, "DELETE")
#undef HTTPX_TOP_LEVEL_VERB

}  // namespace httpx
