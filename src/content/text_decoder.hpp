// Bytes -> UTF-8 text (HTTPX's TextDecoder, a Python incremental decoder with errors="replace"),
// and the charset helpers behind `Response::encoding()` / `charset_encoding()`.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace httpx::content {

/// Decodes a byte stream in some charset to UTF-8, chunk by chunk. Invalid or unmappable input
/// becomes U+FFFD (Python's errors="replace"). A character split across chunks is held back and
/// comes out whole from a later `decode()` or `flush()`, so every returned string is valid UTF-8
/// made of whole characters.
class TextDecoder {
public:
    /// `encoding` is a charset name as Python spells it ("utf-8", "latin-1", "cp1252",
    /// "shift_jis", ...), case-insensitive. Throws `std::invalid_argument` for an unknown one
    /// (Python's LookupError); check with `is_known_encoding()` first.
    explicit TextDecoder(std::string_view encoding = "utf-8");
    ~TextDecoder();
    TextDecoder(TextDecoder&&) noexcept;
    TextDecoder& operator=(TextDecoder&&) noexcept;

    /// Decodes the next chunk; returns the text of the characters completed so far.
    std::string decode(std::string_view data);
    /// Ends the input: an incomplete trailing character becomes U+FFFD.
    std::string flush();

    class Impl;

private:
    std::unique_ptr<Impl> impl_;
};

/// Decodes a whole body at once.
std::string decode_text(std::string_view data, std::string_view encoding = "utf-8");

/// The charset parameter of a Content-Type value, lower-cased as Python's email package returns
/// it: `text/html; charset="UTF-8"` -> "utf-8". nullopt when there is none.
std::optional<std::string> parse_content_type_charset(std::string_view content_type);

/// Whether `encoding` names a charset that `TextDecoder` accepts. HTTPX ignores a response's
/// charset when it is unknown and falls back to the default encoding.
bool is_known_encoding(std::string_view encoding);

}  // namespace httpx::content
