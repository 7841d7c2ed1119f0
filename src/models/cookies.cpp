// The cookie jar: RFC 6265 §5.3 (storing what a Set-Cookie says, for the URL it came from) and
// §5.4 (the Cookie header for a URL), over the parser of set_cookie.cpp. Where the RFC leaves
// room, HTTPX's http.cookiejar decides: a cookie set without a domain goes to every host, and
// expired cookies stay visible to iteration until the next Set-Cookie is stored (they are never
// sent).
#include "httpx/cookies.hpp"

#include "httpx/exceptions.hpp"
#include "httpx/headers.hpp"
#include "httpx/url.hpp"
#include "models/cookies_access.hpp"
#include "models/cookies_txt.hpp"
#include "models/public_suffix.hpp"
#include "models/set_cookie.hpp"

#include <algorithm>
#include <fstream>
#include <iterator>
#include <map>
#include <memory>
#include <mutex>
#include <sstream>
#include <stdexcept>

namespace httpx {

namespace {

// RFC 6265 §6.1: "at least 4096 bytes per cookie (as measured by the sum of the length of the
// cookie's name, value, and attributes)", "at least 50 cookies per domain", "at least 3000
// cookies total". httpxx takes them as its limits (Chromium allows 180 per domain and 3300 in
// all; http.cookiejar, behind HTTPX, has no limit).
constexpr std::size_t kMaxSetCookieBytes = 4096;
constexpr std::size_t kMaxCookiesPerDomain = 50;
constexpr std::size_t kMaxCookies = 3000;

std::string to_lower(std::string_view s) {
    std::string out(s);
    for (char& c : out)
        if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    return out;
}

// How a domain is stored and compared: lower-case, without the old-style leading dot.
std::string normalise_domain(std::string_view domain) {
    if (!domain.empty() && domain.front() == '.') domain.remove_prefix(1);
    return to_lower(domain);
}

bool is_ip_address(std::string_view host) noexcept {
    if (host.find(':') != std::string_view::npos) return true;  // IPv6 (unbracketed)
    return !host.empty() && host.find_first_not_of("0123456789.") == std::string_view::npos;
}

// RFC 6265 §5.1.3 domain-match (`host` and `domain` lower-case).
bool domain_matches(std::string_view host, std::string_view domain) noexcept {
    if (host == domain) return true;
    return !is_ip_address(host) && host.size() > domain.size() && host.ends_with(domain) &&
           host[host.size() - domain.size() - 1] == '.';
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

bool is_secure_scheme(std::string_view scheme) noexcept {
    return scheme == "https" || scheme == "wss";
}

bool is_expired(const Cookie& cookie, std::int64_t now) noexcept {
    return cookie.expires && *cookie.expires <= now;
}

std::int64_t unix_seconds(std::chrono::sys_seconds t) noexcept {
    return t.time_since_epoch().count();
}

std::chrono::sys_seconds system_now() {
    return std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now());
}

bool same_key(const Cookie& a, const Cookie& b) noexcept {
    return a.name == b.name && a.domain == b.domain && a.path == b.path;
}

// Get, erase and clear select by name, domain and path, each when given.
struct Selector {
    std::optional<std::string> name;
    std::optional<std::string> domain;  // normalised
    std::optional<std::string> path;

    bool operator()(const Cookie& c) const {
        return (!name || c.name == *name) && (!domain || c.domain == *domain) &&
               (!path || c.path == *path);
    }
};

Selector select(std::optional<std::string_view> name, std::optional<std::string_view> domain,
                std::optional<std::string_view> path) {
    Selector s;
    if (name) s.name = std::string(*name);
    if (domain) s.domain = normalise_domain(*domain);
    if (path) s.path = std::string(*path);
    return s;
}

// RFC 6265 §5.3 for one parsed Set-Cookie from `host` (lower-case) and `request_path`, at
// `now`: the cookie to store, or nullopt when it must be ignored. An expired result deletes.
std::optional<Cookie> cookie_from(detail::SetCookie&& parsed, const std::string& host,
                                  std::string_view request_path, std::int64_t now) {
    Cookie cookie;
    cookie.name = std::move(parsed.name);
    cookie.value = std::move(parsed.value);
    // Step 3: Max-Age wins over Expires.
    if (parsed.max_age)
        cookie.expires = *parsed.max_age <= 0 ? now : now + *parsed.max_age;
    else if (parsed.expires)
        cookie.expires = unix_seconds(*parsed.expires);

    // Steps 4-6: a Domain must cover the host and not be a public suffix; an IP address
    // only gets host-only cookies (a Domain equal to the host is one).
    cookie.host_only = true;
    cookie.domain = host;
    if (parsed.domain && *parsed.domain != host) {
        const std::string& domain = *parsed.domain;
        if (is_ip_address(host) || !domain_matches(host, domain) ||
            detail::is_public_suffix(domain))
            return std::nullopt;
        cookie.host_only = false;
        cookie.domain = domain;
    } else if (parsed.domain && !is_ip_address(host) && !detail::is_public_suffix(host)) {
        cookie.host_only = false;  // Domain=host: a domain cookie for the host and below
    }

    // Step 7.
    cookie.path = parsed.path ? std::move(*parsed.path) : default_path(request_path);
    cookie.secure = parsed.secure;
    cookie.http_only = parsed.http_only;
    cookie.same_site = parsed.same_site;
    return cookie;
}

}  // namespace

// The cookies, and for each the last time it was stored or sent (a counter, not a clock: only
// the order matters), for evicting the least recently used.
struct Cookies::Impl {
    mutable std::mutex mutex;
    std::vector<Cookie> cookies;              // in creation order
    mutable std::vector<std::uint64_t> used;  // parallel to `cookies`
    mutable std::uint64_t use_counter = 0;

    // RFC 6265 §5.3 step 11: a cookie replacing one of the same name, domain and path takes
    // its place (and so its creation time).
    void store(Cookie&& cookie) {
        for (std::size_t i = 0; i < cookies.size(); ++i) {
            if (same_key(cookies[i], cookie)) {
                cookies[i] = std::move(cookie);
                used[i] = ++use_counter;
                return;
            }
        }
        cookies.push_back(std::move(cookie));
        used.push_back(++use_counter);
    }

    template <class Predicate>
    std::size_t remove_if(Predicate&& remove) {
        std::size_t kept = 0;
        for (std::size_t i = 0; i < cookies.size(); ++i) {
            if (remove(cookies[i])) continue;
            if (kept != i) {
                cookies[kept] = std::move(cookies[i]);
                used[kept] = used[i];
            }
            ++kept;
        }
        const std::size_t removed = cookies.size() - kept;
        cookies.resize(kept);
        used.resize(kept);
        return removed;
    }

    void remove_at(std::size_t i) {
        cookies.erase(cookies.begin() + static_cast<std::ptrdiff_t>(i));
        used.erase(used.begin() + static_cast<std::ptrdiff_t>(i));
    }

    // RFC 6265 §5.3 step 12: past a limit, the least recently used go first (expired cookies
    // went before this).
    void evict() {
        std::map<std::string_view, std::size_t> per_domain;
        for (const auto& cookie : cookies) ++per_domain[cookie.domain];
        for (auto& [domain, count] : per_domain) {
            for (; count > kMaxCookiesPerDomain; --count) {
                std::size_t oldest = cookies.size();
                for (std::size_t i = 0; i < cookies.size(); ++i)
                    if (cookies[i].domain == domain &&
                        (oldest == cookies.size() || used[i] < used[oldest]))
                        oldest = i;
                remove_at(oldest);
            }
        }
        while (cookies.size() > kMaxCookies)
            remove_at(static_cast<std::size_t>(std::min_element(used.begin(), used.end()) -
                                               used.begin()));
    }
};

Cookies::Impl* Cookies::impl() const {
    Impl* current = impl_.load(std::memory_order_acquire);
    if (current) return current;
    auto* fresh = new Impl;
    if (impl_.compare_exchange_strong(current, fresh, std::memory_order_acq_rel,
                                      std::memory_order_acquire))
        return fresh;
    delete fresh;  // another thread was first
    return current;
}

Cookies::Cookies(std::initializer_list<std::pair<std::string, std::string>> items) {
    for (const auto& [name, value] : items) set(name, value);
}

Cookies::Cookies(const Cookies& other) {
    if (Impl* source = other.impl_.load(std::memory_order_acquire)) {
        std::lock_guard lock(source->mutex);
        if (source->cookies.empty()) return;  // an empty jar allocates nothing
        auto copy = std::make_unique<Impl>();
        copy->cookies = source->cookies;
        copy->used = source->used;
        copy->use_counter = source->use_counter;
        impl_.store(copy.release(), std::memory_order_release);
    }
}

Cookies::Cookies(Cookies&& other) noexcept
    : impl_(other.impl_.exchange(nullptr, std::memory_order_acq_rel)) {}

Cookies& Cookies::operator=(const Cookies& other) {
    if (&other == this) return *this;
    Cookies copy(other);
    return *this = std::move(copy);
}

Cookies& Cookies::operator=(Cookies&& other) {
    if (&other == this) return *this;
    // Contents move, never the Impl: another thread may be inside this jar's Impl.
    std::vector<Cookie> cookies;
    std::vector<std::uint64_t> used;
    std::uint64_t counter = 0;
    if (Impl* source = other.impl_.load(std::memory_order_acquire)) {
        std::lock_guard lock(source->mutex);
        cookies = std::move(source->cookies);
        used = std::move(source->used);
        counter = source->use_counter;
        source->cookies.clear();
        source->used.clear();
    }
    if (cookies.empty() && !impl_.load(std::memory_order_acquire)) return *this;
    Impl* target = impl();
    std::lock_guard lock(target->mutex);
    target->cookies = std::move(cookies);
    target->used = std::move(used);
    target->use_counter = std::max(target->use_counter, counter);
    return *this;
}

Cookies::~Cookies() {
    delete impl_.load(std::memory_order_acquire);
}

void Cookies::set(std::string name, std::string value, std::string domain, std::string path) {
    Cookie cookie;
    cookie.name = std::move(name);
    cookie.value = std::move(value);
    cookie.domain = std::move(domain);
    cookie.path = std::move(path);
    set(std::move(cookie));
}

void Cookies::set(Cookie cookie) {
    cookie.domain = normalise_domain(cookie.domain);
    Impl* jar = impl();
    std::lock_guard lock(jar->mutex);
    jar->store(std::move(cookie));
}

std::optional<std::string> Cookies::get(std::string_view name,
                                        std::optional<std::string_view> domain,
                                        std::optional<std::string_view> path) const {
    Impl* jar = impl_.load(std::memory_order_acquire);
    if (!jar) return std::nullopt;
    const Selector selected = select(name, domain, path);
    std::lock_guard lock(jar->mutex);
    const Cookie* found = nullptr;
    for (const auto& cookie : jar->cookies) {
        if (!selected(cookie)) continue;
        // Returning either one would silently depend on storage order: make the caller choose.
        if (found) throw CookieConflict("Multiple cookies exist with name=" + std::string(name));
        found = &cookie;
    }
    if (!found) return std::nullopt;
    return found->value;
}

std::size_t Cookies::erase(std::string_view name, std::optional<std::string_view> domain,
                           std::optional<std::string_view> path) {
    Impl* jar = impl_.load(std::memory_order_acquire);
    if (!jar) return 0;
    // Copies first: the arguments may refer to a cookie that is being removed.
    const Selector selected = select(name, domain, path);
    std::lock_guard lock(jar->mutex);
    return jar->remove_if(selected);
}

void Cookies::clear(std::optional<std::string_view> domain, std::optional<std::string_view> path) {
    if (path && !domain) throw std::invalid_argument("Cookies::clear: a path needs a domain");
    Impl* jar = impl_.load(std::memory_order_acquire);
    if (!jar) return;
    const Selector selected = select(std::nullopt, domain, path);
    std::lock_guard lock(jar->mutex);
    jar->remove_if(selected);
}

void Cookies::update(const Cookies& other) {
    if (&other == this) return;
    const Cookies copy(other);  // not both locks at once: a.update(b) and b.update(a) may race
    for (const auto& cookie : copy) set(cookie);
}

std::size_t Cookies::size() const {
    Impl* jar = impl_.load(std::memory_order_acquire);
    if (!jar) return 0;
    std::lock_guard lock(jar->mutex);
    return jar->cookies.size();
}

Cookies::const_iterator Cookies::begin() const noexcept {
    static const std::vector<Cookie> none;
    Impl* jar = impl_.load(std::memory_order_acquire);
    return jar ? jar->cookies.cbegin() : none.cbegin();
}

Cookies::const_iterator Cookies::end() const noexcept {
    static const std::vector<Cookie> none;
    Impl* jar = impl_.load(std::memory_order_acquire);
    return jar ? jar->cookies.cend() : none.cend();
}

void Cookies::extract_cookies(const URL& request_url, const Headers& response_headers) {
    detail::CookiesAccess::extract_cookies(*this, request_url, response_headers, system_now());
}

std::string Cookies::cookie_header_for(const URL& url) const {
    return detail::CookiesAccess::cookie_header_for(*this, url, system_now());
}

void Cookies::load(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw std::runtime_error("Cannot read the cookie file " + path);
    std::ostringstream text;
    text << in.rdbuf();
    detail::CookiesAccess::add_cookies_txt(*this, text.str(), system_now());
}

void Cookies::save(const std::string& path) const {
    const std::string text = detail::CookiesAccess::to_cookies_txt(*this, system_now());
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    if (!out || !out.write(text.data(), static_cast<std::streamsize>(text.size())) || !out.flush())
        throw std::runtime_error("Cannot write the cookie file " + path);
}

bool operator==(const Cookies& a, const Cookies& b) {
    if (&a == &b) return true;
    const Cookies copy(b);  // one lock at a time (see update)
    Cookies::Impl* jar = a.impl_.load(std::memory_order_acquire);
    if (!jar) return copy.size() == 0;
    std::lock_guard lock(jar->mutex);
    return std::equal(jar->cookies.begin(), jar->cookies.end(), copy.begin(), copy.end());
}

namespace detail {

void CookiesAccess::extract_cookies(Cookies& jar, const URL& request_url, const Headers& headers,
                                    std::chrono::sys_seconds now) {
    const std::string host = to_lower(request_url.raw_host());
    if (host.empty()) return;
    const std::int64_t now_s = unix_seconds(now);
    std::vector<Cookie> received;
    // Set-Cookie is never comma-joined: dates in Expires contain commas.
    for (const auto& [name, value] : headers) {
        if (!iequals(name, "set-cookie") || value.size() > kMaxSetCookieBytes) continue;
        auto parsed = parse_set_cookie(value);
        if (!parsed) continue;
        if (auto cookie = cookie_from(std::move(*parsed), host, request_url.encoded_path(), now_s))
            received.push_back(std::move(*cookie));
    }
    if (received.empty()) return;
    Cookies::Impl* impl = jar.impl();
    std::lock_guard lock(impl->mutex);
    for (auto& cookie : received) impl->store(std::move(cookie));
    // An expired cookie deletes the one it replaced, and itself (§5.3: "evict all expired").
    impl->remove_if([now_s](const Cookie& c) { return is_expired(c, now_s); });
    impl->evict();
}

std::string CookiesAccess::cookie_header_for(const Cookies& jar, const URL& url,
                                             std::chrono::sys_seconds now) {
    Cookies::Impl* impl = jar.impl_.load(std::memory_order_acquire);
    if (!impl) return {};
    const std::string host = to_lower(url.raw_host());
    const std::string_view path = url.encoded_path();
    const bool secure = is_secure_scheme(url.scheme());
    const std::int64_t now_s = unix_seconds(now);

    std::lock_guard lock(impl->mutex);
    std::vector<std::size_t> applicable;
    for (std::size_t i = 0; i < impl->cookies.size(); ++i) {
        const Cookie& c = impl->cookies[i];
        const bool host_ok =
            c.domain.empty() || (c.host_only ? host == c.domain : domain_matches(host, c.domain));
        if (host_ok && path_matches(path, c.path) && (secure || !c.secure) && !is_expired(c, now_s))
            applicable.push_back(i);
    }
    // RFC 6265 §5.4 step 2: longer paths first, then earlier creation (storage order).
    std::stable_sort(applicable.begin(), applicable.end(), [&](std::size_t a, std::size_t b) {
        return impl->cookies[a].path.size() > impl->cookies[b].path.size();
    });
    std::string header;
    for (const std::size_t i : applicable) {
        const Cookie& c = impl->cookies[i];
        impl->used[i] = ++impl->use_counter;
        if (!header.empty()) header += "; ";
        header += c.name;
        header += '=';
        header += c.value;
    }
    return header;
}

std::string CookiesAccess::to_cookies_txt(const Cookies& jar, std::chrono::sys_seconds now) {
    const Cookies copy(jar);
    return format_cookies_txt(std::vector<Cookie>(copy.begin(), copy.end()), unix_seconds(now));
}

void CookiesAccess::add_cookies_txt(Cookies& jar, std::string_view text,
                                    std::chrono::sys_seconds now) {
    for (auto& cookie : parse_cookies_txt(text, unix_seconds(now))) jar.set(std::move(cookie));
}

}  // namespace detail

}  // namespace httpx
