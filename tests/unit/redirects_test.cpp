// Redirect handling of httpx::AsyncClient: a port of HTTPX's tests/client/test_redirects.py, plus
// the finer points of _build_redirect_request (method, body, headers, cookies, hooks).
#include "httpx/httpx.hpp"

#include <gtest/gtest.h>

#include "run_async.hpp"

#include <algorithm>
#include <cctype>
#include <memory>
#include <string>
#include <vector>

using namespace std::chrono_literals;
using httpx::test::run_async;

namespace {

std::string lower(std::string s) {
    std::transform(s.begin(), s.end(), s.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return s;
}

httpx::Response redirect_to(int status, std::string location) {
    httpx::ResponseOptions options;
    options.headers = httpx::Headers{{"location", std::move(location)}};
    return httpx::Response(status, std::move(options));
}

// {"method", "body", "headers": {lower-case name: value}} of the request, as JSON.
httpx::Response echo_request(const httpx::Request& request) {
    nlohmann::json headers = nlohmann::json::object();
    for (const auto& [key, value] : request.headers()) headers[lower(key)] = value;
    httpx::ResponseOptions options;
    options.json = {
        {"method", request.method()}, {"body", request.content()}, {"headers", headers}};
    return httpx::Response(200, std::move(options));
}

// HTTPX's `redirects` handler.
httpx::Response redirects(httpx::Request& request) {
    const httpx::URL& url = request.url();
    if (url.scheme() != "http" && url.scheme() != "https")
        throw httpx::UnsupportedProtocol("Scheme '" + url.scheme() + "' not supported.");
    const std::string path = url.path();

    if (path == "/redirect_301") {
        httpx::ResponseOptions options;
        options.content = "<a href='https://example.org/'>here</a>";
        options.headers = httpx::Headers{{"location", "https://example.org/"}};
        return httpx::Response(httpx::codes::MOVED_PERMANENTLY, std::move(options));
    }
    if (path == "/redirect_302") return redirect_to(httpx::codes::FOUND, "https://example.org/");
    if (path == "/redirect_303")
        return redirect_to(httpx::codes::SEE_OTHER, "https://example.org/");
    if (path == "/redirect_307")
        return redirect_to(httpx::codes::TEMPORARY_REDIRECT, "/redirect_body_target");
    if (path == "/redirect_301_to_target")
        return redirect_to(httpx::codes::MOVED_PERMANENTLY, "/redirect_body_target");
    if (path == "/redirect_302_to_target")
        return redirect_to(httpx::codes::FOUND, "/redirect_body_target");
    if (path == "/relative_redirect") return redirect_to(httpx::codes::SEE_OTHER, "/");
    if (path == "/malformed_redirect") return redirect_to(httpx::codes::SEE_OTHER, "https://:443/");
    if (path == "/invalid_redirect")
        return redirect_to(httpx::codes::SEE_OTHER, "https://\xF0\x9F\x98\x87/");
    if (path == "/no_scheme_redirect")
        return redirect_to(httpx::codes::SEE_OTHER, "//example.org/");
    if (path == "/multiple_redirects") {
        int count = std::stoi(url.params().get("count").value_or("0"));
        if (count == 0) return httpx::Response(httpx::codes::OK);
        std::string location = "/multiple_redirects";
        if (count - 1 > 0) location += "?count=" + std::to_string(count - 1);
        return redirect_to(httpx::codes::SEE_OTHER, location);
    }
    if (path == "/redirect_loop") return redirect_to(httpx::codes::SEE_OTHER, "/redirect_loop");
    if (path == "/cross_domain")
        return redirect_to(httpx::codes::SEE_OTHER, "https://example.org/cross_domain_target");
    if (path == "/cross_domain_target" || path == "/redirect_body_target")
        return echo_request(request);
    if (path == "/redirect_body")
        return redirect_to(httpx::codes::PERMANENT_REDIRECT, "/redirect_body_target");
    if (path == "/redirect_no_body")
        return redirect_to(httpx::codes::SEE_OTHER, "/redirect_body_target");
    if (path == "/cross_subdomain") {
        if (request.headers()["Host"] != "www.example.org")
            return redirect_to(httpx::codes::PERMANENT_REDIRECT,
                               "https://www.example.org/cross_subdomain");
        return httpx::Response(200, {.text = "Hello, world!"});
    }
    if (path == "/redirect_custom_scheme")
        return redirect_to(httpx::codes::MOVED_PERMANENTLY, "market://details?id=42");
    if (request.method() == "HEAD") return httpx::Response(200);
    return httpx::Response(200, {.html = "<html><body>Hello, world!</body></html>"});
}

httpx::AsyncClient make_client(bool follow = false) {
    httpx::ClientOptions options;
    options.transport = std::make_shared<httpx::MockTransport>(redirects);
    options.follow_redirects = follow;
    return httpx::AsyncClient(std::move(options));
}

httpx::RequestOptions follow() {
    httpx::RequestOptions options;
    options.follow_redirects = true;
    return options;
}

httpx::RequestOptions follow_with_body(std::string body) {
    httpx::RequestOptions options = follow();
    options.content = httpx::AsyncByteStream(std::move(body));
    return options;
}

// A one-shot streamed body of one chunk.
httpx::AsyncByteStream one_shot(std::string body) {
    auto chunk = std::make_shared<std::optional<std::string>>(std::move(body));
    return httpx::AsyncByteStream([chunk]() -> httpx::awaitable<std::optional<httpx::Bytes>> {
        std::optional<httpx::Bytes> out = std::move(*chunk);
        chunk->reset();
        co_return out;
    });
}

TEST(Redirects, Status301TurnsPostIntoGet) {
    auto client = make_client();
    httpx::Response response = run_async(client.post("https://example.org/redirect_301", follow()));
    EXPECT_EQ(response.status_code(), httpx::codes::OK);
    EXPECT_EQ(response.url(), httpx::URL("https://example.org/"));
    ASSERT_EQ(response.history().size(), 1u);
    EXPECT_EQ(response.request().method(), "GET");
    const httpx::Response& first = response.history()[0];
    EXPECT_EQ(first.status_code(), 301);
    EXPECT_EQ(first.request().method(), "POST");
    EXPECT_EQ(first.url(), httpx::URL("https://example.org/redirect_301"));
    // History responses are read.
    EXPECT_EQ(first.content(), "<a href='https://example.org/'>here</a>");
}

TEST(Redirects, Status302TurnsPostIntoGet) {
    auto client = make_client();
    httpx::Response response = run_async(client.post("https://example.org/redirect_302", follow()));
    EXPECT_EQ(response.status_code(), httpx::codes::OK);
    EXPECT_EQ(response.url(), httpx::URL("https://example.org/"));
    EXPECT_EQ(response.history().size(), 1u);
    EXPECT_EQ(response.request().method(), "GET");
}

TEST(Redirects, Status303) {
    auto client = make_client();
    httpx::Response response = run_async(client.get("https://example.org/redirect_303", follow()));
    EXPECT_EQ(response.status_code(), httpx::codes::OK);
    EXPECT_EQ(response.url(), httpx::URL("https://example.org/"));
    EXPECT_EQ(response.history().size(), 1u);
}

TEST(Redirects, MethodRewritingTable) {
    // (path, method sent) -> method after the redirect, body kept or not.
    struct Case {
        const char* path;
        const char* method;
        const char* expected_method;
        bool body_kept;
    };
    const Case cases[] = {
        {"/redirect_301_to_target", "POST", "GET", false},
        {"/redirect_301_to_target", "PUT", "PUT", true},
        {"/redirect_301_to_target", "DELETE", "DELETE", true},
        {"/redirect_302_to_target", "POST", "GET", false},
        {"/redirect_302_to_target", "PUT", "GET", false},
        {"/redirect_no_body", "POST", "GET", false},
        {"/redirect_no_body", "PATCH", "GET", false},
        {"/redirect_307", "POST", "POST", true},
        {"/redirect_307", "PUT", "PUT", true},
        {"/redirect_body", "POST", "POST", true},
        {"/redirect_body", "PATCH", "PATCH", true},
    };
    auto client = make_client();
    for (const auto& c : cases) {
        SCOPED_TRACE(std::string(c.method) + " " + c.path);
        httpx::Response response = run_async(client.request(
            c.method, std::string("https://example.org") + c.path, follow_with_body("payload")));
        ASSERT_EQ(response.status_code(), 200);
        nlohmann::json echoed = response.json();
        EXPECT_EQ(echoed["method"], c.expected_method);
        EXPECT_EQ(echoed["body"], c.body_kept ? "payload" : "");
        EXPECT_EQ(echoed["headers"].contains("content-length"), c.body_kept);
        if (c.body_kept) {
            EXPECT_EQ(echoed["headers"]["content-length"], "7");
        }
    }
}

TEST(Redirects, NextRequestWhenNotFollowing) {
    auto client = make_client();
    httpx::Request request = client.build_request("POST", "https://example.org/redirect_303");
    httpx::Response response = run_async(client.send(request));
    EXPECT_EQ(response.status_code(), httpx::codes::SEE_OTHER);
    EXPECT_EQ(response.url(), httpx::URL("https://example.org/redirect_303"));
    ASSERT_TRUE(response.next_request().has_value());
    EXPECT_EQ(response.next_request()->method(), "GET");
    EXPECT_EQ(response.next_request()->url(), httpx::URL("https://example.org/"));
    EXPECT_TRUE(response.history().empty());

    httpx::SendOptions no_follow;
    no_follow.follow_redirects = false;
    httpx::Response next = run_async(client.send(*response.next_request(), no_follow));
    EXPECT_EQ(next.status_code(), httpx::codes::OK);
    EXPECT_EQ(next.url(), httpx::URL("https://example.org/"));
    EXPECT_FALSE(next.next_request().has_value());
}

TEST(Redirects, ClientLevelFollowRedirectsAndPerRequestOverride) {
    auto client = make_client(true);
    EXPECT_TRUE(client.follow_redirects());
    EXPECT_EQ(run_async(client.get("https://example.org/redirect_303")).status_code(), 200);
    httpx::RequestOptions no_follow;
    no_follow.follow_redirects = false;
    httpx::Response response = run_async(client.get("https://example.org/redirect_303", no_follow));
    EXPECT_EQ(response.status_code(), 303);
    EXPECT_TRUE(response.next_request().has_value());

    client.set_follow_redirects(false);
    EXPECT_EQ(run_async(client.get("https://example.org/redirect_303")).status_code(), 303);
}

TEST(Redirects, HeadIsRedirectedAndStaysHead) {
    auto client = make_client();
    httpx::Response response = run_async(client.head("https://example.org/redirect_302", follow()));
    EXPECT_EQ(response.status_code(), httpx::codes::OK);
    EXPECT_EQ(response.url(), httpx::URL("https://example.org/"));
    EXPECT_EQ(response.request().method(), "HEAD");
    EXPECT_EQ(response.history().size(), 1u);
    EXPECT_EQ(response.text(), "");
}

TEST(Redirects, RelativeLocation) {
    auto client = make_client();
    httpx::Response response =
        run_async(client.get("https://example.org/relative_redirect", follow()));
    EXPECT_EQ(response.status_code(), httpx::codes::OK);
    EXPECT_EQ(response.url(), httpx::URL("https://example.org/"));
    EXPECT_EQ(response.history().size(), 1u);
}

TEST(Redirects, MalformedLocationWithoutHostGetsTheRequestHost) {
    // https://github.com/encode/httpx/issues/771
    auto client = make_client();
    httpx::Response response =
        run_async(client.get("http://example.org/malformed_redirect", follow()));
    EXPECT_EQ(response.status_code(), httpx::codes::OK);
    EXPECT_EQ(response.url(), httpx::URL("https://example.org:443/"));
    EXPECT_EQ(response.url().str(), "https://example.org/");
    EXPECT_EQ(response.history().size(), 1u);
}

TEST(Redirects, InvalidLocationIsRemoteProtocolError) {
    auto client = make_client();
    try {
        run_async(client.get("http://example.org/invalid_redirect", follow()));
        ADD_FAILURE() << "expected RemoteProtocolError";
    } catch (const httpx::RemoteProtocolError& e) {
        EXPECT_TRUE(std::string(e.what()).starts_with("Invalid URL in location header: "))
            << e.what();
        ASSERT_TRUE(e.has_request());
        EXPECT_EQ(e.request().url(), httpx::URL("http://example.org/invalid_redirect"));
    }
    // Also without following: the next request is built eagerly, as HTTPX does.
    EXPECT_THROW(run_async(client.get("http://example.org/invalid_redirect")),
                 httpx::RemoteProtocolError);
}

TEST(Redirects, LocationWithoutScheme) {
    auto client = make_client();
    httpx::Response response =
        run_async(client.get("https://example.org/no_scheme_redirect", follow()));
    EXPECT_EQ(response.status_code(), httpx::codes::OK);
    EXPECT_EQ(response.url(), httpx::URL("https://example.org/"));
    EXPECT_EQ(response.history().size(), 1u);
}

TEST(Redirects, FragmentIsCarriedOver) {
    auto client = make_client();
    httpx::Response response =
        run_async(client.get("https://example.org/relative_redirect#fragment", follow()));
    EXPECT_EQ(response.status_code(), httpx::codes::OK);
    EXPECT_EQ(response.url(), httpx::URL("https://example.org/#fragment"));
    EXPECT_EQ(response.history().size(), 1u);
}

TEST(Redirects, MultipleRedirectsBuildTheHistory) {
    auto client = make_client();
    httpx::Response response =
        run_async(client.get("https://example.org/multiple_redirects?count=20", follow()));
    EXPECT_EQ(response.status_code(), httpx::codes::OK);
    EXPECT_EQ(response.url(), httpx::URL("https://example.org/multiple_redirects"));
    ASSERT_EQ(response.history().size(), 20u);
    EXPECT_EQ(response.history()[0].url(),
              httpx::URL("https://example.org/multiple_redirects?count=20"));
    EXPECT_EQ(response.history()[1].url(),
              httpx::URL("https://example.org/multiple_redirects?count=19"));
    EXPECT_EQ(response.history()[19].url(),
              httpx::URL("https://example.org/multiple_redirects?count=1"));
    EXPECT_EQ(response.history()[0].history().size(), 0u);
    EXPECT_EQ(response.history()[1].history().size(), 1u);
    EXPECT_EQ(response.history()[19].history().size(), 19u);
}

TEST(Redirects, TooManyRedirects) {
    auto client = make_client();
    try {
        run_async(client.get("https://example.org/multiple_redirects?count=21", follow()));
        ADD_FAILURE() << "expected TooManyRedirects";
    } catch (const httpx::TooManyRedirects& e) {
        EXPECT_STREQ(e.what(), "Exceeded maximum allowed redirects.");
        ASSERT_TRUE(e.has_request());
        EXPECT_EQ(e.request().url(), httpx::URL("https://example.org/multiple_redirects"));
    }
    EXPECT_THROW(run_async(client.get("https://example.org/redirect_loop", follow())),
                 httpx::TooManyRedirects);
    // A RequestError, not a transport error.
    EXPECT_THROW(run_async(client.get("https://example.org/redirect_loop", follow())),
                 httpx::RequestError);
}

TEST(Redirects, MaxRedirectsIsConfigurable) {
    httpx::ClientOptions options;
    options.transport = std::make_shared<httpx::MockTransport>(redirects);
    options.max_redirects = 3;
    httpx::AsyncClient client(std::move(options));
    EXPECT_EQ(client.max_redirects(), 3);
    httpx::Response ok =
        run_async(client.get("https://example.org/multiple_redirects?count=3", follow()));
    EXPECT_EQ(ok.history().size(), 3u);
    EXPECT_THROW(run_async(client.get("https://example.org/multiple_redirects?count=4", follow())),
                 httpx::TooManyRedirects);
    client.set_max_redirects(0);
    EXPECT_THROW(run_async(client.get("https://example.org/multiple_redirects?count=1", follow())),
                 httpx::TooManyRedirects);
    EXPECT_EQ(run_async(client.get("https://example.org/multiple_redirects?count=0", follow()))
                  .status_code(),
              200);
}

httpx::RequestOptions follow_with_authorization() {
    httpx::RequestOptions options = follow();
    options.headers = httpx::Headers{{"Authorization", "abc"}};
    return options;
}

TEST(Redirects, CrossDomainDropsAuthorizationHeader) {
    auto client = make_client();
    httpx::Response response =
        run_async(client.get("https://example.com/cross_domain", follow_with_authorization()));
    EXPECT_EQ(response.url(), httpx::URL("https://example.org/cross_domain_target"));
    EXPECT_FALSE(response.json()["headers"].contains("authorization"));
    // The first hop did carry it.
    EXPECT_EQ(response.history().at(0).request().headers().get("Authorization"), "abc");
}

TEST(Redirects, CrossDomainHttpsUpgradeDropsAuthorizationHeader) {
    auto client = make_client();
    httpx::Response response =
        run_async(client.get("http://example.com/cross_domain", follow_with_authorization()));
    EXPECT_EQ(response.url(), httpx::URL("https://example.org/cross_domain_target"));
    EXPECT_FALSE(response.json()["headers"].contains("authorization"));
}

TEST(Redirects, CrossDomainDropsBasicAuth) {
    auto client = make_client();
    httpx::RequestOptions options = follow();
    options.auth = std::pair<std::string, std::string>("user", "pass");
    httpx::Response response = run_async(client.get("https://example.com/cross_domain", options));
    EXPECT_EQ(response.url(), httpx::URL("https://example.org/cross_domain_target"));
    EXPECT_FALSE(response.json()["headers"].contains("authorization"));
    EXPECT_EQ(response.history().at(0).request().headers().get("Authorization"),
              "Basic dXNlcjpwYXNz");
}

TEST(Redirects, SameDomainKeepsAuthorization) {
    auto client = make_client();
    httpx::Response response =
        run_async(client.get("https://example.org/cross_domain", follow_with_authorization()));
    EXPECT_EQ(response.url(), httpx::URL("https://example.org/cross_domain_target"));
    EXPECT_EQ(response.json()["headers"]["authorization"], "abc");
}

TEST(Redirects, SameDomainHttpsUpgradeKeepsAuthorization) {
    auto client = make_client();
    httpx::Response response =
        run_async(client.get("http://example.org/cross_domain", follow_with_authorization()));
    EXPECT_EQ(response.url(), httpx::URL("https://example.org/cross_domain_target"));
    EXPECT_EQ(response.json()["headers"]["authorization"], "abc");
}

TEST(Redirects, OtherPortIsAnotherOriginForAuthorization) {
    auto transport = std::make_shared<httpx::MockTransport>([](httpx::Request& request) {
        if (request.url().path() == "/start")
            return redirect_to(307, "https://example.org:8443/end");
        return echo_request(request);
    });
    httpx::ClientOptions options;
    options.transport = transport;
    httpx::AsyncClient client(std::move(options));
    httpx::Response response =
        run_async(client.get("https://example.org/start", follow_with_authorization()));
    EXPECT_FALSE(response.json()["headers"].contains("authorization"));
    EXPECT_EQ(response.json()["headers"]["host"], "example.org:8443");
}

TEST(Redirects, HostHeaderIsRewrittenForTheNewOrigin) {
    auto client = make_client();
    httpx::Response response =
        run_async(client.get("https://example.com/cross_subdomain", follow()));
    EXPECT_EQ(response.url(), httpx::URL("https://www.example.org/cross_subdomain"));
    EXPECT_EQ(response.text(), "Hello, world!");
    EXPECT_EQ(response.request().headers().get("Host"), "www.example.org");

    httpx::Response echoed = run_async(client.get("https://example.com/cross_domain", follow()));
    EXPECT_EQ(echoed.json()["headers"]["host"], "example.org");
    EXPECT_EQ(echoed.json()["headers"]["user-agent"], "httpxx/0.1.0");
}

TEST(Redirects, Status308KeepsTheBody) {
    auto client = make_client();
    httpx::Response response = run_async(
        client.post("https://example.org/redirect_body", follow_with_body("Example request body")));
    EXPECT_EQ(response.url(), httpx::URL("https://example.org/redirect_body_target"));
    EXPECT_EQ(response.json()["body"], "Example request body");
    EXPECT_TRUE(response.json()["headers"].contains("content-length"));
}

TEST(Redirects, Status303DropsTheBody) {
    auto client = make_client();
    httpx::Response response = run_async(client.post("https://example.org/redirect_no_body",
                                                     follow_with_body("Example request body")));
    EXPECT_EQ(response.url(), httpx::URL("https://example.org/redirect_body_target"));
    EXPECT_EQ(response.json()["body"], "");
    EXPECT_FALSE(response.json()["headers"].contains("content-length"));

    // A chunked body is dropped with its Transfer-Encoding.
    httpx::RequestOptions streamed = follow();
    streamed.content = one_shot("streamed");
    httpx::Response chunked =
        run_async(client.post("https://example.org/redirect_no_body", streamed));
    EXPECT_EQ(chunked.json()["method"], "GET");
    EXPECT_EQ(chunked.json()["body"], "");
    EXPECT_FALSE(chunked.json()["headers"].contains("transfer-encoding"));
    EXPECT_EQ(chunked.history().at(0).request().headers().get("Transfer-Encoding"), "chunked");
}

TEST(Redirects, CanStreamWhenNotFollowing) {
    auto client = make_client();
    httpx::RequestOptions no_follow;
    no_follow.follow_redirects = false;
    httpx::Response response =
        run_async(client.stream("GET", "https://example.org/redirect_301", no_follow));
    EXPECT_EQ(response.status_code(), httpx::codes::MOVED_PERMANENTLY);
    EXPECT_EQ(response.headers()["location"], "https://example.org/");
}

// Iterates the request body itself instead of reading it into the request (HTTPX's
// ConsumeBodyTransport): a one-shot body then cannot be replayed.
class ConsumeBodyTransport : public httpx::AsyncBaseTransport {
public:
    httpx::awaitable<httpx::Response> handle_async_request(httpx::Request& request) override {
        auto chunks = request.stream().aiter();
        while (co_await chunks.next()) {
        }
        co_return redirects(request);
    }
};

TEST(Redirects, CannotReplayAOneShotStreamingBody) {
    httpx::ClientOptions options;
    options.transport = std::make_shared<ConsumeBodyTransport>();
    httpx::AsyncClient client(std::move(options));
    for (const char* path : {"/redirect_body", "/redirect_307"}) {
        SCOPED_TRACE(path);
        httpx::RequestOptions request = follow();
        request.content = one_shot("Example request body");
        EXPECT_THROW(run_async(client.post(std::string("https://example.org") + path, request)),
                     httpx::StreamConsumed);
    }
    // Switching to GET drops the body, so nothing needs replaying.
    httpx::RequestOptions request = follow();
    request.content = one_shot("Example request body");
    EXPECT_EQ(run_async(client.post("https://example.org/redirect_no_body", request)).status_code(),
              200);
}

TEST(Redirects, StreamedBodyReadByMockTransportIsReplayed) {
    // As HTTPX's Request.read(): a body read into memory becomes replayable.
    auto client = make_client();
    httpx::RequestOptions request = follow();
    request.content = one_shot("replayed");
    httpx::Response response = run_async(client.post("https://example.org/redirect_307", request));
    EXPECT_EQ(response.json()["method"], "POST");
    EXPECT_EQ(response.json()["body"], "replayed");
}

TEST(Redirects, CrossSubdomain) {
    auto client = make_client();
    httpx::Response response =
        run_async(client.get("https://example.com/cross_subdomain", follow()));
    EXPECT_EQ(response.url(), httpx::URL("https://www.example.org/cross_subdomain"));
}

httpx::Response cookie_sessions(httpx::Request& request) {
    const std::string path = request.url().path();
    if (path == "/") {
        httpx::ResponseOptions options;
        options.content = request.headers().contains("Cookie") ? "Logged in" : "Not logged in";
        return httpx::Response(200, std::move(options));
    }
    httpx::ResponseOptions options;
    if (path == "/login") {
        options.headers = httpx::Headers{
            {"location", "/"},
            {"set-cookie",
             "session=eyJ1c2VybmFtZSI6ICJ0b21; path=/; Max-Age=1209600; httponly; samesite=lax"}};
    } else {
        EXPECT_EQ(path, "/logout");
        options.headers = httpx::Headers{{"location", "/"},
                                         {"set-cookie",
                                          "session=null; path=/; expires=Thu, 01 Jan 1970 00:00:00 "
                                          "GMT; httponly; samesite=lax"}};
    }
    return httpx::Response(httpx::codes::SEE_OTHER, std::move(options));
}

TEST(Redirects, CookiesAreRecomputedOnRedirect) {
    httpx::ClientOptions options;
    options.transport = std::make_shared<httpx::MockTransport>(cookie_sessions);
    options.follow_redirects = true;
    httpx::AsyncClient client(std::move(options));

    httpx::Response response = run_async(client.get("https://example.com/"));
    EXPECT_EQ(response.url(), httpx::URL("https://example.com/"));
    EXPECT_EQ(response.text(), "Not logged in");

    response = run_async(client.post("https://example.com/login"));
    EXPECT_EQ(response.url(), httpx::URL("https://example.com/"));
    EXPECT_EQ(response.text(), "Logged in");

    response = run_async(client.get("https://example.com/"));
    EXPECT_EQ(response.text(), "Logged in");

    response = run_async(client.post("https://example.com/logout"));
    EXPECT_EQ(response.url(), httpx::URL("https://example.com/"));
    EXPECT_EQ(response.text(), "Not logged in");

    response = run_async(client.get("https://example.com/"));
    EXPECT_EQ(response.text(), "Not logged in");
}

TEST(Redirects, CookieHeaderIsNotCarriedToAnotherDomain) {
    httpx::ClientOptions options;
    options.transport = std::make_shared<httpx::MockTransport>(redirects);
    options.cookies.set("jar", "example-com", "example.com");
    httpx::AsyncClient client(std::move(options));
    httpx::RequestOptions request = follow();
    request.headers = httpx::Headers{{"Cookie", "explicit=1"}};
    httpx::Response response = run_async(client.get("https://example.com/cross_domain", request));
    EXPECT_EQ(response.history().at(0).request().headers().get("Cookie"), "explicit=1");
    // The old Cookie header is dropped; the jar has nothing for example.org.
    EXPECT_FALSE(response.json()["headers"].contains("cookie"));

    // Same origin: recomputed from the jar, the explicit header is not replayed.
    httpx::ClientOptions same;
    same.transport = std::make_shared<httpx::MockTransport>(redirects);
    same.cookies.set("jar", "example-org", "example.org");
    httpx::AsyncClient same_client(std::move(same));
    response = run_async(same_client.get("https://example.org/cross_domain", request));
    EXPECT_EQ(response.json()["headers"]["cookie"], "jar=example-org");
}

TEST(Redirects, CustomSchemeReachesTheTransport) {
    auto client = make_client();
    try {
        run_async(client.post("https://example.org/redirect_custom_scheme", follow()));
        ADD_FAILURE() << "expected UnsupportedProtocol";
    } catch (const httpx::UnsupportedProtocol& e) {
        EXPECT_STREQ(e.what(), "Scheme 'market' not supported.");
        // The client attached the request that failed.
        ASSERT_TRUE(e.has_request());
        EXPECT_EQ(e.request().url(), httpx::URL("market://details?id=42"));
    }
}

TEST(Redirects, CustomSchemeCanBeMounted) {
    httpx::ClientOptions options;
    options.transport = std::make_shared<httpx::MockTransport>(redirects);
    options.mounts = {{"market://", std::make_shared<httpx::MockTransport>([](httpx::Request& r) {
                           return httpx::Response(200, {.text = "market: " + r.url().query()});
                       })}};
    httpx::AsyncClient client(std::move(options));
    httpx::Response response =
        run_async(client.post("https://example.org/redirect_custom_scheme", follow()));
    EXPECT_EQ(response.text(), "market: id=42");
    EXPECT_EQ(response.request().method(), "GET");  // 301 + POST -> GET
}

TEST(Redirects, EventHooksRunOnEveryHop) {
    auto requests = std::make_shared<std::vector<std::string>>();
    auto responses = std::make_shared<std::vector<int>>();
    httpx::ClientOptions options;
    options.transport = std::make_shared<httpx::MockTransport>(redirects);
    options.event_hooks.request.emplace_back([requests](httpx::Request& request) {
        requests->push_back(request.method() + " " + request.url().str());
        request.headers().set("X-Hop", std::to_string(requests->size()));
    });
    options.event_hooks.response.emplace_back(
        [responses](httpx::Response& response) -> httpx::awaitable<void> {
            responses->push_back(response.status_code());
            co_return;
        });
    httpx::AsyncClient client(std::move(options));
    httpx::Response response =
        run_async(client.post("https://example.org/multiple_redirects?count=2", follow()));
    EXPECT_EQ(*requests, (std::vector<std::string>{
                             "POST https://example.org/multiple_redirects?count=2",
                             "GET https://example.org/multiple_redirects?count=1",
                             "GET https://example.org/multiple_redirects",
                         }));
    EXPECT_EQ(*responses, (std::vector<int>{303, 303, 200}));
    EXPECT_EQ(response.request().headers().get("X-Hop"), "3");
    EXPECT_EQ(response.history().size(), 2u);
}

}  // namespace
