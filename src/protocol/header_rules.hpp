// What request header fields may hold on the wire (RFC 9110): the rules the HTTP/1.1 serializer
// and the HTTP/2 request encoder both apply.
#pragma once

#include <string>
#include <string_view>

namespace httpx::protocol {

/// A token (RFC 9110 §5.6.2): what a method or a header name consists of. Empty is not one.
bool is_token(std::string_view s) noexcept;

/// One or more VCHAR (h11's request-target): no whitespace, control or non-ASCII bytes.
bool is_visible_ascii(std::string_view s) noexcept;

/// A field value: VCHAR, obs-text, SP and HTAB. Every other control byte would let a value split
/// a message (CR, LF) or be cut short by a peer (NUL).
bool is_valid_field_value(std::string_view s) noexcept;

/// A printable rendering of untrusted bytes for error messages, quoted: "\r\n" shows as \r\n,
/// other control and non-ASCII bytes as \xNN; at most `max` bytes of `s`, then "...".
std::string escaped(std::string_view s, std::size_t max = std::string_view::npos);

}  // namespace httpx::protocol
