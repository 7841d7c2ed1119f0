// A separate project built against the installed package: it names every type of API.md's
// Models, Configuration, Responses and Exceptions sections and drives an AsyncClient over a
// MockTransport. It exits non-zero when anything is off. tests/install/run.sh builds it with
// g++ and with clang++ against the same (g++-built) library.
//
// It is also a program that uses Asio itself, with Asio's default configuration (the package
// imposes none but the backend's): its own timer and coroutine run beside the client's on one
// io_context, and it uses a Networking TS member that BOOST_ASIO_NO_TS_EXECUTORS would remove.
#include <httpx/httpx.hpp>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/use_future.hpp>

#if defined(BOOST_ASIO_SEPARATE_COMPILATION) || defined(BOOST_ASIO_NO_TS_EXECUTORS)
#error "the httpxx package must not impose Asio's configuration on its consumers"
#endif

#include <filesystem>
#include <fstream>
#include <iostream>

namespace asio = boost::asio;
using namespace std::chrono_literals;

namespace {

int failures = 0;
void check(bool ok, const char* what) {
    if (!ok) {
        std::cerr << "FAILED: " << what << "\n";
        ++failures;
    }
}

httpx::AsyncGenerator<httpx::Bytes> lines_of_text() {
    co_yield "first line\nsec";
    co_await httpx::sleep(1ms);
    co_yield "ond line\n";
}

class CountingAuth : public httpx::Auth {
public:
    httpx::awaitable<httpx::Response> auth_flow(httpx::Request& request,
                                                httpx::AuthSend send) override {
        request.headers().set("X-Auth", "custom");
        co_return co_await send(request);
    }
};

httpx::awaitable<void> run() {
    // Models
    httpx::URL url("https://user:secret@example.com:8443/a%20b?x=1#frag");
    check(url.host() == "example.com" && url.port() == 8443 && url.path() == "/a b", "URL");
    check(url.params().get("x") == "1" && url.fragment() == "frag", "URL params");
    httpx::QueryParams params{{"a", "1"}, {"b", "x y"}};
    check(params.str() == "a=1&b=x+y", "QueryParams");
    httpx::Headers headers{{"X-Thing", "1"}};
    check(headers.get("x-thing") == "1", "Headers");
    httpx::Cookies cookies;
    cookies.set("session", "abc");
    check(cookies.get("session") == "abc", "Cookies");
    check(httpx::codes::NOT_FOUND == 404 && httpx::codes::get_reason_phrase(404) == "Not Found",
          "codes");

    // Configuration
    httpx::Timeout timeout(10s, {.connect = 60s});
    check(timeout.connect == 60s && timeout.read == 10s, "Timeout");
    httpx::Timeout no_limits(std::nullopt);
    check(!no_limits.pool, "Timeout(nullopt)");
    httpx::Limits limits{.max_connections = 10};
    check(limits.max_keepalive_connections == 20u, "Limits");
    httpx::Proxy proxy("http://proxy.local:3128");
    check(proxy.url().find("proxy.local") != std::string::npos, "Proxy");
    httpx::BasicAuth basic("user", "pass");
    httpx::DigestAuth digest("user", "pass");
    auto netrc_file = std::filesystem::temp_directory_path() / "httpxx-consumer.netrc";
    std::ofstream(netrc_file) << "machine example.com login user password pass\n";
    httpx::NetRCAuth netrc(netrc_file);
    (void)digest;
    (void)netrc;
    int hook_calls = 0;
    httpx::EventHooks hooks;
    hooks.request.push_back([&](httpx::Request&) { ++hook_calls; });
    hooks.response.push_back([&](httpx::Response&) -> httpx::awaitable<void> {
        ++hook_calls;
        co_return;
    });

    // AsyncClient over MockTransport
    auto transport = std::make_shared<httpx::MockTransport>([](httpx::Request& request) {
        httpx::ResponseOptions options;
        if (request.url().path().ends_with("/stream")) {
            options.stream = httpx::AsyncByteStream(lines_of_text());
            return httpx::Response(200, options);
        }
        options.json = {{"method", request.method()},
                        {"auth", request.headers().get("Authorization").value_or("")},
                        {"custom", request.headers().get("X-Auth").value_or("")}};
        return httpx::Response(200, options);
    });
    httpx::ClientOptions client_options;
    client_options.transport = transport;
    client_options.base_url = "https://api.example.com/v1";
    client_options.event_hooks = hooks;
    client_options.auth = basic;
    client_options.timeout = timeout;
    client_options.limits = limits;
    httpx::AsyncClient client(client_options);

    httpx::Response response = co_await client.get("/things");
    check(response.status_code() == 200 && response.is_success(), "get");
    check(response.url().str() == "https://api.example.com/v1/things", "base_url");
    check(response.json()["auth"] == "Basic dXNlcjpwYXNz", "basic auth");
    check(hook_calls == 2, "event hooks");

    httpx::RequestOptions custom;
    custom.auth = CountingAuth();
    httpx::Response custom_response = co_await client.post("/things", custom);
    check(custom_response.json()["custom"] == "custom", "custom auth");

    // Responses
    httpx::Response streamed = co_await client.stream("GET", "/stream");
    check(!streamed.is_stream_consumed(), "stream unread");
    try {
        (void)streamed.content();
        check(false, "ResponseNotRead");
    } catch (const httpx::ResponseNotRead&) {
    }
    auto lines = streamed.aiter_lines();
    int line_count = 0;
    while (auto line = co_await lines.next()) ++line_count;
    check(line_count == 2 && streamed.is_closed(), "aiter_lines");

    // Exceptions
    httpx::Response missing(404);
    missing.set_request(httpx::Request("GET", "https://example.com/missing"));
    try {
        missing.raise_for_status();
        check(false, "raise_for_status");
    } catch (const httpx::HTTPStatusError& e) {
        check(e.response().status_code() == 404, "HTTPStatusError::response");
    }
    try {
        httpx::URL bad("http://example.com:99999/");
        check(false, "InvalidURL");
    } catch (const httpx::InvalidURL&) {
    }
    // Every exception of the hierarchy, caught through HTTPX's parent classes.
    auto raises = [](auto exception, auto parent_tag) {
        try {
            throw exception;
        } catch (const decltype(parent_tag)&) {
            return true;
        } catch (...) {
            return false;
        }
    };
    using namespace httpx;
    check(
        raises(ConnectTimeout("x"), TimeoutException("")) &&
            raises(ReadTimeout("x"), TransportError("")) &&
            raises(WriteTimeout("x"), RequestError("")) &&
            raises(PoolTimeout("x"), HTTPError("")) &&
            raises(ConnectError("x"), NetworkError("")) &&
            raises(ReadError("x"), NetworkError("")) && raises(WriteError("x"), NetworkError("")) &&
            raises(CloseError("x"), NetworkError("")) &&
            raises(LocalProtocolError("x"), ProtocolError("")) &&
            raises(RemoteProtocolError("x"), ProtocolError("")) &&
            raises(ProxyError("x"), TransportError("")) &&
            raises(UnsupportedProtocol("x"), TransportError("")) &&
            raises(DecodingError("x"), RequestError("")) &&
            raises(TooManyRedirects("x"), RequestError("")) &&
            raises(CookieConflict("x"), std::exception()) &&
            raises(StreamConsumed(), StreamError("")) && raises(StreamClosed(), StreamError("")) &&
            raises(ResponseNotRead(), StreamError("")) && raises(RequestNotRead(), StreamError("")),
        "exception hierarchy");

    // The rest of the response API.
    httpx::Response again = co_await client.stream("GET", "/stream");
    co_await again.aread();
    check(again.text() == "first line\nsecond line\n" && again.is_stream_consumed(), "aread");
    try {
        auto raw = again.aiter_raw();
        check(false, "StreamConsumed");
    } catch (const httpx::StreamConsumed&) {
    }
    httpx::Response closed = co_await client.stream("GET", "/stream");
    co_await closed.aclose();
    try {
        auto text = closed.aiter_text();
        check(false, "StreamClosed");
    } catch (const httpx::StreamClosed&) {
    }
    httpx::Response bytes_response = co_await client.stream("GET", "/stream");
    auto bytes = bytes_response.aiter_bytes(4);
    std::size_t total = 0;
    while (auto chunk = co_await bytes.next()) total += chunk->size();
    check(total == 23 && bytes_response.num_bytes_downloaded() == 23, "aiter_bytes");
    check(bytes_response.http_version() == "HTTP/1.1" && bytes_response.reason_phrase() == "OK" &&
              bytes_response.elapsed().count() >= 0 && bytes_response.history().empty(),
          "response attributes");

    co_await client.aclose();
    check(client.is_closed(), "aclose");
}

// The program's own Asio code: a timer, and a coroutine of its own type, on the client's
// io_context.
asio::awaitable<int> own_asio_work() {
    asio::steady_timer timer(co_await asio::this_coro::executor, 5ms);
    const auto start = std::chrono::steady_clock::now();
    co_await timer.async_wait(asio::use_awaitable);
    co_return std::chrono::steady_clock::now() - start >= 5ms ? 1 : 0;
}

}  // namespace

int main() {
    // The Asio backend of the program and of the library agree (the package passes it on).
#if defined(BOOST_ASIO_HAS_IO_URING_AS_DEFAULT)
    check(httpx::io_backend() == httpx::IoBackend::io_uring, "io_backend (io_uring)");
#else
    check(httpx::io_backend() == httpx::IoBackend::epoll, "io_backend (epoll)");
#endif
    httpx::check_io_backend();
    asio::io_context io;
    check(&io.get_executor().context() == &io, "Networking TS executor member");
    auto own = asio::co_spawn(io, own_asio_work(), asio::use_future);
    auto done = asio::co_spawn(io, run(), asio::use_future);
    io.run();
    check(own.get() == 1, "the program's own timer");
    done.get();
    if (failures == 0) std::cout << "consumer: every check passed\n";
    return failures == 0 ? 0 : 1;
}
