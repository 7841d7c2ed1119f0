// The text encoding of a body whose Content-Type names no charset (HTTPX's `default_encoding`),
// and a charset detector to use as one.
#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <variant>

namespace httpx {

/// Picks the charset of a whole body (HTTPX's callable `default_encoding`): returns a charset
/// name ("shift_jis", "windows-1251", ...), or "" when it cannot tell, which means "utf-8".
using EncodingDetector = std::function<std::string(std::string_view body)>;

/// `ClientOptions::default_encoding` and `ResponseOptions::default_encoding`: the encoding of
/// `Response::text()` when the Content-Type has no known charset. Either a charset name
/// (`.default_encoding = "iso-8859-1"`) or a detector called with the body
/// (`.default_encoding = httpx::autodetect_encoding`). As in HTTPX, a detector runs only once
/// the whole body has been read; before that (e.g. `aiter_text()` on a streamed response) the
/// encoding is "utf-8".
using DefaultEncoding = std::variant<std::string, EncodingDetector>;

/// Guesses the charset of `body` with uchardet (Mozilla's universal charset detector): HTTPX's
/// documented charset-normalizer recipe (`default_encoding=autodetect`), the C++ way. Returns a
/// lower-case name that `Response::text()` can decode ("utf-8", "ascii", "shift_jis",
/// "windows-1251", "iso-8859-1", ...), or "" for an empty body or when uchardet cannot tell.
/// Short bodies give poor guesses: a few words of Latin-1 may come out as another single-byte
/// charset.
std::string autodetect_encoding(std::string_view body);

}  // namespace httpx
