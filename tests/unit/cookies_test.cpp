// Test that header file is self-contained.
#include "httpx/cookies.hpp"

#include "httpx/exceptions.hpp"
#include "httpx/headers.hpp"
#include "httpx/url.hpp"
#include "models/cookies_access.hpp"
#include "models/cookies_txt.hpp"

#include <gtest/gtest.h>

#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

// Ported from HTTPX's tests/models/test_cookies.py, plus Set-Cookie parsing and Cookie header
// selection (HTTPX delegates both to http.cookiejar; see RFC 6265 §5.2-5.4).

namespace {

using httpx::Cookie;
using httpx::Cookies;
using httpx::Headers;

std::vector<std::string> names(const Cookies& cookies) {
    std::vector<std::string> out;
    for (const auto& cookie : cookies) out.push_back(cookie.name);
    return out;
}

TEST(Cookies, BasicMapping) {
    Cookies cookies{{"name", "value"}};
    EXPECT_EQ(cookies.get("name"), "value");
    EXPECT_EQ(cookies.size(), 1u);
    EXPECT_FALSE(cookies.empty());

    EXPECT_EQ(cookies.erase("name"), 1u);
    EXPECT_EQ(cookies.get("name"), std::nullopt);
    EXPECT_EQ(cookies.size(), 0u);
    EXPECT_TRUE(cookies.empty());
}

TEST(Cookies, SetDefaultsAndReplacesSameNameDomainPath) {
    Cookies cookies;
    cookies.set("a", "1");
    EXPECT_EQ(cookies.begin()->name, "a");
    EXPECT_EQ(cookies.begin()->value, "1");
    EXPECT_EQ(cookies.begin()->domain, "");
    EXPECT_EQ(cookies.begin()->path, "/");
    cookies.set("a", "2");
    EXPECT_EQ(cookies.size(), 1u);
    EXPECT_EQ(cookies.get("a"), "2");
    cookies.set("a", "3", "example.com");
    EXPECT_EQ(cookies.size(), 2u);
}

TEST(Cookies, Update) {
    Cookies cookies;
    Cookies more;
    more.set("name", "value", "example.com");
    cookies.update(more);
    EXPECT_EQ(names(cookies), std::vector<std::string>{"name"});
    EXPECT_EQ(cookies.get("name", "example.com"), "value");
    EXPECT_EQ(cookies.get("name", "example.org"), std::nullopt);
    cookies.update(cookies);
    EXPECT_EQ(cookies.size(), 1u);
}

TEST(Cookies, ConflictWithSameNameOnTwoDomains) {
    Cookies cookies;
    cookies.set("name", "value", "example.com");
    cookies.set("name", "value", "example.org");
    EXPECT_THROW((void)cookies.get("name"), httpx::CookieConflict);
    try {
        (void)cookies.get("name");
    } catch (const httpx::CookieConflict& e) {
        EXPECT_STREQ(e.what(), "Multiple cookies exist with name=name");
    }
    EXPECT_EQ(cookies.get("name", "example.org"), "value");

    EXPECT_EQ(cookies.erase("name", "example.com"), 1u);
    EXPECT_EQ(cookies.size(), 1u);
    EXPECT_EQ(cookies.get("name"), "value");
}

TEST(Cookies, DomainAndPath) {
    Cookies cookies;
    cookies.set("name", "value", "example.com", "/subpath/1");
    cookies.set("name", "value", "example.com", "/subpath/2");
    EXPECT_THROW((void)cookies.get("name", "example.com"), httpx::CookieConflict);
    EXPECT_EQ(cookies.get("name", "example.com", "/subpath/2"), "value");
    EXPECT_EQ(cookies.erase("name", "example.com", "/subpath/1"), 1u);
    EXPECT_EQ(cookies.size(), 1u);
    EXPECT_EQ(cookies.erase("name", "example.com", "/subpath/2"), 1u);
    EXPECT_TRUE(cookies.empty());
}

TEST(Cookies, ListOfPairs) {
    Cookies cookies{{"name1", "val1"}, {"name2", "val2"}};
    EXPECT_EQ(cookies.size(), 2u);
    EXPECT_EQ(cookies.get("name1"), "val1");
    EXPECT_EQ(cookies.get("name2"), "val2");
    EXPECT_EQ(names(cookies), (std::vector<std::string>{"name1", "name2"}));
    cookies.clear();
    EXPECT_TRUE(cookies.empty());
}

TEST(Cookies, ExtractMultipleSetCookie) {
    // HTTPX's test_multiple_set_cookie: Expires dates contain commas, so fields must not be
    // split on them.
    Headers headers{
        {"Set-Cookie",
         "1P_JAR=2020-08-09-18; expires=Tue, 08-Sep-2099 18:33:35 GMT; path=/; "
         "domain=.example.org; Secure"},
        {"Set-Cookie",
         "NID=204=KWdXOuypc86YvRfBSiWoW1dEXfSl_5qI7sxZY4umlk4J35yNTeNEkw15; expires=Mon, "
         "08-Feb-2099 18:33:35 GMT; path=/; domain=.example.org; HttpOnly"},
    };
    Cookies cookies;
    cookies.extract_cookies("https://www.example.org", headers);
    ASSERT_EQ(cookies.size(), 2u);
    EXPECT_EQ(cookies.get("1P_JAR"), "2020-08-09-18");
    // Only the first '=' separates the name from the value.
    EXPECT_EQ(cookies.get("NID"), "204=KWdXOuypc86YvRfBSiWoW1dEXfSl_5qI7sxZY4umlk4J35yNTeNEkw15");
    EXPECT_EQ(cookies.begin()->domain, "example.org");
    EXPECT_EQ(cookies.begin()->path, "/");
}

TEST(Cookies, ExtractDefaultsDomainAndPathFromRequest) {
    Cookies cookies;
    cookies.extract_cookies("https://Example.com/docs/page.html",
                            Headers{{"set-cookie", " session = abc ; HttpOnly"}});
    ASSERT_EQ(cookies.size(), 1u);
    Cookie expected;
    expected.name = "session";
    expected.value = "abc";
    expected.domain = "example.com";
    expected.path = "/docs";
    expected.host_only = true;
    expected.http_only = true;
    EXPECT_EQ(*cookies.begin(), expected);

    Cookies root;
    root.extract_cookies("https://example.com/page", Headers{{"Set-Cookie", "a=1"}});
    EXPECT_EQ(root.begin()->path, "/");

    Cookies explicit_path;
    explicit_path.extract_cookies(
        "https://example.com/a/b",
        Headers{{"Set-Cookie", "a=1; Path=/x"}, {"Set-Cookie", "b=2; Path=relative"}});
    ASSERT_EQ(explicit_path.size(), 2u);
    EXPECT_EQ(explicit_path.begin()->path, "/x");
    EXPECT_EQ(std::next(explicit_path.begin())->path, "/a");  // invalid Path: default-path
}

TEST(Cookies, ExtractIgnoresMalformedAndForeignDomains) {
    Cookies cookies;
    cookies.extract_cookies("https://www.example.com/",
                            Headers{{"Set-Cookie", "no-equals-sign"},
                                    {"Set-Cookie", "=no-name"},
                                    {"Set-Cookie", "a=1; Domain=evil.com"},
                                    {"Set-Cookie", "b=2; Domain=ample.com"},
                                    {"Set-Cookie", "c=3; Domain=EXAMPLE.com"},
                                    {"X-Other", "d=4"}});
    EXPECT_EQ(names(cookies), std::vector<std::string>{"c"});
    EXPECT_EQ(cookies.begin()->domain, "example.com");
    EXPECT_FALSE(cookies.begin()->host_only);
}

TEST(Cookies, ExtractReplacesAndDeletes) {
    Cookies cookies;
    const httpx::URL url = "https://example.com/";
    cookies.extract_cookies(url, Headers{{"Set-Cookie", "a=1"}, {"Set-Cookie", "b=2"}});
    cookies.extract_cookies(url, Headers{{"Set-Cookie", "a=changed"}});
    EXPECT_EQ(cookies.get("a"), "changed");
    EXPECT_EQ(cookies.size(), 2u);

    cookies.extract_cookies(url, Headers{{"Set-Cookie", "a=; Max-Age=0"}});
    EXPECT_EQ(cookies.get("a"), std::nullopt);
    cookies.extract_cookies(url,
                            Headers{{"Set-Cookie", "b=; Expires=Thu, 01 Jan 1970 00:00:00 GMT"}});
    EXPECT_TRUE(cookies.empty());

    // A deletion is not stored either.
    cookies.extract_cookies(url, Headers{{"Set-Cookie", "c=1; Max-Age=-1"}});
    EXPECT_TRUE(cookies.empty());
}

TEST(Cookies, ExtractKeepsCookiesThatDoNotExpireYet) {
    Cookies cookies;
    const httpx::URL url = "https://example.com/";
    cookies.extract_cookies(url,
                            Headers{{"Set-Cookie", "a=1; Max-Age=3600"},
                                    {"Set-Cookie", "b=2; Expires=Fri, 31 Dec 2999 23:59:59 GMT"},
                                    {"Set-Cookie", "c=3; Expires=not a date"},
                                    {"Set-Cookie", "d=4; Max-Age=soon"}});
    EXPECT_EQ(names(cookies), (std::vector<std::string>{"a", "b", "c", "d"}));
    // Max-Age wins over Expires.
    cookies.extract_cookies(
        url, Headers{{"Set-Cookie", "a=1; Expires=Thu, 01 Jan 1970 00:00:00 GMT; Max-Age=60"}});
    EXPECT_EQ(cookies.get("a"), "1");
}

TEST(Cookies, CookieHeaderMatchesDomain) {
    Cookies cookies;
    cookies.set("any", "0");
    cookies.set("com", "1", "example.com");
    cookies.set("org", "2", "example.org");
    cookies.set("dotted", "3", ".example.com");
    EXPECT_EQ(cookies.cookie_header_for("https://example.com/"), "any=0; com=1; dotted=3");
    EXPECT_EQ(cookies.cookie_header_for("https://www.example.com/"), "any=0; com=1; dotted=3");
    EXPECT_EQ(cookies.cookie_header_for("https://example.org/"), "any=0; org=2");
    EXPECT_EQ(cookies.cookie_header_for("https://notexample.com/"), "any=0");
    EXPECT_EQ(Cookies{}.cookie_header_for("https://example.com/"), "");
}

TEST(Cookies, CookieHeaderMatchesPathMoreSpecificFirst) {
    Cookies cookies;
    cookies.set("root", "1", "example.com", "/");
    cookies.set("docs", "2", "example.com", "/docs");
    cookies.set("slash", "3", "example.com", "/docs/");
    EXPECT_EQ(cookies.cookie_header_for("https://example.com/docs/intro"),
              "slash=3; docs=2; root=1");
    EXPECT_EQ(cookies.cookie_header_for("https://example.com/docs"), "docs=2; root=1");
    EXPECT_EQ(cookies.cookie_header_for("https://example.com/docsearch"), "root=1");
    EXPECT_EQ(cookies.cookie_header_for("https://example.com/"), "root=1");
}

TEST(Cookies, RoundTripFromSetCookieToCookieHeader) {
    Cookies cookies;
    cookies.extract_cookies(
        "https://example.com/account/login",
        Headers{{"Set-Cookie", "session=abc; Path=/; HttpOnly"}, {"Set-Cookie", "step=2"}});
    EXPECT_EQ(cookies.cookie_header_for("https://example.com/account/settings"),
              "step=2; session=abc");
    EXPECT_EQ(cookies.cookie_header_for("https://example.com/"), "session=abc");
    EXPECT_EQ(cookies.cookie_header_for("https://other.com/account/x"), "");
}

TEST(Cookies, Equality) {
    EXPECT_EQ((Cookies{{"a", "1"}}), (Cookies{{"a", "1"}}));
    EXPECT_NE((Cookies{{"a", "1"}}), (Cookies{{"a", "2"}}));
}

// ---------------------------------------------------------------------------------------------
// The RFC 6265 jar, at fixed times (CookiesAccess takes the clock as an argument).

using httpx::detail::CookiesAccess;
using Seconds = std::chrono::sys_seconds;

const Seconds kT0 = Seconds(std::chrono::seconds(1'700'000'000));  // 2023-11-14T22:13:20Z

// The jar after `fields` came from `url` at `now`.
Cookies received(const httpx::URL& url, std::vector<std::string> fields, Seconds now = kT0) {
    Headers headers;
    for (auto& field : fields) headers.add("Set-Cookie", std::move(field));
    Cookies jar;
    CookiesAccess::extract_cookies(jar, url, headers, now);
    return jar;
}

std::string header(const Cookies& jar, const httpx::URL& url, Seconds now = kT0) {
    return CookiesAccess::cookie_header_for(jar, url, now);
}

TEST(CookieJar, HostOnlyCookiesStayOnTheirHost) {
    const Cookies jar =
        received("https://www.example.com/", {"host=1", "dom=2; Domain=example.com"});
    EXPECT_EQ(header(jar, "https://www.example.com/"), "host=1; dom=2");
    EXPECT_EQ(header(jar, "https://sub.www.example.com/"), "dom=2");
    EXPECT_EQ(header(jar, "https://example.com/"), "dom=2");
    EXPECT_EQ(header(jar, "https://other.example.com/"), "dom=2");
    EXPECT_EQ(header(jar, "https://notexample.com/"), "");
    // Domain equal to the host: a domain cookie, for the host and below.
    const Cookies same = received("https://www.example.com/", {"a=1; Domain=WWW.example.com"});
    EXPECT_EQ(header(same, "https://x.www.example.com/"), "a=1");
}

TEST(CookieJar, PublicSuffixesAreRefusedAsDomains) {
    const Cookies jar =
        received("https://www.example.co.uk/",
                 {"uk=1; Domain=co.uk", "tld=2; Domain=uk", "ok=3; Domain=example.co.uk"});
    EXPECT_EQ(names(jar), std::vector<std::string>{"ok"});
    EXPECT_TRUE(received("https://www.example.com/", {"a=1; Domain=com"}).empty());
    // A private suffix of the list too: github.io pages cannot set cookies for each other.
    EXPECT_TRUE(received("https://alice.github.io/", {"a=1; Domain=github.io"}).empty());
    EXPECT_EQ(received("https://alice.github.io/", {"a=1; Domain=alice.github.io"}).size(), 1u);
    // The suffix itself as the host: a host-only cookie (RFC 6265 §5.3 step 5).
    const Cookies suffix_host = received("https://github.io/", {"a=1; Domain=github.io"});
    ASSERT_EQ(suffix_host.size(), 1u);
    EXPECT_TRUE(suffix_host.begin()->host_only);
    EXPECT_EQ(header(suffix_host, "https://alice.github.io/"), "");
    EXPECT_EQ(header(suffix_host, "https://github.io/"), "a=1");
}

TEST(CookieJar, IpAddressHostsGetHostOnlyCookies) {
    const Cookies v4 = received("http://192.168.0.10/", {"a=1", "b=2; Domain=192.168.0.10",
                                                         "c=3; Domain=168.0.10", "d=4; Domain=10"});
    EXPECT_EQ(names(v4), (std::vector<std::string>{"a", "b"}));
    for (const auto& cookie : v4) EXPECT_TRUE(cookie.host_only) << cookie.name;
    EXPECT_EQ(header(v4, "http://192.168.0.10/"), "a=1; b=2");
    EXPECT_EQ(header(v4, "http://1.192.168.0.10/"), "");
    const Cookies v6 = received("http://[::1]:8080/", {"a=1", "b=2; Domain=1"});
    EXPECT_EQ(names(v6), std::vector<std::string>{"a"});
    EXPECT_EQ(v6.begin()->domain, "::1");
    EXPECT_EQ(header(v6, "http://[::1]/x"), "a=1");
}

TEST(CookieJar, SecureCookiesOnlyOverSecureSchemes) {
    Cookies jar = received("https://example.com/", {"s=1; Secure", "p=2"});
    EXPECT_EQ(header(jar, "https://example.com/"), "s=1; p=2");
    EXPECT_EQ(header(jar, "wss://example.com/"), "s=1; p=2");
    EXPECT_EQ(header(jar, "http://example.com/"), "p=2");
    EXPECT_EQ(header(jar, "ws://example.com/"), "p=2");
    Cookie api;
    api.name = "api";
    api.value = "3";
    api.domain = "example.com";
    api.secure = true;
    jar.set(api);
    EXPECT_EQ(header(jar, "http://example.com/"), "p=2");
    EXPECT_EQ(header(jar, "https://example.com/"), "s=1; p=2; api=3");
}

TEST(CookieJar, MaxAgeAndExpiresFollowTheClock) {
    const httpx::URL url = "https://example.com/";
    Cookies jar =
        received(url, {"age=1; Max-Age=60", "date=2; Expires=Wed, 15 Nov 2023 00:00:00 GMT",
                       "session=3", "both=4; Expires=Wed, 15 Nov 2023 00:00:00 GMT; Max-Age=10"});
    EXPECT_EQ(jar.size(), 4u);
    EXPECT_EQ(header(jar, url), "age=1; date=2; session=3; both=4");
    EXPECT_EQ(header(jar, url, kT0 + std::chrono::seconds(10)), "age=1; date=2; session=3");
    EXPECT_EQ(header(jar, url, kT0 + std::chrono::seconds(60)), "date=2; session=3");
    const Seconds next_day = std::chrono::sys_days(std::chrono::year(2023) / 11 / 15);
    EXPECT_EQ(header(jar, url, next_day), "session=3");
    // Expired cookies stay visible (as in http.cookiejar) until the next Set-Cookie is stored.
    EXPECT_EQ(jar.size(), 4u);
    CookiesAccess::extract_cookies(jar, url, Headers{{"Set-Cookie", "new=5"}}, next_day);
    EXPECT_EQ(names(jar), (std::vector<std::string>{"session", "new"}));
    EXPECT_EQ(jar.begin()->expires, std::nullopt);  // a session cookie never expires on its own
}

TEST(CookieJar, AnExpiredSetCookieDeletesTheStoredOne) {
    const httpx::URL url = "https://example.com/docs/page";
    Cookies jar = received(url, {"a=1; Path=/docs", "b=2; Path=/docs"});
    CookiesAccess::extract_cookies(
        jar, url,
        Headers{{"Set-Cookie", "a=x; Path=/docs; Max-Age=0"},
                {"Set-Cookie", "b=x; Path=/; Max-Age=0"}},  // another path: not b
        kT0 + std::chrono::seconds(1));
    EXPECT_EQ(names(jar), std::vector<std::string>{"b"});
}

TEST(CookieJar, ReplacingKeepsTheCreationOrder) {
    const httpx::URL url = "https://example.com/";
    Cookies jar = received(url, {"a=1", "b=2", "c=3"});
    CookiesAccess::extract_cookies(jar, url, Headers{{"Set-Cookie", "a=changed"}}, kT0);
    EXPECT_EQ(header(jar, url), "a=changed; b=2; c=3");
}

TEST(CookieJar, LongerPathsFirstThenOlderFirst) {
    Cookies jar = received("https://example.com/a/b/c",
                           {"deep=1", "root=2; Path=/", "mid=3; Path=/a", "deep2=4"});
    EXPECT_EQ(header(jar, "https://example.com/a/b/x"), "deep=1; deep2=4; mid=3; root=2");
    EXPECT_EQ(header(jar, "https://example.com/a"), "mid=3; root=2");
    EXPECT_EQ(header(jar, "https://example.com/ab"), "root=2");
}

TEST(CookieJar, ASetCookieOver4096BytesIsIgnored) {
    const std::string value(4096 - std::string("big=").size(), 'v');
    EXPECT_EQ(received("https://example.com/", {"big=" + value}).size(), 1u);
    EXPECT_TRUE(received("https://example.com/", {"big=" + value + "x"}).empty());
    EXPECT_TRUE(received("https://example.com/", {"big=1; Path=/" + value}).empty());
}

TEST(CookieJar, FiftyCookiesPerDomainTheLeastRecentlyUsedGo) {
    const httpx::URL url = "https://example.com/";
    Cookies jar;
    for (int i = 0; i < 50; ++i)
        CookiesAccess::extract_cookies(
            jar, url, Headers{{"Set-Cookie", "c" + std::to_string(i) + "=1"}}, kT0);
    // Storing c0 again counts as a use: c1 is now the least recently used.
    jar.set("other", "x", "other.org");
    CookiesAccess::extract_cookies(jar, url, Headers{{"Set-Cookie", "c0=again"}}, kT0);
    CookiesAccess::extract_cookies(jar, url, Headers{{"Set-Cookie", "c50=1"}}, kT0);
    EXPECT_EQ(jar.size(), 51u);
    EXPECT_EQ(jar.get("c0"), "again");
    EXPECT_EQ(jar.get("c1"), std::nullopt);
    EXPECT_EQ(jar.get("c50"), "1");
    EXPECT_EQ(jar.get("other"), "x");
    // Sending counts as use.
    (void)header(jar, url);  // all 50 used, in creation order: c0 (first in storage) ...
    CookiesAccess::extract_cookies(jar, url, Headers{{"Set-Cookie", "c51=1"}}, kT0);
    EXPECT_EQ(jar.get("c0"), std::nullopt);  // c0 is the first one stamped by that request
    EXPECT_EQ(jar.get("c2"), "1");
}

TEST(CookieJar, ThreeThousandCookiesInAll) {
    Cookies jar;
    Headers headers;
    for (int i = 0; i < 40; ++i) headers.add("Set-Cookie", "c" + std::to_string(i) + "=1");
    for (int host = 0; host < 76; ++host)  // 3040 cookies on 76 hosts
        CookiesAccess::extract_cookies(
            jar, httpx::URL("https://h" + std::to_string(host) + ".org/"), headers, kT0);
    EXPECT_EQ(jar.size(), 3000u);
    EXPECT_EQ(jar.get("c0", "h0.org"), std::nullopt);  // the oldest went
    EXPECT_EQ(jar.get("c39", "h0.org"), std::nullopt);
    EXPECT_EQ(jar.get("c0", "h1.org"), "1");
    EXPECT_EQ(jar.get("c39", "h75.org"), "1");
}

TEST(CookieJar, ApiCookiesAreNotLimited) {
    Cookies jar;
    for (int i = 0; i < 60; ++i) jar.set("c" + std::to_string(i), "1", "example.com");
    EXPECT_EQ(jar.size(), 60u);
}

TEST(CookieJar, ClearByDomainAndPath) {
    Cookies jar;
    jar.set("a", "1", "example.com", "/");
    jar.set("b", "2", "example.com", "/docs");
    jar.set("c", "3", "example.org", "/");
    jar.set("d", "4");
    jar.clear(".example.com", "/docs");
    EXPECT_EQ(names(jar), (std::vector<std::string>{"a", "c", "d"}));
    jar.clear("EXAMPLE.com");
    EXPECT_EQ(names(jar), (std::vector<std::string>{"c", "d"}));
    EXPECT_THROW(jar.clear(std::nullopt, "/"), std::invalid_argument);
    jar.clear();
    EXPECT_TRUE(jar.empty());
}

TEST(CookieJar, GetAndEraseIgnoreALeadingDot) {
    Cookies jar = received("https://www.example.com/", {"a=1; Domain=.example.com"});
    EXPECT_EQ(jar.get("a", ".example.com"), "1");
    EXPECT_EQ(jar.get("a", "example.com"), "1");
    EXPECT_EQ(jar.erase("a", ".example.com", "/"), 1u);
}

TEST(CookieJar, UpdateCopiesEveryAttribute) {
    Cookies from = received("https://example.com/", {"s=1; Secure; HttpOnly; Max-Age=60"});
    Cookies to;
    to.update(from);
    EXPECT_EQ(to, from);
    EXPECT_EQ(header(to, "http://example.com/"), "");
    EXPECT_EQ(header(to, "https://example.com/"), "s=1");
}

TEST(CookieJar, CopiesAreIndependent) {
    Cookies a{{"x", "1"}};
    Cookies b = a;
    b.set("x", "2");
    EXPECT_EQ(a.get("x"), "1");
    a = b;
    EXPECT_EQ(a.get("x"), "2");
    Cookies moved = std::move(a);
    EXPECT_EQ(moved.get("x"), "2");
    b = Cookies();
    EXPECT_TRUE(b.empty());
}

// ---------------------------------------------------------------------------------------------
// cookies.txt

// What curl 7.88 writes after `curl -c jar.txt` from a server setting these cookies.
constexpr std::string_view kCurlJar =
    "# Netscape HTTP Cookie File\n"
    "# https://curl.se/docs/http-cookies.html\n"
    "# This file was generated by libcurl! Edit at your own risk.\n"
    "\n"
    "#HttpOnly_.example.com\tTRUE\t/\tFALSE\t0\tsession\tabc\n"
    "www.example.com\tFALSE\t/docs\tTRUE\t2000000000\tpref\tdark mode\r\n"
    "example.com\tFALSE\t/\tFALSE\t1600000000\told\tgone\n"
    "example.com\tFALSE\t/\tFALSE\t0\tempty\t\n";

TEST(CookiesTxt, ReadsCurlsFormat) {
    const auto cookies = httpx::detail::parse_cookies_txt(kCurlJar, 1'700'000'000);
    ASSERT_EQ(cookies.size(), 3u);  // "old" expired in 2020
    EXPECT_EQ(cookies[0].name, "session");
    EXPECT_EQ(cookies[0].domain, "example.com");
    EXPECT_FALSE(cookies[0].host_only);
    EXPECT_TRUE(cookies[0].http_only);
    EXPECT_FALSE(cookies[0].secure);
    EXPECT_EQ(cookies[0].expires, std::nullopt);
    EXPECT_EQ(cookies[1].domain, "www.example.com");
    EXPECT_TRUE(cookies[1].host_only);
    EXPECT_EQ(cookies[1].path, "/docs");
    EXPECT_TRUE(cookies[1].secure);
    EXPECT_EQ(cookies[1].expires, 2'000'000'000);
    EXPECT_EQ(cookies[1].value, "dark mode");
    EXPECT_EQ(cookies[2].name, "empty");
    EXPECT_EQ(cookies[2].value, "");
}

TEST(CookiesTxt, MalformedLinesNameTheLine) {
    for (const char* bad :
         {"example.com\tTRUE\t/\tFALSE\t0\n", "example.com\tYES\t/\tFALSE\t0\tn\tv\n",
          "example.com\tTRUE\t/\tFALSE\tsoon\tn\tv\n", "\tTRUE\t/\tFALSE\t0\tn\tv\n"}) {
        try {
            (void)httpx::detail::parse_cookies_txt(std::string("# comment\n") + bad, 0);
            ADD_FAILURE() << "accepted: " << bad;
        } catch (const std::runtime_error& e) {
            EXPECT_NE(std::string(e.what()).find("line 2"), std::string::npos) << e.what();
        }
    }
}

TEST(CookiesTxt, WritesWhatItReads) {
    const auto cookies = httpx::detail::parse_cookies_txt(kCurlJar, 1'700'000'000);
    const std::string text = httpx::detail::format_cookies_txt(cookies, 1'700'000'000);
    EXPECT_TRUE(text.starts_with("# Netscape HTTP Cookie File\n"));
    EXPECT_NE(text.find("#HttpOnly_.example.com\tTRUE\t/\tFALSE\t0\tsession\tabc\n"),
              std::string::npos)
        << text;
    EXPECT_NE(text.find("www.example.com\tFALSE\t/docs\tTRUE\t2000000000\tpref\tdark mode\n"),
              std::string::npos)
        << text;
    EXPECT_EQ(httpx::detail::parse_cookies_txt(text, 1'700'000'000), cookies);
    // Expired by now: left out.
    EXPECT_EQ(httpx::detail::parse_cookies_txt(
                  httpx::detail::format_cookies_txt(cookies, 2'000'000'000), 0)
                  .size(),
              2u);
}

TEST(CookiesTxt, LoadAndSaveFiles) {
    const std::string path = std::filesystem::temp_directory_path() /
                             ("httpxx-cookies-" + std::to_string(::getpid()) + ".txt");
    Cookies jar = received(
        "https://www.example.com/",
        {"a=1; Domain=example.com; HttpOnly", "b=2; Secure; Max-Age=3600"},
        Seconds(std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now())));
    jar.set("nodomain", "x");  // no file can say "every host": not saved
    jar.save(path);
    Cookies loaded;
    loaded.load(path);
    std::filesystem::remove(path);
    ASSERT_EQ(names(loaded), (std::vector<std::string>{"a", "b"}));
    EXPECT_EQ(*loaded.begin(), *jar.begin());
    EXPECT_EQ(*std::next(loaded.begin()), *std::next(jar.begin()));
    EXPECT_EQ(loaded.cookie_header_for("https://www.example.com/"), "a=1; b=2");

    EXPECT_THROW(loaded.load(path), std::runtime_error);  // gone
    EXPECT_THROW(jar.save("/nonexistent-dir/cookies.txt"), std::runtime_error);
}

}  // namespace
