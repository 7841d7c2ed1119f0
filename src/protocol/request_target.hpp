// The request target both HTTP versions send (HTTP/1.1's request line, HTTP/2's :path).
#pragma once

#include <httpx/request.hpp>

#include <string>

namespace httpx::protocol {

/// The request target of `request`: its "target" extension (HTTPX's way to send, say, "*" for
/// OPTIONS, or an absolute form), else the URL's path and query as given. Throws
/// `std::invalid_argument` when the extension holds no string.
std::string request_target(const Request& request);

}  // namespace httpx::protocol
