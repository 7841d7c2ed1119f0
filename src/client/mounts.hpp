// HTTPX's mounts: a transport per URL pattern ("all://", "https://*.example.com", ...).
#pragma once

#include "client/url_pattern.hpp"
#include "httpx/transport.hpp"

#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace httpx::detail {

class Mounts {
public:
    Mounts() = default;
    /// Throws `std::invalid_argument` for a key that is no URL pattern. A null transport means
    /// the client's default one.
    explicit Mounts(const std::map<std::string, std::shared_ptr<AsyncBaseTransport>>& mounts);

    /// The transport of the most specific pattern matching `url`, or `fallback`.
    std::shared_ptr<AsyncBaseTransport> transport_for(
        const URL& url, const std::shared_ptr<AsyncBaseTransport>& fallback) const;
    /// Every transport mounted (not the fallback), for closing them.
    std::vector<std::shared_ptr<AsyncBaseTransport>> transports() const;

private:
    // Most specific first.
    std::vector<std::pair<URLPattern, std::shared_ptr<AsyncBaseTransport>>> entries_;
};

}  // namespace httpx::detail
