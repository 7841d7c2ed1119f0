// The way to the origin through a proxy, as a transport's connections take it (httpcore's
// HTTPProxy and SOCKSProxy): a stream to the proxy (TLS for an https:// proxy), then either
// the request goes to the proxy as it is (forwarding: plain HTTP through an HTTP(S) proxy), or
// the stream becomes a tunnel to the origin (CONNECT, SOCKS5) with TLS to the origin inside.
#pragma once

#include "httpx/config.hpp"
#include "httpx/headers.hpp"
#include "httpx/types.hpp"
#include "net/network_stream.hpp"
#include "net/tls_context.hpp"

#include <functional>
#include <memory>
#include <optional>
#include <string>

namespace httpx::net {

struct Destination;

struct ProxyRoute {
    enum class Kind {
        http,     // http://: forwards plain HTTP, CONNECT for https
        https,    // https://: the same over TLS to the proxy
        socks5,   // socks5://: the origin's name resolved here, its address sent
        socks5h,  // socks5h://: the origin's name sent, resolved by the proxy
    };
    /// Makes `stream` (to the proxy) a tunnel to `to`; returns the stream to speak through (it
    /// may hold bytes already read). Throws ProxyError when the proxy refuses.
    using Tunnel = std::function<awaitable<std::unique_ptr<NetworkStream>>(
        std::unique_ptr<NetworkStream> stream, const Destination& to, const ProxyRoute& proxy)>;

    Kind kind = Kind::http;
    std::string host;  // the proxy's
    int port = 0;
    std::shared_ptr<const TlsSettings> tls;  // https:// proxies: TLS to the proxy, its own verify
    /// HTTP(S) proxies: added to a forwarded request and to CONNECT, `Proxy-Authorization:
    /// Basic` first (from the credentials), then the Proxy's own headers.
    Headers headers;
    std::optional<Credentials> credentials;  // SOCKS5's username/password login
    /// HTTP(S) proxies: the CONNECT step (HTTP lives above this layer, see transport/).
    Tunnel connect_tunnel;

    bool is_http() const noexcept { return kind == Kind::http || kind == Kind::https; }
    /// Plain HTTP through an HTTP(S) proxy: the request goes to the proxy, absolute-form, on a
    /// connection of its own per origin (httpcore's AsyncForwardHTTPConnection).
    bool forwards(bool origin_tls) const noexcept { return is_http() && !origin_tls; }
};

}  // namespace httpx::net
