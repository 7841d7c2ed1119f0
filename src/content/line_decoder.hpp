// Re-chunking of decoded bodies: HTTPX's LineDecoder (iter_lines), ByteChunker and TextChunker
// (the chunk_size argument of iter_bytes / iter_text / iter_raw).
#pragma once

#include <httpx/types.hpp>

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace httpx::content {

/// Splits UTF-8 text into lines incrementally with Python's `str.splitlines()` rules: lines end
/// at \n, \r, \r\n, \v, \f, \x1c, \x1d, \x1e, U+0085, U+2028 and U+2029; terminators are dropped.
/// A "\r\n" split across chunks counts once. Input chunks must consist of whole characters (as
/// `TextDecoder` produces them).
class LineDecoder {
public:
    /// Returns the lines completed by `text`.
    std::vector<std::string> decode(std::string_view text);
    /// Returns the last, unterminated line, if any.
    std::vector<std::string> flush();

private:
    std::string buffer_;
    bool trailing_cr_ = false;
};

/// Re-chunks bytes into pieces of exactly `chunk_size` (the last one may be shorter). Without a
/// chunk size every non-empty input is passed through as is.
class ByteChunker {
public:
    explicit ByteChunker(std::optional<std::size_t> chunk_size = std::nullopt);
    std::vector<Bytes> decode(std::string_view content);
    std::vector<Bytes> flush();

private:
    std::optional<std::size_t> chunk_size_;
    Bytes buffer_;
};

/// As ByteChunker, for UTF-8 text, counting characters (code points) as Python does; a chunk
/// never ends inside a character.
class TextChunker {
public:
    explicit TextChunker(std::optional<std::size_t> chunk_size = std::nullopt);
    std::vector<std::string> decode(std::string_view content);
    std::vector<std::string> flush();

private:
    std::optional<std::size_t> chunk_size_;
    std::string buffer_;
    std::size_t buffered_chars_ = 0;
};

}  // namespace httpx::content
