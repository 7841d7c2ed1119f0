// httpx::URL: HTTPX 0.28's `_urlparse.urlparse` (split, validate, normalise, percent-encode)
// and `URL.join` on top of Boost.URL's RFC 3986 resolution.
#include <httpx/url.hpp>

#include "models/default_port.hpp"
#include "models/idna.hpp"
#include "models/percent_encoding.hpp"

#include <httpx/exceptions.hpp>

#include <boost/url.hpp>

#include <algorithm>
#include <charconv>
#include <ostream>
#include <string>
#include <vector>

namespace httpx {

std::optional<int> detail::default_port(std::string_view scheme) noexcept {
    if (scheme == "http" || scheme == "ws") return 80;
    if (scheme == "https" || scheme == "wss") return 443;
    if (scheme == "ftp") return 21;
    return std::nullopt;
}

struct URL::Parsed {
    std::string scheme;
    std::string userinfo;
    std::string host;
    std::optional<int> port;
    std::string path;
    std::optional<std::string> query;
    std::optional<std::string> fragment;
};

namespace {

using detail::EncodeSet;

constexpr std::size_t kMaxUrlLength = 65536;

// A component value that replaces what the URL string holds. For query and fragment the
// inner nullopt means "absent" (no '?' / '#').
struct Overrides {
    std::optional<std::string> scheme;
    std::optional<std::string> authority;
    std::optional<std::string> username;  // raw; encoded with the userpart set
    std::optional<std::string> password;
    std::optional<std::string> host;
    std::optional<std::string> port;
    std::optional<std::string> path;
    std::optional<std::optional<std::string>> query;
    std::optional<std::optional<std::string>> fragment;
};

// The pieces of URL_REGEX: every one may be absent.
struct SplitURL {
    std::optional<std::string_view> scheme;
    std::optional<std::string_view> authority;
    std::string_view path;
    std::optional<std::string_view> query;
    std::optional<std::string_view> fragment;
};

bool is_alpha(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}
bool is_digit(char c) {
    return c >= '0' && c <= '9';
}
bool is_scheme_char(char c) {
    return is_alpha(c) || is_digit(c) || c == '+' || c == '.' || c == '-';
}

std::string ascii_lower(std::string_view text) {
    std::string out(text);
    for (char& c : out) {
        if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    }
    return out;
}

bool contains(std::string_view text, char c) {
    return text.find(c) != std::string_view::npos;
}

std::size_t code_point_count(std::string_view text) {
    return detail::code_point_index(text, text.size());
}

// HTTPX rejects ASCII control characters (tab, CR and LF included) anywhere in a URL.
void check_printable(std::string_view text, std::string_view component) {
    for (std::size_t i = 0; i < text.size(); ++i) {
        const auto byte = static_cast<unsigned char>(text[i]);
        if (byte >= 0x20 && byte != 0x7F) continue;
        const std::string where =
            component.empty() ? "URL," : "URL " + std::string(component) + " component,";
        throw InvalidURL("Invalid non-printable ASCII character in " + where + " " +
                         detail::python_repr(text.substr(i, 1)) + " at position " +
                         std::to_string(detail::code_point_index(text, i)) + ".");
    }
}

// The first-pass check HTTPX applies to each component given separately (COMPONENT_REGEX).
void check_component(std::string_view key, std::string_view value) {
    if (code_point_count(value) > kMaxUrlLength) {
        throw InvalidURL("URL component '" + std::string(key) + "' too long");
    }
    check_printable(value, key);
    bool valid = true;
    if (key == "scheme") {
        valid = value.empty() ||
                (is_alpha(value[0]) && std::all_of(value.begin(), value.end(), is_scheme_char));
    } else if (key == "authority") {
        valid = value.find_first_of("/?#") == std::string_view::npos;
    } else if (key == "path") {
        valid = value.find_first_of("?#") == std::string_view::npos;
    } else if (key == "query") {
        valid = !contains(value, '#');
    } else if (key == "host") {
        valid = (value.size() >= 2 && value.front() == '[' && value.back() == ']') ||
                !contains(value, ':');
    }
    if (!valid) throw InvalidURL("Invalid URL component '" + std::string(key) + "'");
}

// scheme ":" is optional, and an empty scheme before ':' counts: HTTPX's regex drops a
// leading ':' (":foo" is the relative path "foo").
SplitURL split_url(std::string_view url) {
    SplitURL split;
    std::size_t scheme_end = 0;
    if (!url.empty() && is_alpha(url[0])) {
        scheme_end = 1;
        while (scheme_end < url.size() && is_scheme_char(url[scheme_end])) ++scheme_end;
    }
    if (scheme_end < url.size() && url[scheme_end] == ':') {
        split.scheme = url.substr(0, scheme_end);
        url.remove_prefix(scheme_end + 1);
    }
    if (url.substr(0, 2) == "//") {
        const std::size_t end = url.find_first_of("/?#", 2);
        split.authority = url.substr(2, end == std::string_view::npos ? end : end - 2);
        url.remove_prefix(end == std::string_view::npos ? url.size() : end);
    }
    const std::size_t path_end = url.find_first_of("?#");
    split.path = url.substr(0, path_end);
    if (path_end == std::string_view::npos) return split;
    url.remove_prefix(path_end);
    if (url[0] == '?') {
        const std::size_t query_end = url.find('#');
        split.query =
            url.substr(1, query_end == std::string_view::npos ? query_end : query_end - 1);
        if (query_end == std::string_view::npos) return split;
        url.remove_prefix(query_end);
    }
    split.fragment = url.substr(1);
    return split;
}

struct SplitAuthority {
    std::string_view userinfo;
    std::string_view host;
    std::string_view port;
};

// AUTHORITY_REGEX: userinfo up to the last '@'; host is a bracketed literal (up to the last
// ']') or runs to the first ':'; the port is everything after that (one ':' dropped).
SplitAuthority split_authority(std::string_view authority) {
    SplitAuthority split;
    if (const std::size_t at = authority.rfind('@'); at != std::string_view::npos) {
        split.userinfo = authority.substr(0, at);
        authority.remove_prefix(at + 1);
    }
    std::size_t host_end = std::string_view::npos;
    if (!authority.empty() && authority[0] == '[') {
        if (const std::size_t close = authority.rfind(']'); close != std::string_view::npos) {
            host_end = close + 1;
        }
    }
    if (host_end == std::string_view::npos)
        host_end = std::min(authority.find(':'), authority.size());
    split.host = authority.substr(0, host_end);
    authority.remove_prefix(host_end);
    if (!authority.empty() && authority[0] == ':') authority.remove_prefix(1);
    split.port = authority;
    return split;
}

bool valid_ipv6_literal(std::string_view address) {
    // Python's ipaddress accepts a zone ("fe80::1%eth0"); Boost.URL does not know zones.
    if (const std::size_t percent = address.find('%'); percent != std::string_view::npos) {
        const std::string_view zone = address.substr(percent + 1);
        if (zone.empty() || contains(zone, '%')) return false;
        address = address.substr(0, percent);
    }
    return boost::urls::parse_ipv6_address(address).has_value();
}

bool looks_like_ipv4(std::string_view host) {
    int dots = 0;
    bool digit_before = false;
    for (char c : host) {
        if (is_digit(c)) {
            digit_before = true;
        } else if (c == '.' && digit_before) {
            ++dots;
            digit_before = false;
        } else {
            return false;
        }
    }
    return dots == 3 && digit_before;
}

// HTTPX's encode_host: validate IP literals, lower-case and escape reg-names, IDNA-encode
// non-ASCII names. IPv6 literals are returned without brackets and keep their case.
std::string encode_host(std::string_view host) {
    if (host.empty()) return {};
    if (looks_like_ipv4(host)) {
        if (!boost::urls::parse_ipv4_address(host)) {
            throw InvalidURL("Invalid IPv4 address: " + detail::python_repr(host));
        }
        return std::string(host);
    }
    if (host.size() >= 2 && host.front() == '[' && host.back() == ']') {
        const std::string_view address = host.substr(1, host.size() - 2);
        if (!valid_ipv6_literal(address)) {
            throw InvalidURL("Invalid IPv6 address: " + detail::python_repr(host));
        }
        return std::string(address);
    }
    const bool ascii = std::all_of(host.begin(), host.end(),
                                   [](char c) { return static_cast<unsigned char>(c) < 0x80; });
    if (ascii) return detail::quote(ascii_lower(host), EncodeSet::host);
    return detail::idna_encode_host(host);
}

// Unlike HTTPX (Python's int(): signs, spaces, any size), a port must be 0-65535 in digits:
// it is used as a TCP port.
std::optional<int> normalize_port(std::string_view port, std::string_view scheme) {
    if (port.empty()) return std::nullopt;
    const bool digits = std::all_of(port.begin(), port.end(), is_digit);
    long value = 0;
    for (char c : port) {
        if (!digits || value > 65535) break;
        value = value * 10 + (c - '0');
    }
    if (!digits || value > 65535) {
        throw InvalidURL("Invalid port: " + detail::python_repr(port));
    }
    if (value == detail::default_port(scheme)) return std::nullopt;
    return static_cast<int>(value);
}

void validate_path(std::string_view path, bool has_scheme, bool has_authority) {
    if (has_authority && !path.empty() && path[0] != '/') {
        throw InvalidURL("For absolute URLs, path must be empty or begin with '/'");
    }
    if (!has_scheme && !has_authority) {
        if (path.substr(0, 2) == "//") {
            throw InvalidURL("Relative URLs cannot have a path starting with '//'");
        }
        if (path.substr(0, 1) == ":") {
            throw InvalidURL("Relative URLs cannot have a path starting with ':'");
        }
    }
}

// HTTPX's normalize_path: drops "." and ".." segments. Unlike RFC 3986 it drops the
// trailing slash too ("/a/b/.." is "/a").
std::string normalize_path(std::string_view path) {
    if (!contains(path, '.')) return std::string(path);
    std::vector<std::string_view> segments;
    std::size_t start = 0;
    while (true) {
        const std::size_t slash = path.find('/', start);
        segments.push_back(
            path.substr(start, slash == std::string_view::npos ? slash : slash - start));
        if (slash == std::string_view::npos) break;
        start = slash + 1;
    }
    std::vector<std::string_view> output;
    for (std::string_view segment : segments) {
        if (segment == ".") continue;
        if (segment == "..") {
            if (!output.empty() && !(output.size() == 1 && output[0].empty())) output.pop_back();
            continue;
        }
        output.push_back(segment);
    }
    std::string joined;
    for (std::size_t i = 0; i < output.size(); ++i) {
        if (i > 0) joined += '/';
        joined += output[i];
    }
    return joined;
}

void check_overrides(const Overrides& overrides) {
    auto check = [](std::string_view key, const std::optional<std::string>& value) {
        if (value) check_component(key, *value);
    };
    check("scheme", overrides.scheme);
    check("authority", overrides.authority);
    check("username", overrides.username);
    check("password", overrides.password);
    check("host", overrides.host);
    check("port", overrides.port);
    check("path", overrides.path);
    if (overrides.query) check("query", *overrides.query);
    if (overrides.fragment) check("fragment", *overrides.fragment);
}

}  // namespace

struct detail::UrlParser {
    static URL::Parsed parse(std::string_view url, const Overrides& overrides);
};

// HTTPX's `urlparse(url, **kwargs)`.
URL::Parsed detail::UrlParser::parse(std::string_view url, const Overrides& overrides) {
    if (code_point_count(url) > kMaxUrlLength) throw InvalidURL("URL too long");
    check_printable(url, "");
    check_overrides(overrides);

    const SplitURL split = split_url(url);
    const std::string scheme(overrides.scheme ? *overrides.scheme : split.scheme.value_or(""));
    const std::string authority(overrides.authority ? *overrides.authority
                                                    : split.authority.value_or(""));
    const std::string path(overrides.path ? *overrides.path : split.path);
    std::optional<std::string> query, fragment;
    if (overrides.query) {
        query = *overrides.query;
    } else if (split.query) {
        query = std::string(*split.query);
    }
    if (overrides.fragment) {
        fragment = *overrides.fragment;
    } else if (split.fragment) {
        fragment = std::string(*split.fragment);
    }

    const SplitAuthority parts = split_authority(authority);
    std::string userinfo(parts.userinfo);
    if (overrides.username || overrides.password) {
        // An unset half keeps its current (already encoded) value.
        const std::size_t colon = userinfo.find(':');
        std::string username = overrides.username
                                   ? detail::quote(*overrides.username, EncodeSet::userpart)
                                   : userinfo.substr(0, colon);
        std::string password = overrides.password
                                   ? detail::quote(*overrides.password, EncodeSet::userpart)
                               : colon == std::string::npos ? std::string()
                                                            : userinfo.substr(colon + 1);
        userinfo = password.empty() ? username : username + ":" + password;
    }
    std::string host(overrides.host ? *overrides.host : std::string(parts.host));
    const std::string port(overrides.port ? *overrides.port : std::string(parts.port));

    URL::Parsed parsed;
    parsed.scheme = ascii_lower(scheme);
    parsed.userinfo = detail::quote(userinfo, EncodeSet::userinfo);
    parsed.host = encode_host(host);
    parsed.port = normalize_port(port, parsed.scheme);

    const bool has_scheme = !parsed.scheme.empty();
    const bool has_authority =
        !parsed.userinfo.empty() || !parsed.host.empty() || parsed.port.has_value();
    validate_path(path, has_scheme, has_authority);
    parsed.path =
        detail::quote(has_scheme || has_authority ? normalize_path(path) : path, EncodeSet::path);
    if (query) parsed.query = detail::quote(*query, EncodeSet::query);
    if (fragment) parsed.fragment = detail::quote(*fragment, EncodeSet::fragment);
    return parsed;
}

namespace {

Overrides overrides_from(const URL::Components& components) {
    Overrides overrides;
    overrides.scheme = components.scheme;
    overrides.username = components.username;
    overrides.password = components.password;
    if (components.host) {
        // An IPv6 address given as a host is bracketed, as in a URL string.
        const std::string& host = *components.host;
        const bool is_bracketed = !host.empty() && host.front() == '[' && host.back() == ']';
        overrides.host = contains(host, ':') && !is_bracketed ? "[" + host + "]" : host;
    }
    if (components.port) overrides.port = std::to_string(*components.port);
    overrides.path = components.path;
    auto present_unless_empty = [](const std::string& value) {
        return value.empty() ? std::optional<std::string>() : std::optional<std::string>(value);
    };
    if (components.query) overrides.query = present_unless_empty(*components.query);
    if (components.params) overrides.query = present_unless_empty(components.params->str());
    if (components.fragment) overrides.fragment = present_unless_empty(*components.fragment);
    return overrides;
}

// Escapes everything but unreserved characters (and '/' in paths) so that any HTTPX-valid
// component is RFC 3986-valid for Boost.URL; '%' is escaped too, so decoding every %XX
// afterwards restores the component exactly.
std::string escape_for_rfc3986(std::string_view text, bool keep_slash) {
    static constexpr char kHex[] = "0123456789ABCDEF";
    std::string out;
    for (char c : text) {
        const auto byte = static_cast<unsigned char>(c);
        if (is_alpha(c) || is_digit(c) || c == '-' || c == '.' || c == '_' || c == '~' ||
            (keep_slash && c == '/')) {
            out += c;
        } else {
            out += '%';
            out += kHex[byte >> 4];
            out += kHex[byte & 0xF];
        }
    }
    return out;
}

std::string decode_all_escapes(std::string_view text) {
    std::string out;
    for (std::size_t i = 0; i < text.size(); ++i) {
        if (text[i] == '%' && i + 2 < text.size()) {
            auto hex = [](char c) { return is_digit(c) ? c - '0' : (c | 0x20) - 'a' + 10; };
            out += static_cast<char>(hex(text[i + 1]) * 16 + hex(text[i + 2]));
            i += 2;
        } else {
            out += text[i];
        }
    }
    return out;
}

}  // namespace

URL::URL() = default;

URL::URL(std::string_view url) : URL(detail::UrlParser::parse(url, Overrides{})) {}

URL::URL(std::string_view url, const Components& components)
    : URL(detail::UrlParser::parse(url, overrides_from(components))) {}

URL::URL(Parsed&& parsed)
    : scheme_(std::move(parsed.scheme)),
      userinfo_(std::move(parsed.userinfo)),
      host_(std::move(parsed.host)),
      port_(parsed.port),
      path_(std::move(parsed.path)),
      query_(parsed.query.value_or("")),
      has_query_(parsed.query.has_value()),
      fragment_(parsed.fragment.value_or("")),
      has_fragment_(parsed.fragment.has_value()) {
    rebuild();
}

std::string URL::authority(bool mask_password) const {
    std::string out;
    if (!userinfo_.empty()) {
        const std::size_t colon = userinfo_.find(':');
        out += mask_password && colon != std::string::npos
                   ? userinfo_.substr(0, colon) + ":[secure]"
                   : userinfo_;
        out += '@';
    }
    out += netloc();
    return out;
}

void URL::rebuild() {
    str_.clear();
    if (!scheme_.empty()) str_ += scheme_ + ":";
    if (const std::string auth = authority(false); !auth.empty()) str_ += "//" + auth;
    str_ += path_;
    if (has_query_) str_ += "?" + query_;
    if (has_fragment_) str_ += "#" + fragment_;
}

std::string URL::host() const {
    return detail::idna_decode_host(host_);
}

std::string URL::netloc() const {
    // Built in place (every request's Host field): no temporaries.
    const bool ipv6 = contains(host_, ':');
    char digits[16];
    const char* digits_end =
        port_ ? std::to_chars(digits, digits + sizeof digits, *port_).ptr : digits;
    const auto digit_count = static_cast<std::size_t>(digits_end - digits);
    std::string out;
    out.reserve(host_.size() + (ipv6 ? 2 : 0) + (port_ ? 1 + digit_count : 0));
    if (ipv6) out += '[';
    out += host_;
    if (ipv6) out += ']';
    if (port_) {
        out += ':';
        out.append(digits, digit_count);
    }
    return out;
}

std::string URL::username() const {
    return detail::unquote(std::string_view(userinfo_).substr(0, userinfo_.find(':')));
}

std::string URL::password() const {
    const std::size_t colon = userinfo_.find(':');
    if (colon == std::string::npos) return {};
    return detail::unquote(std::string_view(userinfo_).substr(colon + 1));
}

std::string URL::path() const {
    return detail::unquote(encoded_path());
}

std::string URL::raw_path() const {
    std::string target = encoded_path();
    if (has_query_) target += "?" + query_;
    return target;
}

std::string URL::fragment() const {
    return detail::unquote(fragment_);
}

URL URL::join(const URL& relative) const {
    // As urljoin: an empty reference gives the base unchanged, fragment included.
    if (relative.str_.empty()) return *this;

    const bool reference_has_authority =
        !relative.userinfo_.empty() || !relative.host_.empty() || relative.port_;
    // urljoin resolves "http:path" against an http base as the relative "path"
    // (RFC 3986 section 5.2.2's non-strict parser); any other scheme makes it absolute.
    if (!relative.scheme_.empty() && (relative.scheme_ != scheme_ || reference_has_authority)) {
        return relative;
    }
    if (reference_has_authority) {
        return scheme_.empty() ? relative : URL(scheme_ + ":" + relative.str_);
    }

    // Now only the path, query and fragment are resolved, which Boost.URL does. The base's
    // scheme and authority are kept aside (stand-ins take their place) so that what RFC 3986
    // does not allow in them (IPv6 zones, '%', '"', '|' ...) cannot trip the parser.
    const bool base_has_authority = !userinfo_.empty() || !host_.empty() || port_;
    const std::string stand_in = base_has_authority ? "x://a" : "x:";
    // urljoin cannot tell an empty query or fragment from none: "?" takes the base's query.
    auto path_query_fragment = [](const URL& url) {
        std::string out = escape_for_rfc3986(url.path_, true);
        if (!url.query_.empty()) out += "?" + escape_for_rfc3986(url.query_, false);
        if (!url.fragment_.empty()) out += "#" + escape_for_rfc3986(url.fragment_, false);
        return out;
    };
    // The views point into these strings.
    const std::string base_text = stand_in + path_query_fragment(*this);
    const std::string reference_text = path_query_fragment(relative);
    const auto base = boost::urls::parse_uri(base_text);
    const auto reference = boost::urls::parse_relative_ref(reference_text);
    boost::urls::url resolved;
    if (!base || !reference || !boost::urls::resolve(*base, *reference, resolved)) {
        throw InvalidURL("Cannot join '" + relative.str_ + "' to '" + str_ + "'");
    }

    std::string joined;
    if (!scheme_.empty()) joined += scheme_ + ":";
    if (base_has_authority) joined += "//" + authority(false);
    // Boost.URL 1.81 keeps ".." segments above the root ("/../g"); RFC 3986 drops them.
    std::string_view resolved_path = resolved.encoded_path();
    while (resolved_path.substr(0, 4) == "/../") resolved_path.remove_prefix(3);
    if (resolved_path == "/..") resolved_path = "/";
    joined += decode_all_escapes(resolved_path);
    if (!resolved.encoded_query().empty()) {
        joined += "?" + decode_all_escapes(resolved.encoded_query());
    }
    if (!resolved.encoded_fragment().empty()) {
        joined += "#" + decode_all_escapes(resolved.encoded_fragment());
    }
    return URL(joined);
}

URL URL::copy_with(const Components& components) const {
    Overrides overrides = overrides_from(components);
    // HTTPX re-parses the current components with the new ones on top.
    if (!overrides.scheme) overrides.scheme = scheme_;
    overrides.authority = authority(false);
    if (!overrides.path) overrides.path = path_;
    if (!overrides.query) {
        overrides.query = has_query_ ? std::optional<std::string>(query_) : std::nullopt;
    }
    if (!overrides.fragment) {
        overrides.fragment = has_fragment_ ? std::optional<std::string>(fragment_) : std::nullopt;
    }
    return URL(detail::UrlParser::parse("", overrides));
}

URL URL::copy_set_param(std::string_view key, std::string value) const {
    return copy_with({.params = params().set(key, std::move(value))});
}

URL URL::copy_add_param(std::string key, std::string value) const {
    return copy_with({.params = params().add(std::move(key), std::move(value))});
}

URL URL::copy_remove_param(std::string_view key) const {
    return copy_with({.params = params().remove(key)});
}

URL URL::copy_merge_params(const QueryParams& params) const {
    return copy_with({.params = this->params().merge(params)});
}

std::ostream& operator<<(std::ostream& os, const URL& url) {
    std::string masked;
    if (!url.scheme_.empty()) masked += url.scheme_ + ":";
    if (const std::string auth = url.authority(true); !auth.empty()) masked += "//" + auth;
    masked += url.path_;
    if (url.has_query_) masked += "?" + url.query_;
    if (url.has_fragment_) masked += "#" + url.fragment_;
    return os << masked;
}

}  // namespace httpx
