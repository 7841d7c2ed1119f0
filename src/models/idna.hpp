// IDNA host names as HTTPX handles them (the `idna` package: IDNA 2008, no UTS #46 mapping).
// Private to libhttpxx.
#pragma once

#include <string>
#include <string_view>

namespace httpx::detail {

/// Lower-cases a non-ASCII host and converts it to its ASCII (`xn--`) form, as HTTPX's
/// `idna.encode(host.lower())`. Throws `InvalidURL("Invalid IDNA hostname: '...'")`.
std::string idna_encode_host(std::string_view host);

/// Converts the `xn--` labels of an ASCII host to Unicode; returns `host` unchanged when it
/// has none or when a label is not valid Punycode.
std::string idna_decode_host(std::string_view host);

}  // namespace httpx::detail
