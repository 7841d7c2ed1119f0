// The redirect rules alone (client/redirects.hpp): HTTPX's _redirect_method, _redirect_url,
// _redirect_headers and _redirect_stream on a request and its response, without a client.
// redirects_test.cpp covers them through AsyncClient (history, cookies, hooks, bodies sent).
#include "client/redirects.hpp"

#include "httpx/httpx.hpp"

#include <gtest/gtest.h>

#include <string>

namespace {

using httpx::detail::redirect_headers;
using httpx::detail::redirect_method;
using httpx::detail::redirect_request;
using httpx::detail::redirect_stream;
using httpx::detail::redirect_url;

httpx::Response redirect(int status, std::string location = "/next") {
    httpx::ResponseOptions options;
    options.headers = httpx::Headers{{"Location", std::move(location)}};
    return httpx::Response(status, std::move(options));
}

httpx::Request request(std::string method, std::string url, httpx::Headers headers = {}) {
    httpx::RequestOptions options;
    options.headers = std::move(headers);
    if (method == "POST" || method == "PUT") options.content = httpx::AsyncByteStream("body");
    return httpx::Request(method, httpx::URL(url), std::move(options));
}

TEST(RedirectRules, MethodBecomesGetFor302And303ButHeadStays) {
    for (int status : {302, 303}) {
        for (const char* method : {"GET", "POST", "PUT", "DELETE", "PATCH", "OPTIONS"})
            EXPECT_EQ(redirect_method(request(method, "http://a.org/"), redirect(status)), "GET")
                << status << " " << method;
        EXPECT_EQ(redirect_method(request("HEAD", "http://a.org/"), redirect(status)), "HEAD");
    }
}

TEST(RedirectRules, Status301TurnsOnlyPostIntoGet) {
    EXPECT_EQ(redirect_method(request("POST", "http://a.org/"), redirect(301)), "GET");
    for (const char* method : {"GET", "HEAD", "PUT", "DELETE", "PATCH"})
        EXPECT_EQ(redirect_method(request(method, "http://a.org/"), redirect(301)), method);
}

TEST(RedirectRules, Status307And308KeepTheMethod) {
    for (int status : {307, 308})
        for (const char* method : {"GET", "HEAD", "POST", "PUT", "DELETE"})
            EXPECT_EQ(redirect_method(request(method, "http://a.org/"), redirect(status)), method)
                << status;
}

TEST(RedirectRules, RelativeLocationIsJoinedToTheRequestUrl) {
    const auto from = request("GET", "https://a.org/dir/page?q=1");
    EXPECT_EQ(redirect_url(from, redirect(302, "other")), httpx::URL("https://a.org/dir/other"));
    EXPECT_EQ(redirect_url(from, redirect(302, "/top")), httpx::URL("https://a.org/top"));
    EXPECT_EQ(redirect_url(from, redirect(302, "//b.org/x")), httpx::URL("https://b.org/x"));
    EXPECT_EQ(redirect_url(from, redirect(302, "http://c.org/y")), httpx::URL("http://c.org/y"));
}

TEST(RedirectRules, LocationWithASchemeButNoHostGetsTheRequestHost) {
    EXPECT_EQ(redirect_url(request("GET", "http://a.org/p"), redirect(303, "https://:443/")),
              httpx::URL("https://a.org/"));
}

TEST(RedirectRules, TheRequestFragmentIsKeptUnlessTheLocationHasOne) {
    const auto from = request("GET", "https://a.org/page#section");
    EXPECT_EQ(redirect_url(from, redirect(302, "/next")).fragment(), "section");
    EXPECT_EQ(redirect_url(from, redirect(302, "/next#other")).fragment(), "other");
    EXPECT_EQ(redirect_url(request("GET", "https://a.org/"), redirect(302, "/next")).fragment(),
              "");
}

TEST(RedirectRules, AnInvalidLocationIsARemoteProtocolErrorWithTheRequest) {
    const auto from = request("GET", "http://a.org/invalid");
    try {
        redirect_url(from, redirect(303, "https://\xF0\x9F\x98\x87/"));
        ADD_FAILURE() << "expected RemoteProtocolError";
    } catch (const httpx::RemoteProtocolError& e) {
        EXPECT_TRUE(std::string(e.what()).starts_with("Invalid URL in location header: "));
        ASSERT_TRUE(e.has_request());
        EXPECT_EQ(e.request().url(), from.url());
    }
}

// Whether Authorization survives a redirect from `from` to `to`.
bool keeps_authorization(std::string from, std::string to) {
    const auto sent = request("GET", from, httpx::Headers{{"Authorization", "secret"}});
    return redirect_headers(sent, httpx::URL(to), "GET").contains("Authorization");
}

TEST(RedirectRules, AuthorizationStaysWithinTheOrigin) {
    EXPECT_TRUE(keeps_authorization("http://a.org/x", "http://a.org/y"));
    EXPECT_TRUE(keeps_authorization("http://a.org/x", "http://a.org:80/y"));
    EXPECT_TRUE(keeps_authorization("https://a.org/x", "https://a.org:443/y"));
}

TEST(RedirectRules, AuthorizationIsDroppedForAnotherOrigin) {
    EXPECT_FALSE(keeps_authorization("http://a.org/", "http://b.org/"));
    EXPECT_FALSE(keeps_authorization("http://a.org/", "http://www.a.org/"));
    EXPECT_FALSE(keeps_authorization("http://a.org/", "http://a.org:8080/"));
    EXPECT_FALSE(keeps_authorization("http://a.org/", "https://b.org/"));
}

TEST(RedirectRules, AuthorizationSurvivesOnlyTheDefaultPortHttpsUpgrade) {
    EXPECT_TRUE(keeps_authorization("http://a.org/", "https://a.org/"));
    EXPECT_TRUE(keeps_authorization("http://a.org:80/", "https://a.org:443/"));
    // A downgrade, or an upgrade from or to another port, is another origin.
    EXPECT_FALSE(keeps_authorization("https://a.org/", "http://a.org/"));
    EXPECT_FALSE(keeps_authorization("http://a.org:8080/", "https://a.org/"));
    EXPECT_FALSE(keeps_authorization("http://a.org/", "https://a.org:8443/"));
}

TEST(RedirectRules, HostIsRewrittenOnlyForAnotherOrigin) {
    const auto sent = request("GET", "http://a.org/");
    EXPECT_EQ(redirect_headers(sent, httpx::URL("http://a.org/next"), "GET").get("Host"), "a.org");
    EXPECT_EQ(redirect_headers(sent, httpx::URL("http://b.org:8080/"), "GET").get("Host"),
              "b.org:8080");
    EXPECT_EQ(redirect_headers(sent, httpx::URL("https://a.org/"), "GET").get("Host"), "a.org");
}

TEST(RedirectRules, BodyFramingIsDroppedOnlyWhenTheMethodBecomesGet) {
    const auto post = request("POST", "http://a.org/",
                              httpx::Headers{{"Transfer-Encoding", "chunked"}, {"X-Kept", "1"}});
    ASSERT_TRUE(post.headers().contains("Content-Length"));
    const auto to_get = redirect_headers(post, httpx::URL("http://a.org/next"), "GET");
    EXPECT_FALSE(to_get.contains("Content-Length"));
    EXPECT_FALSE(to_get.contains("Transfer-Encoding"));
    EXPECT_EQ(to_get.get("X-Kept"), "1");
    const auto kept = redirect_headers(post, httpx::URL("http://a.org/next"), "POST");
    EXPECT_TRUE(kept.contains("Content-Length"));
    EXPECT_TRUE(kept.contains("Transfer-Encoding"));
    // A GET that stays a GET has nothing dropped.
    const auto get = request("GET", "http://a.org/", httpx::Headers{{"Content-Length", "0"}});
    EXPECT_TRUE(
        redirect_headers(get, httpx::URL("http://a.org/n"), "GET").contains("Content-Length"));
}

TEST(RedirectRules, TheCookieHeaderIsAlwaysDropped) {
    const auto sent = request("GET", "http://a.org/", httpx::Headers{{"Cookie", "a=1"}});
    EXPECT_FALSE(redirect_headers(sent, httpx::URL("http://a.org/next"), "GET").contains("Cookie"));
    EXPECT_FALSE(redirect_headers(sent, httpx::URL("http://b.org/"), "GET").contains("Cookie"));
}

TEST(RedirectRules, TheBodyIsReplayedUnlessTheMethodBecomesGet) {
    const auto post = request("POST", "http://a.org/");
    const httpx::AsyncByteStream kept = redirect_stream(post, "POST");
    ASSERT_NE(kept.buffer(), nullptr);
    EXPECT_EQ(*kept.buffer(), "body");
    const httpx::AsyncByteStream dropped = redirect_stream(post, "GET");
    EXPECT_EQ(dropped.length(), 0u);
}

TEST(RedirectRules, TheNextRequestPutsTheRulesTogether) {
    httpx::Request sent = request("POST", "http://a.org/form#top",
                                  httpx::Headers{{"Authorization", "secret"}, {"Cookie", "a=1"}});
    sent.extensions()["custom"] = std::string("kept");
    const httpx::Request next = redirect_request(sent, redirect(303, "https://b.org/done"));
    EXPECT_EQ(next.method(), "GET");
    EXPECT_EQ(next.url(), httpx::URL("https://b.org/done#top"));
    EXPECT_FALSE(next.headers().contains("Authorization"));
    EXPECT_FALSE(next.headers().contains("Cookie"));
    EXPECT_FALSE(next.headers().contains("Content-Length"));
    EXPECT_EQ(next.headers().get("Host"), "b.org");
    EXPECT_EQ(next.stream().length(), 0u);
    ASSERT_TRUE(next.extensions().contains("custom"));

    const httpx::Request kept = redirect_request(sent, redirect(307, "/again"));
    EXPECT_EQ(kept.method(), "POST");
    EXPECT_EQ(kept.url(), httpx::URL("http://a.org/again#top"));
    EXPECT_EQ(kept.headers().get("Authorization"), "secret");
    EXPECT_EQ(kept.headers().get("Content-Length"), "4");
    ASSERT_NE(kept.stream().buffer(), nullptr);
    EXPECT_EQ(*kept.stream().buffer(), "body");
}

}  // namespace
