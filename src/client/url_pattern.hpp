// HTTPX's URLPattern: the keys of `mounts` ("all://", "https://*.example.com:8443", ...).
// Beyond HTTPX, an IP address followed by a prefix length ("all://10.0.0.0/8",
// "all://[fd00::]/8") matches the IP-literal hosts in that range (NO_PROXY's CIDR entries).
#pragma once

#include "httpx/url.hpp"

#include <optional>
#include <string>
#include <string_view>
#include <tuple>

namespace httpx::detail {

class URLPattern {
public:
    /// Throws `std::invalid_argument` for a key without "://" (HTTPX's ValueError).
    explicit URLPattern(std::string_view pattern);

    bool matches(const URL& url) const;
    /// Sort key: lower sorts first and wins (explicit port, then longer host, then longer scheme).
    std::tuple<int, int, int> priority() const;
    const std::string& pattern() const noexcept { return pattern_; }

private:
    std::string pattern_;
    std::string scheme_;  // "" matches every scheme ("all://")
    std::string host_;    // "" matches every host; may start with "*" or "*."
    std::optional<int> port_;
    std::optional<int> prefix_length_;  // set: host_ is the address of a range
};

}  // namespace httpx::detail
