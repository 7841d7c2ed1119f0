// HTTP/1.1 request serialization (sans-I/O): the request head and chunked framing as bytes.
#pragma once

#include <httpx/headers.hpp>

#include <string>
#include <string_view>

namespace httpx::protocol {

/// Appends "METHOD target HTTP/1.1\r\n", each header as "Name: value\r\n" in order with the
/// name's original case, then "\r\n" to `out`. The caller supplies every header (Host,
/// Content-Length or Transfer-Encoding included); nothing is added or reordered.
///
/// Throws `httpx::LocalProtocolError` when the method is not a token, the target is empty or
/// holds whitespace, control or non-ASCII bytes, a header name is not a token (RFC 9110), or a
/// header value holds CR, LF, NUL or another control character other than HTAB (as h11
/// refuses them). On error `out` is left unchanged.
void serialize_request_head(std::string_view method, std::string_view target,
                            const httpx::Headers& headers, std::string& out);

/// Appends one chunk of a chunked body, "<hex size>\r\n<data>\r\n", to `out`; nothing for empty
/// `data` (an empty chunk would end the body).
void append_chunk(std::string_view data, std::string& out);

/// The last chunk with no trailers, "0\r\n\r\n", which ends a chunked body.
std::string_view last_chunk() noexcept;

}  // namespace httpx::protocol
