#include "client/proxy_env.hpp"
#include "support/ascii.hpp"

#include <boost/asio/ip/address.hpp>

#include <algorithm>
#include <cctype>
#include <string_view>

extern char** environ;

namespace httpx::detail {

namespace {

std::string_view trim(std::string_view s) {
    const auto first = s.find_first_not_of(" \t\r\n");
    if (first == std::string_view::npos) return {};
    return s.substr(first, s.find_last_not_of(" \t\r\n") - first + 1);
}

constexpr std::string_view suffix = "_proxy";

// The scheme of a "<scheme>_proxy" name (any case), or nullopt.
std::optional<std::string> scheme_of(std::string_view name) {
    if (name.size() < suffix.size() ||
        ascii_lower(name.substr(name.size() - suffix.size())) != suffix)
        return std::nullopt;
    return ascii_lower(name.substr(0, name.size() - suffix.size()));
}

// "1.2.3.4" or "::1" (HTTPX's is_ipv4_hostname / is_ipv6_hostname, without a range).
std::optional<boost::asio::ip::address> ip_literal(std::string_view text) {
    boost::system::error_code error;
    auto address = boost::asio::ip::make_address(std::string(text), error);
    if (error) return std::nullopt;
    return address;
}

}  // namespace

Environment process_environment() {
    Environment out;
    for (char** entry = environ; entry && *entry; ++entry) {
        const std::string_view text(*entry);
        const auto equals = text.find('=');
        if (equals == std::string_view::npos) continue;
        out.emplace_back(text.substr(0, equals), text.substr(equals + 1));
    }
    return out;
}

std::map<std::string, std::string> environment_proxy_settings(const Environment& environment) {
    std::map<std::string, std::string> proxies;
    bool cgi = false;
    // First any case, then lower case only, so that lower case wins (urllib's two passes).
    for (const auto& [name, value] : environment) {
        if (name == "REQUEST_METHOD") cgi = true;
        if (const auto scheme = scheme_of(name); scheme && !value.empty()) proxies[*scheme] = value;
    }
    if (cgi) proxies.erase("http");
    for (const auto& [name, value] : environment) {
        const auto scheme = scheme_of(name);
        if (!scheme || name != ascii_lower(name)) continue;
        if (value.empty())
            proxies.erase(*scheme);
        else
            proxies[*scheme] = value;
    }
    return proxies;
}

std::map<std::string, std::optional<std::string>> environment_proxies(
    const Environment& environment) {
    const auto settings = environment_proxy_settings(environment);
    std::map<std::string, std::optional<std::string>> mounts;
    for (const char* scheme : {"http", "https", "all"}) {
        const auto found = settings.find(scheme);
        if (found == settings.end()) continue;
        const std::string& url = found->second;
        mounts[std::string(scheme) + "://"] =
            url.find("://") != std::string::npos ? url : "http://" + url;
    }
    const auto no_proxy = settings.find("no");
    if (no_proxy == settings.end()) return mounts;
    const std::string_view list = no_proxy->second;
    for (std::size_t start = 0; start <= list.size();) {
        const auto comma = std::min(list.find(',', start), list.size());
        const std::string_view entry = trim(list.substr(start, comma - start));
        start = comma + 1;
        if (entry == "*") return {};
        if (entry.empty()) continue;
        const std::string text(entry);
        const auto slash = entry.find('/');
        const auto address = ip_literal(entry.substr(0, slash));
        if (text.find("://") != std::string::npos) {
            mounts[text] = std::nullopt;
        } else if (entry.starts_with('[')) {  // "[::1]", "[fd00::]/8"
            mounts["all://" + text] = std::nullopt;
        } else if (address && address->is_v6()) {
            // "[::1]" as a URL writes it; a range keeps its length outside the brackets.
            mounts["all://[" + std::string(entry.substr(0, slash)) + "]" +
                   std::string(slash == std::string_view::npos ? "" : entry.substr(slash))] =
                std::nullopt;
        } else if (address || ascii_lower(entry) == "localhost") {
            mounts["all://" + text] = std::nullopt;
        } else if (entry.starts_with("*.")) {
            // HTTPX would make "all://**.example.com", which matches nothing; curl and Go
            // read it as ".example.com".
            mounts["all://" + text] = std::nullopt;
        } else {
            mounts["all://*" + text] = std::nullopt;
        }
    }
    return mounts;
}

}  // namespace httpx::detail
