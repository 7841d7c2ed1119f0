#include "httpx/config.hpp"

#include "httpx/url.hpp"
#include "models/py_repr.hpp"

#include <ostream>
#include <sstream>
#include <stdexcept>

namespace httpx {

namespace {

std::optional<double> seconds(const std::optional<Timeout::Duration>& d) {
    return d ? std::optional<double>(d->count()) : std::nullopt;
}

// HTTPX's repr of a URL, `URL('...')`, with any password masked by URL's operator<<.
std::string url_repr(const URL& url) {
    std::ostringstream text;
    text << url;
    return "URL(" + detail::py_str_repr(text.str()) + ")";
}

}  // namespace

std::ostream& operator<<(std::ostream& os, const Timeout& t) {
    const auto connect = seconds(t.connect), read = seconds(t.read), write = seconds(t.write),
               pool = seconds(t.pool);
    std::string out = "Timeout(";
    if (connect == read && read == write && write == pool) {
        out += "timeout=" + detail::py_optional_repr(connect);
    } else {
        out += "connect=" + detail::py_optional_repr(connect);
        out += ", read=" + detail::py_optional_repr(read);
        out += ", write=" + detail::py_optional_repr(write);
        out += ", pool=" + detail::py_optional_repr(pool);
    }
    out += ')';
    return os << out;
}

std::ostream& operator<<(std::ostream& os, const Limits& limits) {
    auto count = [](const std::optional<std::size_t>& n) {
        return n ? std::to_string(*n) : std::string("None");
    };
    const auto expiry = limits.keepalive_expiry
                            ? std::optional<double>(limits.keepalive_expiry->count())
                            : std::nullopt;
    return os << "Limits(max_connections=" << count(limits.max_connections)
              << ", max_keepalive_connections=" << count(limits.max_keepalive_connections)
              << ", keepalive_expiry=" << detail::py_optional_repr(expiry) << ')';
}

Proxy::Proxy(std::string url, Options options)
    : auth_(std::move(options.auth)),
      headers_(std::move(options.headers)),
      verify_(std::move(options.verify)) {
    URL parsed(url);
    const auto& scheme = parsed.scheme();
    if (scheme != "http" && scheme != "https" && scheme != "socks5" && scheme != "socks5h")
        throw std::invalid_argument("Unknown scheme for proxy URL " + url_repr(parsed));
    if (!parsed.userinfo().empty()) {
        // Credentials travel in Proxy-Authorization (or SOCKS5 auth), never in the URL, so
        // they are moved out of it; an explicit `auth` option wins over the URL's.
        if (!auth_) auth_ = Credentials{parsed.username(), parsed.password()};
        URL::Components without_userinfo;
        without_userinfo.username = std::string();
        without_userinfo.password = std::string();
        parsed = parsed.copy_with(without_userinfo);
    }
    url_ = parsed.str();
}

std::ostream& operator<<(std::ostream& os, const Proxy& proxy) {
    std::string out = "Proxy(" + detail::py_str_repr(proxy.url_);
    if (proxy.auth_) {
        out += ", auth=(" + detail::py_str_repr(proxy.auth_->username) + ", '********')";
    }
    if (!proxy.headers_.empty()) {
        // HTTPX prints dict(headers): lower-cased names, repeated names joined with ", ".
        out += ", headers={";
        bool first = true;
        for (const auto& name : proxy.headers_.keys()) {
            if (!first) out += ", ";
            first = false;
            out +=
                detail::py_str_repr(name) + ": " + detail::py_str_repr(*proxy.headers_.get(name));
        }
        out += '}';
    }
    out += ')';
    return os << out;
}

}  // namespace httpx
