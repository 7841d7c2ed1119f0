// The sans-I/O Set-Cookie parser (RFC 6265 §5.2) and cookie-date parser (§5.1.1) on their own;
// cookies_test.cpp covers what the jar does with the result.
#include "models/set_cookie.hpp"

#include <gtest/gtest.h>

#include <chrono>

namespace {

using httpx::SameSite;
using httpx::detail::format_cookie_date;
using httpx::detail::parse_cookie_date;
using httpx::detail::parse_set_cookie;

TEST(SetCookieParser, NameValueAndNoAttributes) {
    const auto c = parse_set_cookie("  session =  a=b=c  ");
    ASSERT_TRUE(c);
    EXPECT_EQ(c->name, "session");
    EXPECT_EQ(c->value, "a=b=c");  // only the first '=' separates
    EXPECT_FALSE(c->domain || c->path || c->expires || c->max_age);
    EXPECT_FALSE(c->secure || c->http_only);
    EXPECT_EQ(c->same_site, SameSite::unspecified);
}

TEST(SetCookieParser, FieldsTheRfcIgnores) {
    EXPECT_FALSE(parse_set_cookie("no-equals-sign"));
    EXPECT_FALSE(parse_set_cookie("=value"));
    EXPECT_FALSE(parse_set_cookie("  =value; Path=/"));
    EXPECT_FALSE(parse_set_cookie("name; a=b"));  // the '=' after ';' belongs to an attribute
    EXPECT_TRUE(parse_set_cookie("name="));       // an empty value is a value
    // RFC 6265bis: control characters void the field (they would break every Cookie header).
    EXPECT_FALSE(parse_set_cookie(std::string_view("a=b\0c", 5)));
    EXPECT_FALSE(parse_set_cookie("a=b\rSet-Cookie: x=1"));
    EXPECT_FALSE(parse_set_cookie("a=1; Path=/\x7f"));
    EXPECT_TRUE(parse_set_cookie("a=b\tc"));
}

TEST(SetCookieParser, Attributes) {
    const auto c = parse_set_cookie(
        "id=1; Domain=.Example.COM; Path=/docs; Secure; HttpOnly; SameSite=Lax; Max-Age=60; "
        "Expires=Wed, 21 Oct 2037 07:28:00 GMT; Unknown=x");
    ASSERT_TRUE(c);
    EXPECT_EQ(c->domain, "example.com");
    EXPECT_EQ(c->path, "/docs");
    EXPECT_TRUE(c->secure);
    EXPECT_TRUE(c->http_only);
    EXPECT_EQ(c->same_site, SameSite::lax);
    EXPECT_EQ(c->max_age, 60);
    ASSERT_TRUE(c->expires);
    EXPECT_EQ(format_cookie_date(*c->expires), "Wed, 21 Oct 2037 07:28:00 GMT");
    EXPECT_EQ(parse_set_cookie("a=1; samesite=STRICT")->same_site, SameSite::strict);
    EXPECT_EQ(parse_set_cookie("a=1; SameSite=None")->same_site, SameSite::none);
    EXPECT_EQ(parse_set_cookie("a=1; SameSite=whatever")->same_site, SameSite::unspecified);
    EXPECT_TRUE(parse_set_cookie("a=1; secure=no")->secure);  // the value does not matter
}

TEST(SetCookieParser, TheLastValidAttributeWins) {
    EXPECT_EQ(parse_set_cookie("a=1; Domain=a.org; Domain=b.org")->domain, "b.org");
    // An empty Domain is ignored, the earlier one stays.
    EXPECT_EQ(parse_set_cookie("a=1; Domain=a.org; Domain=")->domain, "a.org");
    EXPECT_FALSE(parse_set_cookie("a=1; Domain=.")->domain);
    EXPECT_EQ(parse_set_cookie("a=1; Path=/x; Path=/y")->path, "/y");
    // A Path not starting with '/' means the default-path, also over an earlier Path.
    EXPECT_FALSE(parse_set_cookie("a=1; Path=/x; Path=relative")->path);
    EXPECT_FALSE(parse_set_cookie("a=1; Path=/x; Path=")->path);
    EXPECT_EQ(parse_set_cookie("a=1; Max-Age=5; Max-Age=junk")->max_age, 5);
}

TEST(SetCookieParser, MaxAge) {
    EXPECT_EQ(parse_set_cookie("a=1; Max-Age=0")->max_age, 0);
    EXPECT_EQ(parse_set_cookie("a=1; Max-Age=-5")->max_age, -5);
    EXPECT_EQ(parse_set_cookie("a=1; max-age= 3600 ")->max_age, 3600);
    for (const char* bad : {"a=1; Max-Age=", "a=1; Max-Age=-", "a=1; Max-Age=+5", "a=1; Max-Age=5s",
                            "a=1; Max-Age=1.5", "a=1; Max-Age=50,399"})
        EXPECT_FALSE(parse_set_cookie(bad)->max_age) << bad;
    // Huge values saturate instead of overflowing.
    EXPECT_GT(*parse_set_cookie("a=1; Max-Age=99999999999999999999999")->max_age,
              std::int64_t{1} << 39);
}

TEST(CookieDate, Rfc6265Algorithm) {
    const auto at = [](const char* text) -> std::string {
        const auto t = parse_cookie_date(text);
        return t ? format_cookie_date(*t) : "invalid";
    };
    EXPECT_EQ(at("Sun, 06 Nov 1994 08:49:37 GMT"), "Sun, 06 Nov 1994 08:49:37 GMT");
    EXPECT_EQ(at("Sunday, 06-Nov-94 08:49:37 GMT"), "Sun, 06 Nov 1994 08:49:37 GMT");
    EXPECT_EQ(at("Sun Nov  6 08:49:37 1994"), "Sun, 06 Nov 1994 08:49:37 GMT");
    EXPECT_EQ(at("06 nov 2069 8:9:7"), "Wed, 06 Nov 2069 08:09:07 GMT");  // 00-69: 20xx
    EXPECT_EQ(at("06 nov 70 8:9:7"), "Fri, 06 Nov 1970 08:09:07 GMT");    // 70-99: 19xx
    EXPECT_EQ(at("31 Apr 2020 00:00:00"), "invalid");                     // no such date
    EXPECT_EQ(at("29 Feb 2021 00:00:00"), "invalid");
    EXPECT_EQ(at("1 Jan 1600 00:00:00"), "invalid");  // before 1601
    EXPECT_EQ(at("1 Jan 2020 24:00:00"), "invalid");
    EXPECT_EQ(at("1 Jan 2020"), "invalid");  // no time
    EXPECT_EQ(at(""), "invalid");
}

}  // namespace
