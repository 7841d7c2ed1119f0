// The Set-Cookie field and the cookie-date of RFC 6265 section 5, parsed without a jar, a URL or
// a clock: the jar (cookies.cpp) applies the result to a request's URL at a given time.
#pragma once

#include "httpx/cookies.hpp"

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace httpx::detail {

/// RFC 6265 §5.1.1: the date of an Expires attribute, or nullopt when the algorithm fails
/// (the attribute is then ignored). Two-digit years: 70-99 are 19xx, 00-69 are 20xx.
std::optional<std::chrono::sys_seconds> parse_cookie_date(std::string_view text);

/// RFC 1123 form of a time ("Sun, 06 Nov 1994 08:49:37 GMT"), as the cookie-date tests print it.
std::string format_cookie_date(std::chrono::sys_seconds when);

/// One Set-Cookie field as RFC 6265 §5.2 reads it: the name and value, and the last valid
/// value of each attribute (later attributes of one name win, as the RFC says).
struct SetCookie {
    std::string name;
    std::string value;
    std::optional<std::chrono::sys_seconds> expires;  // a valid Expires
    std::optional<std::int64_t> max_age;              // a valid Max-Age, in seconds
    std::optional<std::string> domain;  // lower-cased, without a leading dot; never ""
    std::optional<std::string> path;    // starts with '/' (otherwise the jar's default-path)
    bool secure = false;
    bool http_only = false;
    SameSite same_site = SameSite::unspecified;
};

/// Parses one Set-Cookie field value. nullopt for a field the RFC says to ignore entirely: no
/// '=' in the name-value pair, an empty name, or (RFC 6265bis) a control character.
std::optional<SetCookie> parse_set_cookie(std::string_view field);

}  // namespace httpx::detail
