// Test that header file is self-contained.
#include "httpx/cookies.hpp"

#include "httpx/exceptions.hpp"
#include "httpx/headers.hpp"
#include "httpx/url.hpp"

#include <gtest/gtest.h>

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
    EXPECT_EQ(*cookies.begin(), (Cookie{"a", "1", "", "/"}));
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
    EXPECT_EQ(*cookies.begin(), (Cookie{"session", "abc", "example.com", "/docs"}));

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

}  // namespace
