// What the library and its tests may do to a Cookies jar beyond its public API: the jar's
// operations at a given time (the public ones use the system clock).
#pragma once

#include "httpx/cookies.hpp"

#include <chrono>
#include <string>

namespace httpx::detail {

struct CookiesAccess {
    static void extract_cookies(Cookies& jar, const URL& request_url, const Headers& headers,
                                std::chrono::sys_seconds now);
    static std::string cookie_header_for(const Cookies& jar, const URL& url,
                                         std::chrono::sys_seconds now);
    /// The jar as a cookies.txt file, and cookies.txt content added to the jar.
    static std::string to_cookies_txt(const Cookies& jar, std::chrono::sys_seconds now);
    static void add_cookies_txt(Cookies& jar, std::string_view text, std::chrono::sys_seconds now);
};

}  // namespace httpx::detail
