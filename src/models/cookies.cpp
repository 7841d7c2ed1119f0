// A deliberately small cookie store. It implements the parts of RFC 6265 that users notice in
// everyday use (a server sets, updates and deletes cookies; they are sent back to the same
// site and path) and leaves out the rest until the full jar lands: expiry times of live cookies
// (they are kept as session cookies), Secure/HttpOnly/SameSite, host-only cookies (a cookie
// without Domain is stored for the request host and, like a Domain cookie, also matches its
// subdomains) and the public-suffix check.
#include "httpx/cookies.hpp"

#include "httpx/exceptions.hpp"
#include "httpx/headers.hpp"
#include "httpx/url.hpp"

#include <algorithm>
#include <array>
#include <charconv>
#include <chrono>

namespace httpx {

namespace {

constexpr std::string_view kWhitespace = " \t";

std::string_view trim(std::string_view s) noexcept {
    const auto first = s.find_first_not_of(kWhitespace);
    if (first == std::string_view::npos) return {};
    return s.substr(first, s.find_last_not_of(kWhitespace) - first + 1);
}

std::string to_lower(std::string_view s) {
    std::string out(s);
    for (char& c : out)
        if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    return out;
}

bool matches(const Cookie& cookie, std::string_view name, std::optional<std::string_view> domain,
             std::optional<std::string_view> path) {
    return cookie.name == name && (!domain || cookie.domain == *domain) &&
           (!path || cookie.path == *path);
}

bool is_ip_literal(std::string_view host) noexcept {
    if (host.find(':') != std::string_view::npos) return true;  // IPv6
    return !host.empty() && host.find_first_not_of("0123456789.") == std::string_view::npos;
}

// RFC 6265 §5.1.3 domain-match; a leading dot (old-style ".example.com") is ignored.
bool domain_matches(std::string_view host, std::string_view domain) noexcept {
    if (domain.empty()) return true;
    if (domain.front() == '.') domain.remove_prefix(1);
    if (iequals(host, domain)) return true;
    return !is_ip_literal(host) && host.size() > domain.size() &&
           host[host.size() - domain.size() - 1] == '.' &&
           iequals(host.substr(host.size() - domain.size()), domain);
}

// RFC 6265 §5.1.4 path-match: "/docs" matches "/docs", "/docs/" and "/docs/x", not "/docsx".
bool path_matches(std::string_view request_path, std::string_view cookie_path) noexcept {
    if (!request_path.starts_with(cookie_path)) return false;
    return request_path.size() == cookie_path.size() || cookie_path.ends_with('/') ||
           request_path[cookie_path.size()] == '/';
}

// RFC 6265 §5.1.4 default-path: the request path up to, not including, its last '/'.
std::string default_path(std::string_view request_path) {
    if (request_path.empty() || request_path.front() != '/') return "/";
    const auto last = request_path.rfind('/');
    if (last == 0) return "/";
    return std::string(request_path.substr(0, last));
}

std::string_view request_path_of(const URL& url) {
    std::string_view path = url.encoded_path();
    return path.empty() ? std::string_view("/") : path;
}

std::size_t leading_digits(std::string_view s) noexcept {
    std::size_t n = 0;
    while (n < s.size() && s[n] >= '0' && s[n] <= '9') ++n;
    return n;
}

int to_int(std::string_view digits) noexcept {
    int value = 0;
    std::from_chars(digits.data(), digits.data() + digits.size(), value);
    return value;
}

// hms-time = 1*2DIGIT ":" 1*2DIGIT ":" 1*2DIGIT, optionally followed by non-digits.
std::optional<std::array<int, 3>> parse_hms(std::string_view token) {
    std::array<int, 3> parts{};
    for (std::size_t k = 0; k < 3; ++k) {
        const auto n = leading_digits(token);
        if (n == 0 || n > 2) return std::nullopt;
        parts[k] = to_int(token.substr(0, n));
        token.remove_prefix(n);
        if (k < 2) {
            if (token.empty() || token.front() != ':') return std::nullopt;
            token.remove_prefix(1);
        }
    }
    return parts;
}

// RFC 6265 §5.1.1 cookie-date parsing, enough to tell whether an Expires date is past.
// Returns nullopt for a date the algorithm rejects (the attribute is then ignored).
std::optional<std::chrono::sys_seconds> parse_cookie_date(std::string_view text) {
    auto is_delimiter = [](char c) {
        const auto u = static_cast<unsigned char>(c);
        return u == 0x09 || (u >= 0x20 && u <= 0x2F) || (u >= 0x3B && u <= 0x40) ||
               (u >= 0x5B && u <= 0x60) || (u >= 0x7B && u <= 0x7E);
    };
    static constexpr std::array<std::string_view, 12> kMonths = {
        "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"};

    std::optional<std::array<int, 3>> time;
    std::optional<int> day, month, year;
    std::size_t i = 0;
    while (i < text.size()) {
        while (i < text.size() && is_delimiter(text[i])) ++i;
        const auto start = i;
        while (i < text.size() && !is_delimiter(text[i])) ++i;
        const std::string_view token = text.substr(start, i - start);
        if (token.empty()) continue;
        const auto digits = leading_digits(token);

        if (!time && (time = parse_hms(token))) continue;
        if (!day && digits >= 1 && digits <= 2) {
            day = to_int(token.substr(0, digits));
            continue;
        }
        if (!month && token.size() >= 3) {
            const auto it = std::find(kMonths.begin(), kMonths.end(), to_lower(token.substr(0, 3)));
            if (it != kMonths.end()) {
                month = static_cast<int>(it - kMonths.begin()) + 1;
                continue;
            }
        }
        if (!year && digits >= 2 && digits <= 4) year = to_int(token.substr(0, digits));
    }
    if (!time || !day || !month || !year) return std::nullopt;
    if (*year >= 70 && *year <= 99) *year += 1900;
    if (*year >= 0 && *year <= 69) *year += 2000;
    const auto [hour, minute, second] = *time;
    if (*year < 1601 || hour > 23 || minute > 59 || second > 59) return std::nullopt;
    const std::chrono::year_month_day date{std::chrono::year(*year),
                                           std::chrono::month(static_cast<unsigned>(*month)),
                                           std::chrono::day(static_cast<unsigned>(*day))};
    if (!date.ok()) return std::nullopt;  // also rejects day 0 and 31 April
    return std::chrono::sys_days(date) + std::chrono::hours(hour) + std::chrono::minutes(minute) +
           std::chrono::seconds(second);
}

// One parsed Set-Cookie field.
struct SetCookie {
    Cookie cookie;
    bool expired = false;  // Max-Age <= 0, or Expires in the past: delete instead of store
};

// RFC 6265 §5.2, reduced to the attributes this store uses. nullopt for a field to ignore.
std::optional<SetCookie> parse_set_cookie(std::string_view field, const URL& request_url) {
    const auto semi = field.find(';');
    const std::string_view pair = field.substr(0, semi);
    const auto eq = pair.find('=');
    if (eq == std::string_view::npos) return std::nullopt;
    SetCookie result;
    result.cookie.name = trim(pair.substr(0, eq));
    result.cookie.value = trim(pair.substr(eq + 1));
    if (result.cookie.name.empty()) return std::nullopt;

    const std::string_view host = request_url.raw_host();
    std::optional<std::string> domain, path;
    std::optional<bool> max_age_expired;  // Max-Age wins over Expires (§5.3 step 3)
    bool expires_past = false;

    std::string_view attributes =
        semi == std::string_view::npos ? std::string_view() : field.substr(semi + 1);
    while (!attributes.empty()) {
        const auto next = attributes.find(';');
        const std::string_view attribute = attributes.substr(0, next);
        attributes =
            next == std::string_view::npos ? std::string_view() : attributes.substr(next + 1);
        const auto aeq = attribute.find('=');
        const std::string_view key = trim(attribute.substr(0, aeq));
        const std::string_view value =
            aeq == std::string_view::npos ? std::string_view() : trim(attribute.substr(aeq + 1));

        if (iequals(key, "domain")) {
            std::string_view d = value;
            if (!d.empty() && d.front() == '.') d.remove_prefix(1);
            if (!d.empty()) domain = to_lower(d);
        } else if (iequals(key, "path")) {
            if (!value.empty() && value.front() == '/') path = std::string(value);
        } else if (iequals(key, "max-age")) {
            // "-?DIGIT+"; anything else is ignored.
            std::string_view digits = value;
            if (!digits.empty() && digits.front() == '-') digits.remove_prefix(1);
            if (!digits.empty() && digits.find_first_not_of("0123456789") == std::string_view::npos)
                max_age_expired =
                    value.front() == '-' || value.find_first_not_of('0') == std::string_view::npos;
        } else if (iequals(key, "expires")) {
            if (const auto when = parse_cookie_date(value))
                // In seconds: nanosecond time points overflow past the year 2262.
                expires_past = *when <= std::chrono::floor<std::chrono::seconds>(
                                            std::chrono::system_clock::now());
        }
    }

    if (domain) {
        // A server may only set cookies for its own domain or a parent of it (§5.3 step 6).
        if (!domain_matches(host, *domain)) return std::nullopt;
        result.cookie.domain = std::move(*domain);
    } else {
        result.cookie.domain = to_lower(host);
    }
    result.cookie.path = path ? std::move(*path) : default_path(request_url.encoded_path());
    result.expired = max_age_expired ? *max_age_expired : expires_past;
    return result;
}

}  // namespace

Cookies::Cookies(std::initializer_list<std::pair<std::string, std::string>> items) {
    for (const auto& [name, value] : items) set(name, value);
}

void Cookies::set(std::string name, std::string value, std::string domain, std::string path) {
    for (auto& cookie : cookies_) {
        if (cookie.name == name && cookie.domain == domain && cookie.path == path) {
            cookie.value = std::move(value);
            return;
        }
    }
    cookies_.push_back(
        Cookie{std::move(name), std::move(value), std::move(domain), std::move(path)});
}

std::optional<std::string> Cookies::get(std::string_view name,
                                        std::optional<std::string_view> domain,
                                        std::optional<std::string_view> path) const {
    const Cookie* found = nullptr;
    for (const auto& cookie : cookies_) {
        if (!matches(cookie, name, domain, path)) continue;
        // Returning either one would silently depend on storage order: make the caller choose.
        if (found) throw CookieConflict("Multiple cookies exist with name=" + std::string(name));
        found = &cookie;
    }
    if (!found) return std::nullopt;
    return found->value;
}

std::size_t Cookies::erase(std::string_view name, std::optional<std::string_view> domain,
                           std::optional<std::string_view> path) {
    // Copies, because the arguments may refer to a cookie that is being removed.
    const std::string n(name);
    const std::optional<std::string> d =
        domain ? std::optional<std::string>(*domain) : std::nullopt;
    const std::optional<std::string> p = path ? std::optional<std::string>(*path) : std::nullopt;
    return std::erase_if(cookies_, [&](const Cookie& c) { return matches(c, n, d, p); });
}

void Cookies::update(const Cookies& other) {
    if (&other == this) return;
    for (const auto& cookie : other.cookies_)
        set(cookie.name, cookie.value, cookie.domain, cookie.path);
}

void Cookies::extract_cookies(const URL& request_url, const Headers& response_headers) {
    // Set-Cookie is never comma-joined: dates in Expires contain commas.
    for (const auto& [name, value] : response_headers) {
        if (!iequals(name, "set-cookie")) continue;
        auto parsed = parse_set_cookie(value, request_url);
        if (!parsed) continue;
        Cookie& c = parsed->cookie;
        if (parsed->expired)
            erase(c.name, c.domain, c.path);
        else
            set(std::move(c.name), std::move(c.value), std::move(c.domain), std::move(c.path));
    }
}

std::string Cookies::cookie_header_for(const URL& url) const {
    const std::string_view host = url.raw_host();
    const std::string_view path = request_path_of(url);
    std::vector<const Cookie*> applicable;
    for (const auto& cookie : cookies_)
        if (domain_matches(host, cookie.domain) && path_matches(path, cookie.path))
            applicable.push_back(&cookie);
    // RFC 6265 §5.4: longer (more specific) paths first, otherwise in storage order.
    std::stable_sort(applicable.begin(), applicable.end(), [](const Cookie* a, const Cookie* b) {
        return a->path.size() > b->path.size();
    });
    std::string header;
    for (const Cookie* cookie : applicable) {
        if (!header.empty()) header += "; ";
        header += cookie->name;
        header += '=';
        header += cookie->value;
    }
    return header;
}

}  // namespace httpx
