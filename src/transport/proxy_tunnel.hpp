// HTTP and HTTPS proxies in the transport (httpcore's http_proxy.py): the route a transport's
// connections take through an httpx::Proxy, and the CONNECT step that makes a stream to the
// proxy a tunnel to the origin.
#pragma once

#include "httpx/config.hpp"
#include "httpx/headers.hpp"
#include "httpx/types.hpp"
#include "net/connect.hpp"
#include "net/network_stream.hpp"
#include "net/proxy_route.hpp"

#include <memory>
#include <string>
#include <string_view>

namespace httpx::transport {

/// The route through `proxy`: where it is, TLS to it (an https:// proxy, checked with the
/// proxy's own `verify`, reading `SSL_CERT_FILE`/`SSL_CERT_DIR` with `trust_env`), the headers
/// it is sent (`Proxy-Authorization: Basic` first), and the CONNECT step for HTTP(S) proxies.
/// Throws `std::invalid_argument` for a proxy URL without a host.
std::shared_ptr<const net::ProxyRoute> make_proxy_route(const Proxy& proxy, bool trust_env);

/// "host:port" for a CONNECT target and its Host header (an IPv6 address bracketed).
std::string authority(std::string_view host, int port);

/// The CONNECT head asking `proxy` for a tunnel to host:port: `Host: host:port`,
/// `Accept: */*`, then the proxy headers (which win over both).
std::string connect_request_head(std::string_view host, int port, const Headers& proxy_headers);

/// Sends CONNECT on `stream` and reads the answer: a 2xx hands back the stream, now a tunnel;
/// any other answer closes it and throws `ProxyError("407 Proxy Authentication Required")`
/// (the status and reason received). A malformed answer, or none, is a RemoteProtocolError; a
/// failed read or write a ConnectError. The caller bounds it in time (the connect timeout).
awaitable<std::unique_ptr<net::NetworkStream>> open_connect_tunnel(
    std::unique_ptr<net::NetworkStream> stream, const net::Destination& to,
    const net::ProxyRoute& proxy);

}  // namespace httpx::transport
