#include "client/url_pattern.hpp"

#include "models/default_port.hpp"

#include "models/idna.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <stdexcept>

namespace httpx::detail {

namespace {

std::string lower(std::string_view s) {
    std::string out(s);
    std::transform(out.begin(), out.end(), out.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return out;
}

bool ends_with(std::string_view s, std::string_view suffix) {
    return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

}  // namespace

// Parsed by hand rather than with URL: "*" hosts are not valid URLs.
URLPattern::URLPattern(std::string_view pattern) : pattern_(pattern) {
    auto sep = pattern.find("://");
    if (sep == std::string_view::npos)
        throw std::invalid_argument(
            "Proxy keys should use proper URL forms rather than plain scheme strings. Instead "
            "of \"" +
            std::string(pattern) + "\", use \"" + std::string(pattern) + "://\"");
    std::string scheme = lower(pattern.substr(0, sep));
    scheme_ = scheme == "all" ? "" : scheme;
    std::string_view authority = pattern.substr(sep + 3);
    authority = authority.substr(0, authority.find('/'));
    auto colon = authority.rfind(':');
    if (colon != std::string_view::npos && authority.find(']', colon) == std::string_view::npos) {
        int port = 0;
        auto digits = authority.substr(colon + 1);
        auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), port);
        if (ec != std::errc() || end != digits.data() + digits.size())
            throw std::invalid_argument("Invalid port in mount pattern \"" + pattern_ + "\"");
        // A scheme's default port is the same as no port, as for URL::port().
        if (default_port(scheme) != port) port_ = port;
        authority = authority.substr(0, colon);
    }
    host_ = lower(authority);
    if (host_ == "*") host_.clear();
    // Compared with URL::host(): IPv6 literals without brackets, IDNA labels decoded.
    if (host_.size() >= 2 && host_.front() == '[' && host_.back() == ']')
        host_ = host_.substr(1, host_.size() - 2);
    if (host_.starts_with("*."))
        host_ = "*." + idna_decode_host(std::string_view(host_).substr(2));
    else if (host_.starts_with("*"))
        host_ = "*" + idna_decode_host(std::string_view(host_).substr(1));
    else
        host_ = idna_decode_host(host_);
}

bool URLPattern::matches(const URL& url) const {
    if (!scheme_.empty() && scheme_ != url.scheme()) return false;
    if (!host_.empty()) {
        std::string host = url.host();
        if (host_.starts_with("*.")) {
            // "*.example.com": subdomains only.
            std::string_view domain = std::string_view(host_).substr(1);  // ".example.com"
            if (!(host.size() > domain.size() && ends_with(host, domain))) return false;
        } else if (host_.starts_with("*")) {
            // "*example.com": the domain itself or any subdomain.
            std::string_view domain = std::string_view(host_).substr(1);
            if (host != domain && !ends_with(host, "." + std::string(domain))) return false;
        } else if (host != host_) {
            return false;
        }
    }
    if (port_ && port_ != url.port()) return false;
    return true;
}

std::tuple<int, int, int> URLPattern::priority() const {
    return {port_ ? 0 : 1, -static_cast<int>(host_.size()), -static_cast<int>(scheme_.size())};
}

}  // namespace httpx::detail
