// httpx::Cookies: an RFC 6265 cookie jar, as HTTPX's `Cookies` (a wrapper of Python's
// http.cookiejar), plus the Netscape cookies.txt files of curl and wget.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace httpx {

class Headers;
class URL;
namespace detail {
struct CookiesAccess;
}

/// The SameSite attribute of a cookie (RFC 6265bis). Stored as received: a client sends
/// cookies for the URL it requests and has no "site" to compare with.
enum class SameSite { unspecified, strict, lax, none };

/// One stored cookie.
struct Cookie {
    std::string name;
    std::string value;
    /// Lower-case, without a leading dot. "" (a cookie `set()` without a domain, as HTTPX's)
    /// is sent to every host.
    std::string domain;
    std::string path = "/";
    /// Unix time (seconds) after which the cookie is not sent; nullopt for a session cookie.
    std::optional<std::int64_t> expires;
    /// Sent to `domain` only, not to its subdomains (a Set-Cookie without Domain).
    bool host_only = false;
    /// Sent over a secure scheme only (https, wss).
    bool secure = false;
    /// Kept and sent as any other: HttpOnly restricts scripts, and a client has none.
    bool http_only = false;
    SameSite same_site = SameSite::unspecified;
    friend bool operator==(const Cookie&, const Cookie&) = default;
};

/// A cookie jar: the cookies a client keeps (`client.cookies()`), or those one response sets
/// (`response.cookies()`). Iteration visits every stored cookie in creation order.
///
/// Cookies from `Set-Cookie` fields follow RFC 6265 (§5.2-5.4), and RFC 6265bis in refusing a
/// field with a control character (it would break every later request): host-only and domain
/// cookies, a Domain that does not cover the request host or is a public suffix ("com", "co.uk",
/// "github.io": libpsl) is refused, and an IP-address host gets host-only cookies only;
/// default-path and path matching; Max-Age over Expires, and an expired cookie deletes the
/// stored one; Secure cookies go over https/wss only. Limits (RFC 6265 §6.1's numbers;
/// http.cookiejar has none): a Set-Cookie field over 4096 bytes (name, value and attributes) is
/// ignored; past 50 cookies for one domain or 3000 in all, the least recently used (sent or stored)
/// go first. Cookies set through the API (`set`, `update`, `load`) are not limited. The `Cookie`
/// header lists longer paths first, then older cookies first.
///
/// Thread safety: every member function locks the jar, so one jar may be used from several
/// threads at once (a client's jar is, by the client's own requests, and by a caller changing
/// it through `client.cookies()` meanwhile). Iteration (`begin`/`end`) is the exception: the
/// iterators see the jar unlocked, so iterate a copy (`Cookies copy = client.cookies();` is
/// atomic) when requests may be running.
class Cookies {
public:
    using const_iterator = std::vector<Cookie>::const_iterator;

    Cookies() noexcept = default;
    Cookies(std::initializer_list<std::pair<std::string, std::string>> items);
    Cookies(const Cookies& other);
    Cookies(Cookies&& other) noexcept;
    /// Replace the contents in place: a jar that other threads use may be assigned to.
    Cookies& operator=(const Cookies& other);
    Cookies& operator=(Cookies&& other);
    ~Cookies();

    /// Stores a cookie for `domain` and its subdomains ("" = every host) and `path`, replacing
    /// one with the same name, domain and path (HTTPX's `set`). A leading dot of `domain` is
    /// dropped.
    void set(std::string name, std::string value, std::string domain = "", std::string path = "/");
    /// Stores `cookie` as it is (its domain normalised as above), replacing one with the same
    /// name, domain and path.
    void set(Cookie cookie);
    /// The value of the cookie `name`, narrowed by domain and path when given (a leading dot of
    /// `domain` is ignored). Throws `CookieConflict` when several cookies match.
    std::optional<std::string> get(std::string_view name,
                                   std::optional<std::string_view> domain = std::nullopt,
                                   std::optional<std::string_view> path = std::nullopt) const;
    /// Removes the matching cookies; returns how many were removed.
    std::size_t erase(std::string_view name, std::optional<std::string_view> domain = std::nullopt,
                      std::optional<std::string_view> path = std::nullopt);
    /// Removes every cookie, or those of `domain`, or those of `domain` and `path` (HTTPX's
    /// `clear`). Throws `std::invalid_argument` for a path without a domain.
    void clear(std::optional<std::string_view> domain = std::nullopt,
               std::optional<std::string_view> path = std::nullopt);
    /// Sets every cookie of `other` here (all its attributes).
    void update(const Cookies& other);

    std::size_t size() const;
    bool empty() const { return size() == 0; }
    const_iterator begin() const noexcept;
    const_iterator end() const noexcept;

    /// Stores the cookies of every `Set-Cookie` field in `response_headers`, a response to a
    /// request for `request_url`, as RFC 6265 §5.3 says (see the class comment).
    void extract_cookies(const URL& request_url, const Headers& response_headers);
    /// The `Cookie` header value for a request to `url` ("" when no cookie applies): cookies
    /// whose domain, path, Secure and expiry allow it.
    std::string cookie_header_for(const URL& url) const;

    /// Adds the cookies of a Netscape cookies.txt file, as curl (`-c`) and wget
    /// (`--save-cookies`) write it: tab-separated domain, include-subdomains (TRUE/FALSE),
    /// path, secure (TRUE/FALSE), expiry (Unix time; 0 for a session cookie), name, value; a
    /// `#HttpOnly_` prefix on the domain; other lines starting with '#' and blank lines are
    /// comments. Expired cookies are skipped. Throws `std::runtime_error` when the file cannot
    /// be read or a line is malformed (its number in the message).
    void load(const std::string& path);
    /// Writes the jar, expired cookies left out, in the format above (curl reads it with
    /// `-b`). A cookie without a domain, which no file can express, is left out too. Throws
    /// `std::runtime_error` when the file cannot be written.
    void save(const std::string& path) const;

    friend bool operator==(const Cookies& a, const Cookies& b);

private:
    friend struct detail::CookiesAccess;
    struct Impl;
    Impl* impl() const;  // created on first use; never replaced while the jar lives
    mutable std::atomic<Impl*> impl_{nullptr};
};

}  // namespace httpx
