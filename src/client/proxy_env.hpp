// The proxies the environment asks for (HTTP_PROXY, HTTPS_PROXY, ALL_PROXY, NO_PROXY), read as
// HTTPX reads them with trust_env: Python's urllib rules first, then HTTPX's mount patterns.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace httpx::detail {

/// Environment variables as name/value pairs. The client reads the process's; tests pass their
/// own, so they need not change the process environment.
using Environment = std::vector<std::pair<std::string, std::string>>;

/// A snapshot of the process environment.
Environment process_environment();

/// urllib's getproxies_environment(): every `<scheme>_proxy` variable, any case, keyed by the
/// lower-case scheme ("http", "https", "all", "no", ...). A lower-case variable wins over the
/// others of its name, and an empty lower-case one removes the entry; other empty values are
/// ignored. When REQUEST_METHOD is set (a CGI script, whose HTTP_PROXY a client can set with a
/// `Proxy:` header: "httpoxy", CVE-2016-1000110), only lower-case `http_proxy` counts.
std::map<std::string, std::string> environment_proxy_settings(const Environment& environment);

/// HTTPX's get_environment_proxies(): mount patterns to proxy URLs, or to nullopt for "go
/// direct". "http://", "https://" and "all://" from http, https and all (a value without
/// "://" gets "http://"); from NO_PROXY's comma-separated entries: "*" means no proxies at
/// all; an entry with "://" is used as a pattern; an IPv4 or IPv6 address or "localhost"
/// matches that host; ".example.com" and "*.example.com" match its subdomains; another name
/// matches itself and its subdomains. Beyond HTTPX (encode/httpx#3221), an address range
/// ("10.0.0.0/8", "fd00::/8") matches the IP-literal hosts inside it.
std::map<std::string, std::optional<std::string>> environment_proxies(
    const Environment& environment);

}  // namespace httpx::detail
