// What the clients and transports may do to a Response beyond its public API.
#pragma once

#include "httpx/response.hpp"

#include <chrono>

namespace httpx::detail {

struct ResponseAccess {
    /// Starts the clock behind `elapsed()`: it stops when the response is closed.
    static void start_elapsed_clock(Response& response,
                                    std::chrono::steady_clock::time_point start);
    /// The encoding used when the response names no (known) charset: the client's.
    static void set_default_encoding(Response& response, std::string encoding);
    /// `aread()` without returning a copy of the body.
    static awaitable<void> read(Response& response);
};

}  // namespace httpx::detail
