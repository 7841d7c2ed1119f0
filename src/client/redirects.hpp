// HTTPX's redirect rules (_redirect_method, _redirect_url, _redirect_headers, _redirect_stream):
// the next request of a redirect, computed from the request and its response alone. The client
// adds the Cookie header from its jar itself.
#pragma once

#include "httpx/request.hpp"
#include "httpx/response.hpp"

#include <string>
#include <string_view>

namespace httpx::detail {

/// The method browsers use: 302 and 303 turn anything but HEAD into GET, 301 turns POST into GET,
/// 307 and 308 keep it.
std::string redirect_method(const Request& request, const Response& response);

/// The Location header joined to the request URL; a Location with a scheme but no host gets the
/// request's host, and the request's fragment is kept when the Location has none. Throws
/// RemoteProtocolError for a Location that is no URL.
URL redirect_url(const Request& request, const Response& response);

/// The request's headers for `url`: Authorization dropped across origins (but for an upgrade of
/// the same host from http:80 to https:443), Host rewritten across origins, the body's framing
/// fields dropped when the method became GET, and the Cookie field always dropped.
Headers redirect_headers(const Request& request, const URL& url, std::string_view method);

/// The request's body, replayed; none when the method became GET.
AsyncByteStream redirect_stream(const Request& request, std::string_view method);

/// The next request of a redirect, all of the above together, without a Cookie header.
Request redirect_request(const Request& request, const Response& response);

}  // namespace httpx::detail
