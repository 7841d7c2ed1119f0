#include "client/url_pattern.hpp"
#include "support/ascii.hpp"

#include "models/default_port.hpp"

#include "models/idna.hpp"

#include <boost/asio/ip/address.hpp>

#include <algorithm>
#include <array>
#include <cctype>
#include <charconv>
#include <stdexcept>

namespace httpx::detail {

namespace {

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
    std::string scheme = ascii_lower(pattern.substr(0, sep));
    scheme_ = scheme == "all" ? "" : scheme;
    std::string_view authority = pattern.substr(sep + 3);
    const auto slash = authority.find('/');
    const std::string_view path =
        slash == std::string_view::npos ? std::string_view() : authority.substr(slash + 1);
    authority = authority.substr(0, slash);
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
    host_ = ascii_lower(authority);
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
    // A path is ignored (as HTTPX does), except a prefix length after an address.
    int length = 0;
    const auto [end, ec] = std::from_chars(path.data(), path.data() + path.size(), length);
    if (!path.empty() && ec == std::errc() && end == path.data() + path.size()) {
        boost::system::error_code error;
        const auto address = boost::asio::ip::make_address(host_, error);
        if (!error) {
            if (length < 0 || length > (address.is_v4() ? 32 : 128))
                throw std::invalid_argument("Invalid prefix length in mount pattern \"" + pattern_ +
                                            "\"");
            prefix_length_ = length;
        }
    }
}

namespace {

// Whether `host` is an IP address inside `network`/`length` (both of one family).
bool in_range(const std::string& host, const std::string& network, int length) {
    boost::system::error_code error;
    const auto address = boost::asio::ip::make_address(host, error);
    if (error) return false;
    const auto base = boost::asio::ip::make_address(network);
    if (address.is_v4() != base.is_v4()) return false;
    const auto bytes_of = [](const boost::asio::ip::address& a) {
        std::array<unsigned char, 16> out{};
        if (a.is_v4()) {
            const auto b = a.to_v4().to_bytes();
            std::copy(b.begin(), b.end(), out.begin());
        } else {
            out = a.to_v6().to_bytes();
        }
        return out;
    };
    const auto a = bytes_of(address), b = bytes_of(base);
    for (int bit = 0; bit < length; ++bit) {
        const unsigned mask = 0x80u >> (bit % 8);
        if ((a[bit / 8] & mask) != (b[bit / 8] & mask)) return false;
    }
    return true;
}

}  // namespace

bool URLPattern::matches(const URL& url) const {
    if (!scheme_.empty() && scheme_ != url.scheme()) return false;
    if (prefix_length_) {
        if (!in_range(url.host(), host_, *prefix_length_)) return false;
    } else if (!host_.empty()) {
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
