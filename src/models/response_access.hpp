// What the clients and transports may do to a Response beyond its public API.
#pragma once

#include "httpx/response.hpp"

#include <chrono>
#include <string>

namespace httpx::detail {

struct ResponseAccess {
    /// Starts the clock behind `elapsed()`: it stops when the response is closed.
    static void start_elapsed_clock(Response& response,
                                    std::chrono::steady_clock::time_point start);
    /// The "http_version" and "reason_phrase" extensions, as a transport read them (the map
    /// entries are only made if the caller asks for `extensions()`).
    static void set_status_line(Response& response, std::string http_version,
                                std::string reason_phrase);
    /// The encoding used when the response names no (known) charset: the client's.
    static void set_default_encoding(Response& response, std::string encoding);
    /// `aread()` without returning a copy of the body.
    static awaitable<void> read(Response& response);
};

}  // namespace httpx::detail
