// Percent-encoding as HTTPX 0.28 does it: WHATWG encode sets for URL components, and
// urllib-style form encoding for query parameters. Private to libhttpxx.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace httpx::detail {

/// The characters a URL component may hold unescaped besides RFC 3986's unreserved ones.
enum class EncodeSet {
    fragment,  // WHATWG fragment set: escapes space " < > `
    query,     // WHATWG query set: escapes space " # < >
    path,      // query set plus ? ` { }
    userpart,  // a username or password: path set plus / : ; = @ [ \ ] ^ |
    userinfo,  // "user:password" as one string: the userpart set, but ':' is kept
    host,      // an ASCII reg-name: sub-delims and " ` { } % | \ are kept
};

/// Escapes every byte outside `set` as %XX (UTF-8 bytes included). Existing %XX escapes
/// survive because '%' itself is in every set, as in HTTPX's `quote`.
std::string quote(std::string_view text, EncodeSet set);

/// Decodes %XX escapes; decoded bytes that are not valid UTF-8 become U+FFFD, as Python's
/// `urllib.parse.unquote` does. Malformed escapes are kept as they are.
std::string unquote(std::string_view text);

/// `urllib.parse.quote_plus(text, safe="")`: space as '+', all but A-Za-z0-9_.-~ escaped.
std::string form_quote(std::string_view text);

/// `urllib.parse.unquote_plus`: '+' is a space, then `unquote`.
std::string form_unquote(std::string_view text);

/// Replaces each ill-formed UTF-8 sequence in `bytes` by U+FFFD.
std::string replace_invalid_utf8(std::string_view bytes);

/// The number of code points before byte offset `offset` (Python counts characters).
std::size_t code_point_index(std::string_view text, std::size_t offset);

/// Python's `repr()` of a string, enough for error messages: quotes, backslash-escapes of
/// control characters, the rest unchanged.
std::string python_repr(std::string_view text);

}  // namespace httpx::detail
