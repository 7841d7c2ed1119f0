// httpx::AsyncClient over MockTransport: verbs, default headers, merging, cookies, event hooks,
// mounts, timeouts, closing, errors and concurrent use (HTTPX's tests/client/*).
// Test that header file is self-contained.
#include "httpx/async_client.hpp"

#include "httpx/httpx.hpp"

#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/asio/use_future.hpp>

#include "run_async.hpp"

#include <any>
#include <atomic>
#include <future>
#include <memory>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

using namespace std::chrono_literals;
namespace asio = boost::asio;
using httpx::test::run_async;

namespace {

// What a transport saw of a request (copied before the response goes back).
struct Seen {
    std::string method;
    std::string url;
    std::vector<std::pair<std::string, std::string>> headers;
    httpx::Bytes body;
    std::any timeout;

    std::optional<std::string> header(std::string_view name) const {
        for (const auto& [key, value] : headers)
            if (httpx::iequals(key, name)) return value;
        return std::nullopt;
    }
    std::size_t count(std::string_view name) const {
        std::size_t n = 0;
        for (const auto& [key, value] : headers) n += httpx::iequals(key, name) ? 1 : 0;
        return n;
    }
    std::vector<std::string> header_names() const {
        std::vector<std::string> names;
        for (const auto& [key, value] : headers) names.push_back(key);
        return names;
    }
};

// A MockTransport recording every request it gets and answering 200 with "METHOD URL".
struct Recorder {
    std::mutex mutex;
    std::vector<Seen> seen;

    std::shared_ptr<httpx::MockTransport> transport() {
        return std::make_shared<httpx::MockTransport>([this](httpx::Request& request) {
            Seen s{request.method(), request.url().str(), {}, request.content(), {}};
            for (const auto& [key, value] : request.headers()) s.headers.emplace_back(key, value);
            if (auto it = request.extensions().find("timeout"); it != request.extensions().end())
                s.timeout = it->second;
            std::lock_guard lock(mutex);
            seen.push_back(std::move(s));
            return httpx::Response(200, {.text = request.method() + " " + request.url().str()});
        });
    }
    Seen last() {
        std::lock_guard lock(mutex);
        return seen.at(seen.size() - 1);
    }
};

httpx::ClientOptions with_transport(std::shared_ptr<httpx::AsyncBaseTransport> transport) {
    httpx::ClientOptions options;
    options.transport = std::move(transport);
    return options;
}

const std::string kAcceptEncoding = "gzip, deflate, br, zstd";

// ---------------------------------------------------------------------------------------------
// Verbs

TEST(AsyncClient, EveryVerbReachesTheTransportWithItsMethodAndUrl) {
    Recorder recorder;
    httpx::AsyncClient client(with_transport(recorder.transport()));
    const std::string url = "https://example.org/path?x=1";

    EXPECT_EQ(run_async(client.get(url)).text(), "GET " + url);
    EXPECT_EQ(run_async(client.options(url)).text(), "OPTIONS " + url);
    EXPECT_EQ(run_async(client.head(url)).text(), "HEAD " + url);
    EXPECT_EQ(run_async(client.post(url)).text(), "POST " + url);
    EXPECT_EQ(run_async(client.put(url)).text(), "PUT " + url);
    EXPECT_EQ(run_async(client.patch(url)).text(), "PATCH " + url);
    EXPECT_EQ(run_async(client.delete_(url)).text(), "DELETE " + url);
    EXPECT_EQ(run_async(client.request("PROPFIND", url)).text(), "PROPFIND " + url);
    EXPECT_EQ(run_async(client.request("get", url)).text(), "GET " + url);

    ASSERT_EQ(recorder.seen.size(), 9u);
    const std::vector<std::string> methods = {"GET",   "OPTIONS", "HEAD",     "POST", "PUT",
                                              "PATCH", "DELETE",  "PROPFIND", "GET"};
    for (std::size_t i = 0; i < methods.size(); ++i) {
        EXPECT_EQ(recorder.seen[i].method, methods[i]);
        EXPECT_EQ(recorder.seen[i].url, url);
        EXPECT_EQ(recorder.seen[i].body, "");
    }
}

TEST(AsyncClient, VerbsWithOptionsSendTheirBody) {
    Recorder recorder;
    httpx::AsyncClient client(with_transport(recorder.transport()));
    httpx::RequestOptions content;
    content.content = httpx::AsyncByteStream("raw body");
    httpx::RequestOptions json;
    json.json = nlohmann::json{{"a", 1}};
    httpx::RequestOptions form;
    form.data = {{"k", "v w"}, {"k", "2"}};

    run_async(client.post("https://example.org/p", content));
    EXPECT_EQ(recorder.last().method, "POST");
    EXPECT_EQ(recorder.last().body, "raw body");
    EXPECT_EQ(recorder.last().header("Content-Length"), "8");

    run_async(client.put("https://example.org/p", json));
    EXPECT_EQ(recorder.last().method, "PUT");
    EXPECT_EQ(recorder.last().body, R"({"a":1})");
    EXPECT_EQ(recorder.last().header("Content-Type"), "application/json");

    run_async(client.patch("https://example.org/p", form));
    EXPECT_EQ(recorder.last().method, "PATCH");
    EXPECT_EQ(recorder.last().body, "k=v+w&k=2");
    EXPECT_EQ(recorder.last().header("Content-Type"), "application/x-www-form-urlencoded");

    run_async(client.request("DELETE", "https://example.org/p", content));
    EXPECT_EQ(recorder.last().method, "DELETE");
    EXPECT_EQ(recorder.last().body, "raw body");

    httpx::RequestOptions params;
    params.params = httpx::QueryParams{{"q", "a b"}};
    run_async(client.get("https://example.org/search", params));
    EXPECT_EQ(recorder.last().url, "https://example.org/search?q=a+b");
    run_async(client.delete_("https://example.org/search", params));
    EXPECT_EQ(recorder.last().method, "DELETE");
    EXPECT_EQ(recorder.last().url, "https://example.org/search?q=a+b");
}

TEST(AsyncClient, BuildRequestThenSend) {
    Recorder recorder;
    httpx::AsyncClient client(with_transport(recorder.transport()));
    httpx::RequestOptions options;
    options.content = httpx::AsyncByteStream("hello");
    httpx::Request request = client.build_request("post", "https://example.org/echo", options);
    // Nothing is sent by build_request.
    EXPECT_TRUE(recorder.seen.empty());
    EXPECT_EQ(request.method(), "POST");
    EXPECT_EQ(request.url().str(), "https://example.org/echo");
    EXPECT_EQ(request.headers().get("Host"), "example.org");
    EXPECT_EQ(request.headers().get("User-Agent"), "httpxx/0.1.0");

    httpx::Response response = run_async(client.send(request));
    EXPECT_EQ(response.status_code(), 200);
    EXPECT_EQ(response.request().method(), "POST");
    EXPECT_EQ(recorder.last().body, "hello");
    EXPECT_EQ(recorder.last().url, "https://example.org/echo");
}

TEST(AsyncClient, StreamReturnsAResponseWithTheBodyUnread) {
    auto transport = std::make_shared<httpx::MockTransport>([](httpx::Request& request) {
        auto chunks = std::make_shared<int>(0);
        httpx::ResponseOptions options;
        options.stream =
            httpx::AsyncByteStream([chunks]() -> httpx::awaitable<std::optional<httpx::Bytes>> {
                if (*chunks == 2) co_return std::nullopt;
                co_return std::string(++*chunks == 1 ? "ab" : "cd");
            });
        options.headers = httpx::Headers{{"X-Method", request.method()}};
        return httpx::Response(200, std::move(options));
    });
    httpx::AsyncClient client(with_transport(transport));
    httpx::Response response = run_async(client.stream("PUT", "https://example.org/"));
    EXPECT_EQ(response.headers().get("X-Method"), "PUT");
    EXPECT_THROW(response.content(), httpx::ResponseNotRead);
    EXPECT_EQ(run_async(response.aread()), "abcd");
    EXPECT_EQ(response.content(), "abcd");

    // Without stream the client reads the body for you.
    httpx::Response read = run_async(client.get("https://example.org/"));
    EXPECT_EQ(read.content(), "abcd");
    EXPECT_TRUE(read.is_stream_consumed());

    // Manual mode: send(..., {.stream = true}).
    httpx::SendOptions send_options;
    send_options.stream = true;
    httpx::Response manual =
        run_async(client.send(client.build_request("GET", "https://example.org/"), send_options));
    EXPECT_THROW(manual.content(), httpx::ResponseNotRead);
    EXPECT_EQ(run_async(manual.aread()), "abcd");
}

// ---------------------------------------------------------------------------------------------
// Default headers

TEST(AsyncClient, DefaultHeadersInHttpxOrder) {
    Recorder recorder;
    httpx::AsyncClient client(with_transport(recorder.transport()));
    run_async(client.get("https://example.org:8443/a"));
    Seen get = recorder.last();
    EXPECT_EQ(get.header_names(), (std::vector<std::string>{"Host", "Accept", "Accept-Encoding",
                                                            "Connection", "User-Agent"}));
    EXPECT_EQ(get.header("Host"), "example.org:8443");
    EXPECT_EQ(get.header("Accept"), "*/*");
    EXPECT_EQ(get.header("Accept-Encoding"), kAcceptEncoding);
    EXPECT_EQ(get.header("Connection"), "keep-alive");
    EXPECT_EQ(get.header("User-Agent"), "httpxx/0.1.0");
    EXPECT_FALSE(get.header("Content-Length"));
    EXPECT_FALSE(get.header("Transfer-Encoding"));

    // A body-less POST gets Content-Length: 0 right after Host.
    run_async(client.post("https://example.org/a"));
    EXPECT_EQ(recorder.last().header_names(),
              (std::vector<std::string>{"Host", "Content-Length", "Accept", "Accept-Encoding",
                                        "Connection", "User-Agent"}));
    EXPECT_EQ(recorder.last().header("Content-Length"), "0");

    // A body's Content-Length comes after the client's headers.
    httpx::RequestOptions options;
    options.content = httpx::AsyncByteStream("abc");
    run_async(client.post("https://example.org/a", options));
    EXPECT_EQ(recorder.last().header_names(),
              (std::vector<std::string>{"Host", "Accept", "Accept-Encoding", "Connection",
                                        "User-Agent", "Content-Length"}));
    EXPECT_EQ(recorder.last().header("Content-Length"), "3");

    // The client exposes the defaults (without Host).
    EXPECT_EQ(client.headers().get("User-Agent"), "httpxx/0.1.0");
    EXPECT_EQ(client.headers().get("Accept-Encoding"), kAcceptEncoding);
    EXPECT_FALSE(client.headers().contains("Host"));
}

TEST(AsyncClient, StreamedBodyOfUnknownLengthIsChunked) {
    Recorder recorder;
    httpx::AsyncClient client(with_transport(recorder.transport()));
    auto part = std::make_shared<int>(0);
    httpx::RequestOptions options;
    options.content =
        httpx::AsyncByteStream([part]() -> httpx::awaitable<std::optional<httpx::Bytes>> {
            if (*part == 3) co_return std::nullopt;
            co_return "part" + std::to_string((*part)++);
        });
    run_async(client.post("https://example.org/upload", options));
    EXPECT_EQ(recorder.last().header("Transfer-Encoding"), "chunked");
    EXPECT_FALSE(recorder.last().header("Content-Length"));
    EXPECT_EQ(recorder.last().body, "part0part1part2");

    // Known length: Content-Length, no Transfer-Encoding.
    auto sent = std::make_shared<bool>(false);
    httpx::RequestOptions sized;
    sized.content = httpx::AsyncByteStream(
        [sent]() -> httpx::awaitable<std::optional<httpx::Bytes>> {
            if (std::exchange(*sent, true)) co_return std::nullopt;
            co_return "12345";
        },
        5);
    run_async(client.put("https://example.org/upload", sized));
    EXPECT_EQ(recorder.last().header("Content-Length"), "5");
    EXPECT_FALSE(recorder.last().header("Transfer-Encoding"));
    EXPECT_EQ(recorder.last().body, "12345");
}

TEST(AsyncClient, ClientHeadersLayerOverTheDefaults) {
    Recorder recorder;
    httpx::ClientOptions options = with_transport(recorder.transport());
    options.headers = httpx::Headers{{"user-agent", "my-agent/2"}, {"X-Client", "c"}};
    httpx::AsyncClient client(std::move(options));
    run_async(client.get("https://example.org/"));
    EXPECT_EQ(recorder.last().header("User-Agent"), "my-agent/2");
    EXPECT_EQ(recorder.last().count("User-Agent"), 1u);
    EXPECT_EQ(recorder.last().header("X-Client"), "c");
    EXPECT_EQ(recorder.last().header("Accept"), "*/*");

    // set_headers replaces the client's headers; the built-in defaults come back underneath.
    client.set_headers(httpx::Headers{{"X-Other", "o"}});
    run_async(client.get("https://example.org/"));
    EXPECT_EQ(recorder.last().header("User-Agent"), "httpxx/0.1.0");
    EXPECT_EQ(recorder.last().header("X-Other"), "o");
    EXPECT_FALSE(recorder.last().header("X-Client"));
}

// ---------------------------------------------------------------------------------------------
// base_url

TEST(AsyncClient, BaseUrlMergesAsHttpx) {
    Recorder recorder;
    httpx::ClientOptions options = with_transport(recorder.transport());
    options.base_url = "https://x.org/sub";
    httpx::AsyncClient client(std::move(options));
    EXPECT_EQ(client.base_url().str(), "https://x.org/sub/");  // trailing slash enforced

    run_async(client.get("/path"));
    EXPECT_EQ(recorder.last().url, "https://x.org/sub/path");
    run_async(client.get("path"));
    EXPECT_EQ(recorder.last().url, "https://x.org/sub/path");
    run_async(client.get("/path/more?a=1&b=2"));
    EXPECT_EQ(recorder.last().url, "https://x.org/sub/path/more?a=1&b=2");
    run_async(client.get(""));
    EXPECT_EQ(recorder.last().url, "https://x.org/sub/");
    EXPECT_EQ(recorder.last().header("Host"), "x.org");

    // Absolute URLs ignore base_url.
    run_async(client.get("http://other.org/abs"));
    EXPECT_EQ(recorder.last().url, "http://other.org/abs");
    EXPECT_EQ(recorder.last().header("Host"), "other.org");

    client.set_base_url("http://y.org:8080/api/v1");
    EXPECT_EQ(client.base_url().str(), "http://y.org:8080/api/v1/");
    run_async(client.get("/users"));
    EXPECT_EQ(recorder.last().url, "http://y.org:8080/api/v1/users");
    EXPECT_EQ(recorder.last().header("Host"), "y.org:8080");

    client.set_base_url("https://z.org");
    run_async(client.get("/root"));
    EXPECT_EQ(recorder.last().url, "https://z.org/root");
}

// ---------------------------------------------------------------------------------------------
// Merging client and request options

TEST(AsyncClient, RequestHeadersWinCaseInsensitively) {
    Recorder recorder;
    httpx::ClientOptions options = with_transport(recorder.transport());
    options.headers = httpx::Headers{{"X-Auth", "client"}, {"X-Keep", "client"}};
    httpx::AsyncClient client(std::move(options));
    httpx::RequestOptions request;
    request.headers = httpx::Headers{{"x-auth", "request"}, {"accept", "text/html"}};
    run_async(client.get("https://example.org/", request));
    Seen seen = recorder.last();
    EXPECT_EQ(seen.header("X-Auth"), "request");
    EXPECT_EQ(seen.count("X-Auth"), 1u);
    EXPECT_EQ(seen.header("X-Keep"), "client");
    EXPECT_EQ(seen.header("Accept"), "text/html");
    EXPECT_EQ(seen.count("Accept"), 1u);
    // The client's headers are untouched.
    EXPECT_EQ(client.headers().get("X-Auth"), "client");
}

TEST(AsyncClient, RequestParamsMergeOverClientParams) {
    Recorder recorder;
    httpx::ClientOptions options = with_transport(recorder.transport());
    options.params = httpx::QueryParams{{"a", "1"}, {"b", "2"}};
    httpx::AsyncClient client(std::move(options));
    run_async(client.get("https://example.org/"));
    EXPECT_EQ(recorder.last().url, "https://example.org/?a=1&b=2");

    httpx::RequestOptions request;
    request.params = httpx::QueryParams{{"b", "3"}, {"c", "4"}};
    run_async(client.get("https://example.org/", request));
    EXPECT_EQ(recorder.last().url, "https://example.org/?a=1&b=3&c=4");
    EXPECT_EQ(client.params().str(), "a=1&b=2");
}

// HTTPX 0.28.1's _merge_queryparams then Request(params=...): the merged params replace the
// URL's query when either side has some; an empty request QueryParams() clears it.
TEST(AsyncClient, ParamsReplaceTheUrlQueryAsHttpx) {
    Recorder recorder;
    httpx::AsyncClient plain(with_transport(recorder.transport()));
    run_async(plain.get("https://example.org/p?x=1"));
    EXPECT_EQ(recorder.last().url, "https://example.org/p?x=1");
    httpx::RequestOptions clear;
    clear.params = httpx::QueryParams();
    run_async(plain.get("https://example.org/p?x=1", clear));
    EXPECT_EQ(recorder.last().url, "https://example.org/p");

    httpx::ClientOptions options = with_transport(recorder.transport());
    options.params = httpx::QueryParams{{"key", "k"}};
    httpx::AsyncClient keyed(std::move(options));
    run_async(keyed.get("https://example.org/p?x=1"));
    EXPECT_EQ(recorder.last().url, "https://example.org/p?key=k");
    httpx::RequestOptions clear_too;
    clear_too.params = httpx::QueryParams();
    run_async(keyed.get("https://example.org/p?x=1", clear_too));
    EXPECT_EQ(recorder.last().url, "https://example.org/p?key=k");

    // set_params({}) : the client adds nothing again, and the URL's own query goes out.
    keyed.set_params(httpx::QueryParams());
    run_async(keyed.get("https://example.org/p?x=1"));
    EXPECT_EQ(recorder.last().url, "https://example.org/p?x=1");
}

// HTTPX's `del client.headers["User-Agent"]`: a built-in header erased from the client's own
// headers is no longer sent; set_headers() re-applies the built-in ones, as HTTPX's setter.
TEST(AsyncClient, DefaultHeadersCanBeRemovedAndChangedInPlace) {
    Recorder recorder;
    httpx::AsyncClient client(with_transport(recorder.transport()));
    client.headers().erase("User-Agent");
    client.headers().erase("Accept-Encoding");
    client.headers().set("X-Token", "t1");
    run_async(client.get("https://example.org/"));
    EXPECT_EQ(recorder.last().header_names(),
              (std::vector<std::string>{"Host", "Accept", "Connection", "X-Token"}));
    EXPECT_EQ(recorder.last().header("X-Token"), "t1");

    client.set_headers(httpx::Headers{{"X-Other", "o"}});
    run_async(client.get("https://example.org/"));
    EXPECT_EQ(recorder.last().header("User-Agent"), "httpxx/0.1.0");
    EXPECT_EQ(recorder.last().header("X-Other"), "o");
    EXPECT_FALSE(recorder.last().header("X-Token"));
}

TEST(AsyncClient, AuthAndTrustEnvGetters) {
    Recorder recorder;
    httpx::ClientOptions options = with_transport(recorder.transport());
    options.trust_env = false;
    httpx::AsyncClient client(std::move(options));
    EXPECT_FALSE(client.auth());
    EXPECT_FALSE(client.trust_env());
    EXPECT_TRUE(httpx::AsyncClient(with_transport(recorder.transport())).trust_env());

    client.set_auth(httpx::BasicAuth("user", "pass"));
    ASSERT_TRUE(client.auth());
    EXPECT_NE(dynamic_cast<httpx::BasicAuth*>(client.auth().get()), nullptr);
    run_async(client.get("https://example.org/"));
    EXPECT_EQ(recorder.last().header("Authorization"), "Basic dXNlcjpwYXNz");
    client.set_auth(std::nullopt);
    EXPECT_FALSE(client.auth());
    run_async(client.get("https://example.org/"));
    EXPECT_FALSE(recorder.last().header("Authorization"));
}

TEST(AsyncClient, RequestCookiesMergeOverClientCookies) {
    Recorder recorder;
    httpx::ClientOptions options = with_transport(recorder.transport());
    options.cookies = httpx::Cookies{{"a", "client"}, {"b", "client"}};
    httpx::AsyncClient client(std::move(options));
    run_async(client.get("https://example.org/"));
    EXPECT_EQ(recorder.last().header("Cookie"), "a=client; b=client");

    httpx::RequestOptions request;
    request.cookies = httpx::Cookies{{"b", "request"}, {"c", "request"}};
    run_async(client.get("https://example.org/", request));
    EXPECT_EQ(recorder.last().header("Cookie"), "a=client; b=request; c=request");
    // Per-request cookies are not persisted.
    EXPECT_EQ(client.cookies().size(), 2u);
    EXPECT_EQ(client.cookies().get("b"), "client");
}

TEST(AsyncClient, SetCookieIsPersistedAndSentLater) {
    auto transport = std::make_shared<httpx::MockTransport>([](httpx::Request& request) {
        httpx::ResponseOptions options;
        options.text = request.headers().get("Cookie").value_or("<none>");
        if (request.url().path() == "/login")
            options.headers = httpx::Headers{{"Set-Cookie", "session=abc123; Path=/"},
                                             {"Set-Cookie", "theme=dark"}};
        if (request.url().path() == "/logout")
            options.headers = httpx::Headers{
                {"Set-Cookie", "session=; Path=/; Expires=Thu, 01 Jan 1970 00:00:00 GMT"}};
        return httpx::Response(200, std::move(options));
    });
    httpx::AsyncClient client(with_transport(transport));
    EXPECT_EQ(run_async(client.get("https://example.org/")).text(), "<none>");
    httpx::Response login = run_async(client.post("https://example.org/login"));
    EXPECT_EQ(login.cookies().get("session"), "abc123");
    EXPECT_EQ(client.cookies().get("session"), "abc123");
    EXPECT_EQ(client.cookies().get("theme"), "dark");
    EXPECT_EQ(run_async(client.get("https://example.org/")).text(), "session=abc123; theme=dark");
    // A different host gets none of them.
    EXPECT_EQ(run_async(client.get("https://other.org/")).text(), "<none>");
    // An expired Set-Cookie removes the cookie.
    run_async(client.post("https://example.org/logout"));
    EXPECT_FALSE(client.cookies().get("session"));
    EXPECT_EQ(run_async(client.get("https://example.org/")).text(), "theme=dark");

    client.set_cookies(httpx::Cookies{{"replaced", "1"}});
    EXPECT_EQ(run_async(client.get("https://example.org/")).text(), "replaced=1");
}

// A MockTransport answering with the request's Cookie header ("<none>" without one), setting
// the cookies given as `set=` query values (Set-Cookie fields) and redirecting to `to=`.
std::shared_ptr<httpx::MockTransport> cookie_echo() {
    return std::make_shared<httpx::MockTransport>([](httpx::Request& request) {
        httpx::ResponseOptions options;
        options.text = request.headers().get("Cookie").value_or("<none>");
        httpx::Headers headers;
        const httpx::QueryParams query(request.url().query());
        for (const auto& value : query.get_list("set")) headers.add("Set-Cookie", value);
        int status = 200;
        if (auto to = query.get("to")) {
            headers.add("Location", *to);
            status = 302;
        }
        options.headers = std::move(headers);
        return httpx::Response(status, std::move(options));
    });
}

TEST(AsyncClient, CookiesIsTheClientsJarItself) {
    httpx::AsyncClient client(with_transport(cookie_echo()));
    httpx::Cookies& jar = client.cookies();
    jar.set("a", "1", "example.org");
    EXPECT_EQ(run_async(client.get("https://example.org/")).text(), "a=1");
    EXPECT_EQ(run_async(client.get("https://other.org/")).text(), "<none>");
    // Set-Cookie lands in the same jar.
    run_async(client.get("https://example.org/?set=b%3D2"));
    EXPECT_EQ(jar.get("b"), "2");
    jar.erase("a");
    EXPECT_EQ(run_async(client.get("https://example.org/")).text(), "b=2");
    // set_cookies replaces the contents; the reference stays the jar.
    client.set_cookies(httpx::Cookies{{"c", "3"}});
    EXPECT_EQ(jar.size(), 1u);
    jar.clear();
    EXPECT_EQ(run_async(client.get("https://example.org/")).text(), "<none>");
    const httpx::AsyncClient& const_client = client;
    EXPECT_EQ(&const_client.cookies(), &jar);
}

TEST(AsyncClient, SecureCookiesAreNotSentOverHttp) {
    httpx::AsyncClient client(with_transport(cookie_echo()));
    run_async(client.get("https://example.org/?set=s%3D1%3B%20Secure&set=p%3D2"));
    EXPECT_EQ(run_async(client.get("https://example.org/")).text(), "s=1; p=2");
    EXPECT_EQ(run_async(client.get("http://example.org/")).text(), "p=2");
}

TEST(AsyncClient, HostOnlyPathAndMaxAgeThroughTheClient) {
    httpx::AsyncClient client(with_transport(cookie_echo()));
    run_async(client.get(
        "https://www.example.org/app/login?set=host%3D1&set=dom%3D2%3B%20Domain%3Dexample.org"
        "&set=root%3D3%3B%20Path%3D%2F&set=bad%3D4%3B%20Domain%3Dorg&set=gone%3D5%3B%20Max-Age%"
        "3D0"));
    EXPECT_EQ(run_async(client.get("https://www.example.org/app/x")).text(),
              "host=1; dom=2; root=3");
    EXPECT_EQ(run_async(client.get("https://www.example.org/")).text(), "root=3");
    EXPECT_EQ(run_async(client.get("https://api.example.org/app/x")).text(), "dom=2");
    EXPECT_EQ(client.cookies().size(), 3u);  // Domain=org refused, Max-Age=0 not stored
}

TEST(AsyncClient, PerRequestCookiesFollowTheJarsRules) {
    httpx::AsyncClient client(with_transport(cookie_echo()));
    httpx::Cookie secure;
    secure.name = "s";
    secure.value = "1";
    secure.domain = "example.org";
    secure.secure = true;
    client.cookies().set(secure);
    httpx::RequestOptions request;
    request.cookies = httpx::Cookies{{"r", "2"}};
    EXPECT_EQ(run_async(client.get("http://example.org/", request)).text(), "r=2");
    EXPECT_EQ(run_async(client.get("https://example.org/", request)).text(), "s=1; r=2");
    EXPECT_EQ(client.cookies().size(), 1u);  // not persisted
}

TEST(AsyncClient, RedirectsSendTheJarsCookiesForTheNewUrl) {
    httpx::ClientOptions options = with_transport(cookie_echo());
    options.follow_redirects = true;
    httpx::AsyncClient client(std::move(options));
    // The first response sets the cookies and redirects; the next request carries those that
    // apply to its URL: not the Secure one over http, not the /app one outside /app.
    httpx::Response response =
        run_async(client.get("https://example.org/app/start?set=s%3D1%3B%20Secure%3B%20Path%3D%2F"
                             "&set=app%3D2%3B%20Path%3D%2Fapp&set=p%3D3%3B%20Path%3D%2F&to=http%3A%"
                             "2F%2Fexample.org%2Fhome"));
    EXPECT_EQ(response.url(), httpx::URL("http://example.org/home"));
    EXPECT_EQ(response.text(), "p=3");
    response =
        run_async(client.get("https://example.org/app/a?to=https%3A%2F%2Fexample.org%2Fapp%2Fb"));
    EXPECT_EQ(response.url(), httpx::URL("https://example.org/app/b"));
    EXPECT_EQ(response.text(), "app=2; s=1; p=3");
}

// ---------------------------------------------------------------------------------------------
// Event hooks

TEST(AsyncClient, EventHooksPlainAndAsyncRunPerRequestAndResponse) {
    Recorder recorder;
    auto log = std::make_shared<std::vector<std::string>>();
    httpx::ClientOptions options = with_transport(recorder.transport());
    options.event_hooks.request.emplace_back([log](httpx::Request& request) {
        log->push_back("request " + request.method() + " " + request.url().str());
        request.headers().set("X-Hooked", "plain");
    });
    options.event_hooks.request.emplace_back(
        [log](httpx::Request& request) -> httpx::awaitable<void> {
            co_await httpx::sleep(1ms);
            log->push_back("async request, X-Hooked=" + request.headers()["X-Hooked"]);
            request.headers().set("User-Agent", "hooked-agent");
        });
    options.event_hooks.response.emplace_back([log](httpx::Response& response) {
        log->push_back("response " + std::to_string(response.status_code()) + " for " +
                       response.request().url().str());
    });
    options.event_hooks.response.emplace_back(
        [log](httpx::Response& response) -> httpx::awaitable<void> {
            co_await httpx::sleep(1ms);
            log->push_back("async response " + response.request().method());
        });
    httpx::AsyncClient client(std::move(options));

    httpx::Response response = run_async(client.get("https://example.org/one"));
    EXPECT_EQ(response.status_code(), 200);
    EXPECT_EQ(recorder.last().header("X-Hooked"), "plain");
    EXPECT_EQ(recorder.last().header("User-Agent"), "hooked-agent");
    EXPECT_EQ(response.request().headers().get("X-Hooked"), "plain");
    run_async(client.delete_("https://example.org/two"));
    EXPECT_EQ(*log, (std::vector<std::string>{
                        "request GET https://example.org/one",
                        "async request, X-Hooked=plain",
                        "response 200 for https://example.org/one",
                        "async response GET",
                        "request DELETE https://example.org/two",
                        "async request, X-Hooked=plain",
                        "response 200 for https://example.org/two",
                        "async response DELETE",
                    }));
    EXPECT_EQ(client.event_hooks().request.size(), 2u);
    EXPECT_EQ(client.event_hooks().response.size(), 2u);

    // Hooks can be replaced on a live client.
    httpx::EventHooks replaced;
    replaced.request.emplace_back([log](httpx::Request&) { log->push_back("replaced"); });
    client.set_event_hooks(std::move(replaced));
    log->clear();
    run_async(client.get("https://example.org/three"));
    EXPECT_EQ(*log, std::vector<std::string>{"replaced"});
}

TEST(AsyncClient, ResponseHookRunsBeforeTheBodyIsReadAndCanRaise) {
    auto transport = std::make_shared<httpx::MockTransport>([](httpx::Request& request) {
        auto done = std::make_shared<bool>(false);
        httpx::ResponseOptions options;
        options.stream =
            httpx::AsyncByteStream([done]() -> httpx::awaitable<std::optional<httpx::Bytes>> {
                if (std::exchange(*done, true)) co_return std::nullopt;
                co_return "streamed body";
            });
        return httpx::Response(request.url().path() == "/missing" ? 404 : 200, std::move(options));
    });
    auto body_was_unread = std::make_shared<int>(0);
    httpx::ClientOptions options = with_transport(transport);
    options.event_hooks.response.emplace_back([body_was_unread](httpx::Response& response) {
        try {
            (void)response.content();
        } catch (const httpx::ResponseNotRead&) {
            ++*body_was_unread;
        }
        response.raise_for_status();
    });
    httpx::AsyncClient client(std::move(options));
    httpx::Response ok = run_async(client.get("https://example.org/"));
    EXPECT_EQ(ok.text(), "streamed body");
    EXPECT_EQ(*body_was_unread, 1);

    try {
        run_async(client.get("https://example.org/missing"));
        ADD_FAILURE() << "expected HTTPStatusError";
    } catch (const httpx::HTTPStatusError& e) {
        EXPECT_EQ(e.response().status_code(), 404);
        EXPECT_EQ(e.request().url().str(), "https://example.org/missing");
    }
    EXPECT_EQ(*body_was_unread, 2);
}

// ---------------------------------------------------------------------------------------------
// Mounts

std::shared_ptr<httpx::MockTransport> named(std::string name) {
    return std::make_shared<httpx::MockTransport>(
        [name](httpx::Request&) { return httpx::Response(200, {.text = name}); });
}

TEST(AsyncClient, MountsRouteByTheMostSpecificPattern) {
    httpx::ClientOptions options = with_transport(named("default"));
    options.mounts = {
        {"all://", named("all")},
        {"https://", named("https")},
        {"http://example.com", named("http-example")},
        {"all://*.example.com", named("sub-example")},
        {"all://example.com:1234", named("port-1234")},
        {"https://*example.net", named("example.net-or-sub")},
        {"http://internal", nullptr},
    };
    httpx::AsyncClient client(std::move(options));
    auto via = [&client](const char* url) { return run_async(client.get(url)).text(); };
    EXPECT_EQ(via("http://other.org/"), "all");
    EXPECT_EQ(via("https://other.org/"), "https");
    EXPECT_EQ(via("http://example.com/"), "http-example");
    EXPECT_EQ(via("https://example.com/"), "https");  // scheme mismatch for http://example.com
    EXPECT_EQ(via("http://www.example.com/"), "sub-example");
    EXPECT_EQ(via("https://a.b.example.com/"), "sub-example");
    EXPECT_EQ(via("http://example.com:1234/"), "port-1234");
    EXPECT_EQ(via("https://example.com:1234/"), "port-1234");
    EXPECT_EQ(via("http://example.com:80/"), "http-example");  // default port == no port
    EXPECT_EQ(via("https://example.net/"), "example.net-or-sub");
    EXPECT_EQ(via("https://www.example.net/"), "example.net-or-sub");
    EXPECT_EQ(via("https://notexample.net/"), "https");
    EXPECT_EQ(via("http://internal/"), "default");  // null transport = the default one
    EXPECT_EQ(via("http://internal:8080/"), "default");
}

TEST(AsyncClient, MountPatternsMatchIpv6AndInternationalHosts) {
    httpx::ClientOptions options = with_transport(named("default"));
    options.mounts = {
        {"http://[::1]:8080", named("ipv6-port")},
        {"all://[::1]", named("ipv6")},
        {"all://xn--bcher-kva.de", named("idna")},
        {"https://*.b\xC3\xBC"
         "cher.de",
         named("idna-sub")},
    };
    httpx::AsyncClient client(std::move(options));
    auto via = [&client](const char* url) { return run_async(client.get(url)).text(); };
    EXPECT_EQ(via("http://[::1]:8080/"), "ipv6-port");
    EXPECT_EQ(via("https://[::1]/"), "ipv6");
    EXPECT_EQ(via("http://[::2]/"), "default");
    EXPECT_EQ(via("http://xn--bcher-kva.de/"), "idna");
    EXPECT_EQ(via("http://b\xC3\xBC"
                  "cher.de/"),
              "idna");
    EXPECT_EQ(via("https://shop.xn--bcher-kva.de/"), "idna-sub");
}

TEST(AsyncClient, MountWithoutSchemeSeparatorIsRejected) {
    httpx::ClientOptions options = with_transport(named("default"));
    options.mounts = {{"http", named("x")}};
    EXPECT_THROW(httpx::AsyncClient client(std::move(options)), std::invalid_argument);
}

TEST(AsyncClient, MountedTransportHandlesCustomScheme) {
    httpx::ClientOptions options;
    options.mounts = {{"file://", named("files")}};
    httpx::AsyncClient client(std::move(options));
    EXPECT_EQ(run_async(client.get("file://host/etc/hosts")).text(), "files");
}

// ---------------------------------------------------------------------------------------------
// Status, closing, timeouts, errors

TEST(AsyncClient, RaiseForStatus) {
    auto transport = std::make_shared<httpx::MockTransport>([](httpx::Request& request) {
        return httpx::Response(std::stoi(request.url().path().substr(1)));
    });
    httpx::AsyncClient client(with_transport(transport));
    httpx::Response ok = run_async(client.get("https://example.org/204"));
    EXPECT_EQ(&ok.raise_for_status(), &ok);
    for (int status : {301, 404, 503}) {
        httpx::Response response =
            run_async(client.get("https://example.org/" + std::to_string(status)));
        try {
            response.raise_for_status();
            ADD_FAILURE() << "expected HTTPStatusError for " << status;
        } catch (const httpx::HTTPStatusError& e) {
            EXPECT_EQ(e.response().status_code(), status);
            EXPECT_EQ(e.request().url().str(), "https://example.org/" + std::to_string(status));
            EXPECT_NE(std::string(e.what()).find(std::to_string(status)), std::string::npos)
                << e.what();
        }
    }
}

class CountingTransport : public httpx::AsyncBaseTransport {
public:
    httpx::awaitable<httpx::Response> handle_async_request(httpx::Request&) override {
        co_return httpx::Response(200);
    }
    httpx::awaitable<void> aclose() override {
        ++closes;
        co_return;
    }
    int closes = 0;
};

TEST(AsyncClient, AcloseClosesEveryTransportAndRefusesLaterRequests) {
    auto main_transport = std::make_shared<CountingTransport>();
    auto mounted = std::make_shared<CountingTransport>();
    httpx::ClientOptions options = with_transport(main_transport);
    options.mounts = {{"http://mounted", mounted}, {"http://direct", nullptr}};
    httpx::AsyncClient client(std::move(options));
    EXPECT_FALSE(client.is_closed());
    EXPECT_EQ(run_async(client.get("http://mounted/")).status_code(), 200);

    run_async(client.aclose());
    EXPECT_TRUE(client.is_closed());
    EXPECT_EQ(main_transport->closes, 1);
    EXPECT_EQ(mounted->closes, 1);
    run_async(client.aclose());  // idempotent
    EXPECT_EQ(main_transport->closes, 1);

    EXPECT_THROW(run_async(client.get("https://example.org/")), std::logic_error);
    EXPECT_THROW(run_async(client.stream("GET", "https://example.org/")), std::logic_error);
    EXPECT_THROW(run_async(client.send(client.build_request("GET", "https://example.org/"))),
                 std::logic_error);
}

TEST(AsyncClient, TimeoutIsStoredAsARequestExtension) {
    Recorder recorder;
    httpx::AsyncClient client(with_transport(recorder.transport()));
    EXPECT_EQ(client.timeout(), httpx::Timeout(5s));
    run_async(client.get("https://example.org/"));
    ASSERT_TRUE(recorder.last().timeout.has_value());
    EXPECT_EQ(std::any_cast<httpx::Timeout>(recorder.last().timeout), httpx::Timeout(5s));

    httpx::RequestOptions per_request;
    per_request.timeout = httpx::Timeout(10s, {.connect = 60s});
    run_async(client.get("https://example.org/", per_request));
    httpx::Timeout seen = std::any_cast<httpx::Timeout>(recorder.last().timeout);
    EXPECT_EQ(seen.connect, httpx::Timeout::Duration(60));
    EXPECT_EQ(seen.read, httpx::Timeout::Duration(10));

    httpx::RequestOptions unlimited;
    unlimited.timeout = std::nullopt;
    run_async(client.get("https://example.org/", unlimited));
    EXPECT_EQ(std::any_cast<httpx::Timeout>(recorder.last().timeout), httpx::Timeout(std::nullopt));

    client.set_timeout(httpx::Timeout(2s));
    run_async(client.get("https://example.org/"));
    EXPECT_EQ(std::any_cast<httpx::Timeout>(recorder.last().timeout), httpx::Timeout(2s));

    // A caller-provided "timeout" extension is kept as is.
    httpx::RequestOptions explicit_extension;
    explicit_extension.extensions["timeout"] = httpx::Timeout(7s);
    explicit_extension.timeout = 1s;
    httpx::Request request =
        client.build_request("GET", "https://example.org/", explicit_extension);
    EXPECT_EQ(std::any_cast<httpx::Timeout>(request.extensions().at("timeout")),
              httpx::Timeout(7s));

    httpx::ClientOptions options = with_transport(recorder.transport());
    options.timeout = 30s;
    httpx::AsyncClient configured(std::move(options));
    run_async(configured.get("https://example.org/"));
    EXPECT_EQ(std::any_cast<httpx::Timeout>(recorder.last().timeout), httpx::Timeout(30s));
}

TEST(AsyncClient, UrlWithoutHttpSchemeIsUnsupportedProtocol) {
    httpx::AsyncClient client;  // the default transport
    try {
        run_async(client.get("example.org/path"));
        ADD_FAILURE() << "expected UnsupportedProtocol";
    } catch (const httpx::UnsupportedProtocol& e) {
        EXPECT_STREQ(e.what(), "Request URL is missing an 'http://' or 'https://' protocol.");
        ASSERT_TRUE(e.has_request());
        // As HTTPX's _merge_url: a relative URL goes onto the (empty) base_url's path "/".
        EXPECT_EQ(e.request().url().str(), "/example.org/path");
    }
    try {
        run_async(client.get("ftp://example.org/file"));
        ADD_FAILURE() << "expected UnsupportedProtocol";
    } catch (const httpx::UnsupportedProtocol& e) {
        EXPECT_STREQ(e.what(), "Request URL has an unsupported protocol 'ftp://'.");
        EXPECT_EQ(e.request().url().str(), "ftp://example.org/file");
    }
    // A TransportError, so generic handlers catch it.
    EXPECT_THROW(run_async(client.get("ftp://example.org/")), httpx::TransportError);
}

TEST(AsyncClient, CustomTransportSeesAnySchemeAsInHttpx) {
    // HTTPX leaves scheme checks to the transport: a MockTransport sees the request.
    Recorder recorder;
    httpx::AsyncClient client(with_transport(recorder.transport()));
    EXPECT_EQ(run_async(client.get("ftp://example.org/file")).status_code(), 200);
    EXPECT_EQ(recorder.last().url, "ftp://example.org/file");
}

TEST(AsyncClient, TransportRequestErrorGetsTheRequestAttached) {
    auto transport =
        std::make_shared<httpx::MockTransport>([](httpx::Request& request) -> httpx::Response {
            if (request.url().path() == "/connect") throw httpx::ConnectError("connection refused");
            if (request.url().path() == "/timeout") throw httpx::ReadTimeout("timed out");
            auto own = std::make_shared<httpx::Request>("GET", httpx::URL("https://own.org/"));
            throw httpx::ReadError("has its own request", own);
        });
    httpx::AsyncClient client(with_transport(transport));
    try {
        run_async(client.get("https://example.org/connect"));
        ADD_FAILURE() << "expected ConnectError";
    } catch (const httpx::ConnectError& e) {
        EXPECT_STREQ(e.what(), "connection refused");
        ASSERT_TRUE(e.has_request());
        EXPECT_EQ(e.request().url().str(), "https://example.org/connect");
        EXPECT_EQ(e.request().method(), "GET");
    }
    try {
        httpx::RequestOptions options;
        options.content = httpx::AsyncByteStream("x");
        run_async(client.post("https://example.org/timeout", options));
        ADD_FAILURE() << "expected ReadTimeout";
    } catch (const httpx::TimeoutException& e) {
        EXPECT_EQ(e.request().url().str(), "https://example.org/timeout");
        EXPECT_EQ(e.request().method(), "POST");
    }
    try {
        run_async(client.get("https://example.org/other"));
        ADD_FAILURE() << "expected ReadError";
    } catch (const httpx::ReadError& e) {
        EXPECT_EQ(e.request().url().str(), "https://own.org/");
    }
}

TEST(AsyncClient, NonHttpErrorsOfATransportPropagateUnchanged) {
    auto transport = std::make_shared<httpx::MockTransport>(
        [](httpx::Request&) -> httpx::Response { throw std::runtime_error("handler bug"); });
    httpx::AsyncClient client(with_transport(transport));
    try {
        run_async(client.get("https://example.org/"));
        ADD_FAILURE() << "expected runtime_error";
    } catch (const httpx::HTTPError&) {
        ADD_FAILURE() << "must not be turned into an HTTPError";
    } catch (const std::runtime_error& e) {
        EXPECT_STREQ(e.what(), "handler bug");
    }
}

TEST(AsyncClient, ResponseKnowsItsRequestAndElapsed) {
    Recorder recorder;
    httpx::AsyncClient client(with_transport(recorder.transport()));
    httpx::Response response = run_async(client.get("https://example.org/x"));
    EXPECT_EQ(response.url().str(), "https://example.org/x");
    EXPECT_EQ(response.request().headers().get("Host"), "example.org");
    EXPECT_GE(response.elapsed(), std::chrono::steady_clock::duration::zero());
    EXPECT_TRUE(response.history().empty());
    EXPECT_FALSE(response.next_request());
}

TEST(AsyncClient, DefaultEncodingAppliesWhenNoKnownCharsetIsGiven) {
    auto transport = std::make_shared<httpx::MockTransport>([](httpx::Request& request) {
        httpx::ResponseOptions options;
        const std::string path = request.url().path();
        if (path == "/utf8") {
            options.content = "caf\xC3\xA9";
            options.headers = httpx::Headers{{"Content-Type", "text/plain; charset=utf-8"}};
        } else {
            options.content = "caf\xE9";  // Latin-1
            if (path == "/unknown")
                options.headers = httpx::Headers{{"Content-Type", "text/plain; charset=x-nope"}};
        }
        return httpx::Response(200, std::move(options));
    });
    httpx::ClientOptions options = with_transport(transport);
    options.default_encoding = "iso-8859-1";
    httpx::AsyncClient latin(std::move(options));
    httpx::Response plain = run_async(latin.get("https://example.org/plain"));
    EXPECT_EQ(plain.encoding(), "iso-8859-1");
    EXPECT_EQ(plain.text(), "caf\xC3\xA9");
    httpx::Response unknown = run_async(latin.get("https://example.org/unknown"));
    EXPECT_EQ(unknown.encoding(), "iso-8859-1");
    EXPECT_EQ(unknown.text(), "caf\xC3\xA9");
    httpx::Response declared = run_async(latin.get("https://example.org/utf8"));
    EXPECT_EQ(declared.encoding(), "utf-8");
    EXPECT_EQ(declared.text(), "caf\xC3\xA9");
    // The user can still override it.
    httpx::Response overridden = run_async(latin.get("https://example.org/plain"));
    overridden.set_encoding("utf-8");
    EXPECT_EQ(overridden.text(), "caf\xEF\xBF\xBD");

    httpx::AsyncClient utf8(with_transport(transport));
    httpx::Response fallback = run_async(utf8.get("https://example.org/plain"));
    EXPECT_EQ(fallback.encoding(), "utf-8");
    EXPECT_EQ(fallback.text(), "caf\xEF\xBF\xBD");  // U+FFFD for the invalid byte
}

TEST(AsyncClient, IsMovable) {
    Recorder recorder;
    httpx::AsyncClient first(with_transport(recorder.transport()));
    httpx::AsyncClient second(std::move(first));
    EXPECT_EQ(run_async(second.get("https://example.org/")).status_code(), 200);
    httpx::AsyncClient third;
    third = std::move(second);
    EXPECT_EQ(run_async(third.get("https://example.org/")).status_code(), 200);
}

// ---------------------------------------------------------------------------------------------
// Concurrency

// A handler that interleaves requests (it waits before answering) and sets a cookie each time.
std::shared_ptr<httpx::MockTransport> slow_echo(std::atomic<int>& in_flight,
                                                std::atomic<int>& peak) {
    return std::make_shared<httpx::MockTransport>(
        [&in_flight, &peak](httpx::Request& request) -> httpx::awaitable<httpx::Response> {
            int now = ++in_flight;
            int seen = peak.load();
            while (now > seen && !peak.compare_exchange_weak(seen, now)) {
            }
            co_await httpx::sleep(1ms);
            --in_flight;
            httpx::ResponseOptions options;
            options.text = request.url().params().get("id").value_or("?");
            options.headers = httpx::Headers{{"Set-Cookie", "last=" + *options.text}};
            co_return httpx::Response(200, std::move(options));
        });
}

httpx::awaitable<int> worker(httpx::AsyncClient& client, int first, int count) {
    int matched = 0;
    for (int i = first; i < first + count; ++i) {
        httpx::RequestOptions options;
        options.params = httpx::QueryParams{{"id", std::to_string(i)}};
        httpx::Response response = co_await client.get("https://example.org/item", options);
        if (response.text() == std::to_string(i) && response.status_code() == 200) ++matched;
    }
    co_return matched;
}

TEST(AsyncClient, ManyCoroutinesShareOneClientOnOneIoContext) {
    std::atomic<int> in_flight = 0, peak = 0;
    httpx::AsyncClient client(with_transport(slow_echo(in_flight, peak)));
    asio::io_context io;
    std::vector<std::future<int>> results;
    for (int w = 0; w < 8; ++w)
        results.push_back(asio::co_spawn(io, worker(client, w * 100, 25), asio::use_future));
    io.run();
    int total = 0;
    for (auto& result : results) total += result.get();
    EXPECT_EQ(total, 8 * 25);
    EXPECT_GT(peak.load(), 1);  // they really ran interleaved
    EXPECT_TRUE(client.cookies().get("last"));
}

TEST(AsyncClient, OneClientSharedAcrossAThreadPool) {
    std::atomic<int> in_flight = 0, peak = 0;
    httpx::AsyncClient client(with_transport(slow_echo(in_flight, peak)));
    asio::thread_pool pool(4);
    std::vector<std::future<int>> results;
    for (int w = 0; w < 6; ++w)
        results.push_back(asio::co_spawn(pool, worker(client, w * 100, 20), asio::use_future));
    int total = 0;
    for (auto& result : results) total += result.get();
    pool.join();
    EXPECT_EQ(total, 6 * 20);
    EXPECT_GT(peak.load(), 1);
}

// client.cookies() hands out the jar the requests use: changing it from another thread while
// they run (each response storing a cookie, each request reading the jar) must be race-free
// (`make tsan` runs this).
TEST(AsyncClient, JarChangedThroughCookiesWhileRequestsRunOnAThreadPool) {
    std::atomic<int> in_flight = 0, peak = 0;
    httpx::AsyncClient client(with_transport(slow_echo(in_flight, peak)));
    asio::thread_pool pool(4);
    std::vector<std::future<int>> results;
    for (int w = 0; w < 4; ++w)
        results.push_back(asio::co_spawn(pool, worker(client, w * 100, 20), asio::use_future));
    httpx::Cookies& jar = client.cookies();
    for (int i = 0; i < 2000; ++i) {
        jar.set("mine" + std::to_string(i % 7), std::to_string(i), "example.org");
        if (i % 3 == 0) jar.erase("mine" + std::to_string(i % 5));
        const httpx::Cookies copy = jar;  // the way to iterate while requests run
        for (const auto& cookie : copy) EXPECT_FALSE(cookie.name.empty());
        (void)jar.get("last", "example.org");
    }
    int total = 0;
    for (auto& result : results) total += result.get();
    pool.join();
    EXPECT_EQ(total, 4 * 20);
    EXPECT_TRUE(jar.get("last"));
}

}  // namespace
