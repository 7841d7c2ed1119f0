// The default port of a URL scheme, shared by URL normalisation, the pool and the client.
#pragma once

#include "httpx/url.hpp"

#include <optional>
#include <string_view>

namespace httpx::detail {

/// 80 for http/ws, 443 for https/wss, 21 for ftp; nullopt for other schemes.
std::optional<int> default_port(std::string_view scheme) noexcept;

/// The URL's port, or its scheme's default when it has none.
inline std::optional<int> port_or_default(const URL& url) {
    if (url.port()) return url.port();
    return default_port(url.scheme());
}

}  // namespace httpx::detail
