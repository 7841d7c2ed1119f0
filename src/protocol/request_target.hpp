// The request target both HTTP versions send (HTTP/1.1's request line, HTTP/2's :path).
#pragma once

#include <httpx/request.hpp>

#include <string>

namespace httpx::protocol {

/// The request target of `request`: its "target" extension (HTTPX's way to send, say, "*" for
/// OPTIONS, or an absolute form), else the URL's path and query as given. Throws
/// `std::invalid_argument` when the extension holds no string.
std::string request_target(const Request& request);

/// The target of `request` forwarded by an HTTP proxy: its "target" extension when set, else
/// the absolute form `scheme://host[:port]/path?query` (httpcore's `bytes(request.url)`).
std::string forwarded_target(const Request& request);

/// `default_headers` followed by `override_headers`, without the defaults that the overrides
/// name (httpcore's merge_headers: how proxy headers join a request's, and CONNECT's own).
Headers merge_headers(const Headers& default_headers, const Headers& override_headers);

}  // namespace httpx::protocol
