// httpx::Cookies: a container of cookies, as HTTPX's `Cookies` (the RFC 6265 jar comes later).
#pragma once

#include <cstddef>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace httpx {

class Headers;
class URL;

/// One stored cookie.
struct Cookie {
    std::string name;
    std::string value;
    std::string domain;  // "" matches every host
    std::string path = "/";
    friend bool operator==(const Cookie&, const Cookie&) = default;
};

/// Cookies kept by a client or set by one response. Iteration visits every stored cookie.
class Cookies {
public:
    using const_iterator = std::vector<Cookie>::const_iterator;

    Cookies() = default;
    Cookies(std::initializer_list<std::pair<std::string, std::string>> items);

    /// Stores a cookie, replacing one with the same name, domain and path.
    void set(std::string name, std::string value, std::string domain = "", std::string path = "/");
    /// The value of the cookie `name`, narrowed by domain and path when given. Throws
    /// `CookieConflict` when several cookies match.
    std::optional<std::string> get(std::string_view name,
                                   std::optional<std::string_view> domain = std::nullopt,
                                   std::optional<std::string_view> path = std::nullopt) const;
    /// Removes the matching cookies; returns how many were removed.
    std::size_t erase(std::string_view name, std::optional<std::string_view> domain = std::nullopt,
                      std::optional<std::string_view> path = std::nullopt);
    void clear() noexcept { cookies_.clear(); }
    /// Sets every cookie of `other` here.
    void update(const Cookies& other);

    std::size_t size() const noexcept { return cookies_.size(); }
    bool empty() const noexcept { return cookies_.empty(); }
    const_iterator begin() const noexcept { return cookies_.begin(); }
    const_iterator end() const noexcept { return cookies_.end(); }

    /// Stores the cookies of every `Set-Cookie` field in `response_headers`, a response to a
    /// request for `request_url` (domain and path default from that URL).
    void extract_cookies(const URL& request_url, const Headers& response_headers);
    /// The `Cookie` header value for a request to `url` ("" when no cookie applies).
    std::string cookie_header_for(const URL& url) const;

    friend bool operator==(const Cookies&, const Cookies&) = default;

private:
    std::vector<Cookie> cookies_;
};

}  // namespace httpx
