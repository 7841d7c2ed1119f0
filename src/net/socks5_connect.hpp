// The SOCKS5 handshake over a stream already connected to the proxy: what the connector runs
// for socks5:// and socks5h:// proxies before the origin's TLS (if any). The bytes come from
// protocol/socks5.hpp.
#pragma once

#include "httpx/types.hpp"
#include "net/network_stream.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace httpx::net {

struct Socks5Credentials {
    std::string username;
    std::string password;
};

/// On `stream` (already connected to the SOCKS5 proxy): the greeting, RFC 1929 login when
/// `credentials` is set, then CONNECT to host:port (`host` is sent as a domain name unless
/// it is an IP literal; socks5:// callers resolve first and pass the address). Throws
/// httpx::ProxyError with httpcore's messages; bytes past the reply stay unread.
///
/// Also ProxyError when the proxy closes the connection mid-handshake or answers something
/// that is not SOCKS5. Socket errors pass through as the stream throws them
/// (boost::system::system_error); the caller bounds the time it takes.
awaitable<void> socks5_handshake(NetworkStream& stream, std::string_view host, std::uint16_t port,
                                 const std::optional<Socks5Credentials>& credentials);

}  // namespace httpx::net
