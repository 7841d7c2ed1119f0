// What the clients and transports may do to a Response beyond its public API.
#pragma once

#include "httpx/response.hpp"

namespace httpx {
struct TLSInfo;
}

#include <chrono>
#include <memory>
#include <string>

namespace httpx::detail {

class SyncDriver;

struct ResponseAccess {
    /// A transport's response whose body is still to be read, with its status line: what
    /// `Response(status, {.headers, .stream})` and set_status_line() make, without building
    /// and destroying a ResponseOptions for every response.
    static Response streamed(int status, Headers headers, AsyncByteStream stream,
                             std::string http_version, std::string reason_phrase);
    /// Starts the clock behind `elapsed()`: it stops when the response is closed.
    static void start_elapsed_clock(Response& response,
                                    std::chrono::steady_clock::time_point start);
    /// The "http_version" and "reason_phrase" extensions, as a transport read them (the map
    /// entries are only made if the caller asks for `extensions()`).
    static void set_status_line(Response& response, std::string http_version,
                                std::string reason_phrase);
    /// The TLS facts of the connection, for the "tls" extension (a TLSInfo, copied into the
    /// map only if the caller asks for `extensions()`). Null: none.
    static void set_tls_info(Response& response, std::shared_ptr<const TLSInfo> info);
    /// The encoding used when the response names no (known) charset: the client's.
    static void set_default_encoding(Response& response, const DefaultEncoding& encoding);
    /// `set_request()` with a request nobody changes any more: shared, not copied.
    static void set_request(Response& response, std::shared_ptr<Request> request);
    /// Marks a response of an httpx::Client: its sync forms run on `driver`, its async forms
    /// refuse an unread body. `driver` may own more (the temporary client of httpx::stream()).
    static void set_sync_driver(Response& response, std::shared_ptr<SyncDriver> driver);
    /// `aread()` without returning a copy of the body.
    static awaitable<void> read(Response& response);
};

}  // namespace httpx::detail
