// The Netscape cookies.txt format of curl and wget (https://curl.se/docs/http-cookies.html),
// read and written without files: Cookies::load and save do the I/O.
#pragma once

#include "httpx/cookies.hpp"

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace httpx::detail {

/// The cookies of a cookies.txt text, those expired at `now` (Unix seconds) left out. Throws
/// std::runtime_error naming the line for a line that is not a comment, blank or 6-7 fields.
std::vector<Cookie> parse_cookies_txt(std::string_view text, std::int64_t now);

/// cookies.txt text for `cookies`, those expired at `now` and those without a domain left out.
std::string format_cookies_txt(const std::vector<Cookie>& cookies, std::int64_t now);

}  // namespace httpx::detail
