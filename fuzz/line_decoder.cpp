// LineDecoder (aiter_lines) and the re-chunkers behind aiter_bytes/aiter_text(chunk_size): the
// same lines and chunks however the text is cut (at character boundaries, as TextDecoder delivers
// it), lines without terminators, chunks of exactly chunk_size.
//
// Input: a control byte (the chunk size, 0 = none), then bytes, decoded as UTF-8 with
// replacement first.
#include "content/line_decoder.hpp"
#include "content/text_decoder.hpp"
#include "fuzz_support.hpp"
#include "utf8.hpp"

#include <string>
#include <vector>

using namespace httpx::fuzz;

namespace {

// `pieces` moved to the nearest character boundary at or after each cut.
std::vector<std::string_view> at_char_boundaries(std::string_view text,
                                                 const std::vector<std::string_view>& pieces) {
    std::vector<std::string_view> out;
    std::size_t from = 0, cut = 0;
    for (auto piece : pieces) {
        cut += piece.size();
        if (cut < from) continue;
        auto end = from;
        while (end < cut) end += utf8_char_length(text.substr(end));
        out.push_back(text.substr(from, end - from));
        from = end;
    }
    if (from < text.size()) out.push_back(text.substr(from));
    return out;
}

std::vector<std::string> lines_of(const std::vector<std::string_view>& pieces) {
    httpx::content::LineDecoder decoder;
    std::vector<std::string> lines;
    for (auto piece : pieces) {
        for (auto& line : decoder.decode(piece)) lines.push_back(std::move(line));
    }
    for (auto& line : decoder.flush()) lines.push_back(std::move(line));
    for (const auto& line : lines) {
        FUZZ_CHECK(line.find_first_of("\r\n\v\f\x1c\x1d\x1e") == std::string::npos);
        FUZZ_CHECK(line.find("\xC2\x85") == std::string::npos);
        FUZZ_CHECK(line.find("\xE2\x80\xA8") == std::string::npos);
        FUZZ_CHECK(line.find("\xE2\x80\xA9") == std::string::npos);
    }
    return lines;
}

template <class Chunker>
std::vector<std::string> chunks_of(std::optional<std::size_t> size,
                                   const std::vector<std::string_view>& pieces) {
    Chunker chunker(size);
    std::vector<std::string> chunks;
    for (auto piece : pieces) {
        for (auto& chunk : chunker.decode(piece)) chunks.push_back(std::move(chunk));
    }
    for (auto& chunk : chunker.flush()) chunks.push_back(std::move(chunk));
    return chunks;
}

std::size_t characters(std::string_view text) {
    std::size_t n = 0;
    for (unsigned char c : text) n += (c & 0xC0) != 0x80;
    return n;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size == 0) return 0;
    const std::optional<std::size_t> chunk_size =
        data[0] == 0 ? std::nullopt : std::optional<std::size_t>(data[0]);
    const std::string text = httpx::content::decode_text(
        std::string_view(reinterpret_cast<const char*>(data) + 1, size - 1), "utf-8");
    FUZZ_CHECK(is_valid_utf8(text));
    const auto pieces = at_char_boundaries(text, split(text, seed_of(text)));

    FUZZ_CHECK(lines_of(pieces) == lines_of({text}));

    const auto bytes = chunks_of<httpx::content::ByteChunker>(chunk_size, {text});
    FUZZ_CHECK(chunks_of<httpx::content::ByteChunker>(chunk_size, pieces) == bytes ||
               !chunk_size);  // without a size the chunks are the pieces themselves
    std::string joined;
    for (std::size_t i = 0; i < bytes.size(); ++i) {
        if (chunk_size && i + 1 < bytes.size()) FUZZ_CHECK(bytes[i].size() == *chunk_size);
        joined += bytes[i];
    }
    FUZZ_CHECK(joined == text);

    const auto texts = chunks_of<httpx::content::TextChunker>(chunk_size, pieces);
    joined.clear();
    for (std::size_t i = 0; i < texts.size(); ++i) {
        FUZZ_CHECK(is_valid_utf8(texts[i]));
        if (chunk_size && i + 1 < texts.size()) FUZZ_CHECK(characters(texts[i]) == *chunk_size);
        joined += texts[i];
    }
    FUZZ_CHECK(joined == text);
    if (chunk_size)
        FUZZ_CHECK(texts == (chunks_of<httpx::content::TextChunker>(chunk_size, {text})));
    return 0;
}
