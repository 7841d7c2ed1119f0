// httpx::URL: a parsed, normalised URL with HTTPX's semantics and validation.
#pragma once

#include <httpx/query_params.hpp>

#include <iosfwd>
#include <optional>
#include <string>
#include <string_view>

namespace httpx {

namespace detail {
struct UrlParser;  // the parser in src/models/url.cpp
}

/// A URL as HTTPX understands it (RFC 3986 with WHATWG percent-encoding sets, IDNA hosts).
/// Parsing normalises: scheme and host lower-cased, the scheme's default port dropped,
/// dot-segments removed from absolute paths, characters outside the allowed sets
/// percent-encoded. Construction throws `InvalidURL` for input HTTPX rejects (bad port,
/// bad IPv4/IPv6 literal, invalid IDNA host, non-printable characters, over 65,536 chars, ...).
class URL {
public:
    /// Components for `copy_with` and the component constructor; unset ones are kept.
    /// Values are percent-encoded as in a URL string (existing %XX escapes are kept); an empty
    /// `query` or `fragment` removes it. Setting only one of `username` and `password` keeps
    /// the other. Invalid values throw `InvalidURL` ("Invalid URL component 'path'", ...).
    /// (Members have initialisers so that designated initialisers do not warn on g++ 12.)
    struct Components {
        std::optional<std::string> scheme{};
        std::optional<std::string> username{};
        std::optional<std::string> password{};
        std::optional<std::string> host{};
        std::optional<int> port{};
        std::optional<std::string> path{};      // characters outside the path set get encoded
        std::optional<std::string> query{};     // encoded, without the leading '?'
        std::optional<std::string> fragment{};  // without the leading '#'
        std::optional<QueryParams> params{};    // replaces the query when set
    };

    URL();  // the empty relative URL ""
    URL(const char* url) : URL(std::string_view(url)) {}
    URL(const std::string& url) : URL(std::string_view(url)) {}
    URL(std::string_view url);
    /// Parses `url`, then overrides the given components (HTTPX's `URL(url, **components)`).
    URL(std::string_view url, const Components& components);

    const std::string& scheme() const noexcept { return scheme_; }
    /// The host, lower-cased and IDNA-decoded to Unicode (`中国.icom.museum`); IPv6 unbracketed.
    std::string host() const;
    /// The host as sent on the wire: IDNA-encoded (`xn--...`), IPv6 unbracketed.
    const std::string& raw_host() const noexcept { return host_; }
    /// The explicit port, or nullopt when absent or the scheme's default (80 for http, ...).
    std::optional<int> port() const noexcept { return port_; }
    /// `host[:port]` as for a Host header (IPv6 bracketed).
    std::string netloc() const;
    /// The userinfo as it appears in the URL (percent-encoded), without the '@'.
    const std::string& userinfo() const noexcept { return userinfo_; }
    std::string username() const;  // percent-decoded
    std::string password() const;  // percent-decoded
    /// The path, percent-decoded ("/" when the URL has an empty path, as HTTPX).
    std::string path() const;
    /// The path as encoded in the URL ("/" when the URL has an empty path).
    const std::string& encoded_path() const noexcept { return path_.empty() ? kRootPath : path_; }
    /// The query, encoded, without '?' ("" when absent).
    const std::string& query() const noexcept { return query_; }
    /// True when the URL has a '?', even with an empty query.
    bool has_query() const noexcept { return has_query_; }
    /// The request target: encoded path ("/" when empty) plus `?query` when there is one.
    std::string raw_path() const;
    /// The fragment, percent-decoded, without '#'.
    std::string fragment() const;
    QueryParams params() const { return QueryParams(std::string_view(query_)); }

    /// Absolute means: has a scheme and a host.
    bool is_absolute_url() const noexcept { return !scheme_.empty() && !host_.empty(); }
    bool is_relative_url() const noexcept { return !is_absolute_url(); }

    /// RFC 3986 reference resolution of `relative` against this URL (as HTTPX's `urljoin`:
    /// a reference with this URL's scheme and no authority is resolved as relative).
    URL join(const URL& relative) const;
    URL copy_with(const Components& components) const;
    URL copy_set_param(std::string_view key, std::string value) const;
    URL copy_add_param(std::string key, std::string value) const;
    URL copy_remove_param(std::string_view key) const;
    URL copy_merge_params(const QueryParams& params) const;

    /// The normalised URL string.
    const std::string& str() const noexcept { return str_; }

    friend bool operator==(const URL& a, const URL& b) noexcept { return a.str_ == b.str_; }
    /// Prints the URL with any password masked as `[secure]`.
    friend std::ostream& operator<<(std::ostream& os, const URL& url);

private:
    friend struct detail::UrlParser;
    struct Parsed;  // the normalised components, as HTTPX's ParseResult
    explicit URL(Parsed&& parsed);
    void rebuild();  // recomputes str_ from the components
    std::string authority(bool mask_password) const;

    inline static const std::string kRootPath = "/";

    std::string scheme_;
    std::string userinfo_;
    std::string host_;
    std::optional<int> port_;
    std::string path_;
    std::string query_;
    bool has_query_ = false;
    std::string fragment_;
    bool has_fragment_ = false;
    std::string str_;
};

}  // namespace httpx
