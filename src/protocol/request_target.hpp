// The request target both HTTP versions send (HTTP/1.1's request line, HTTP/2's :path).
#pragma once

#include <httpx/request.hpp>

#include <string>

namespace httpx::protocol {

/// The request target of `request`: its "target" extension when that holds a string (HTTPX's
/// way to send, say, "*" for OPTIONS), else the URL's path and query as given.
std::string request_target(const Request& request);

}  // namespace httpx::protocol
