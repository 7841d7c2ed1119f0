#include "content/line_decoder.hpp"

#include <stdexcept>

namespace httpx::content {

namespace {

// Length of the line terminator at text[pos], 0 if there is none. "\r\n" counts as one.
std::size_t terminator_at(std::string_view text, std::size_t pos) {
    const auto c = static_cast<unsigned char>(text[pos]);
    switch (c) {
        case '\n':
        case 0x0b:
        case 0x0c:
        case 0x1c:
        case 0x1d:
        case 0x1e:
            return 1;
        case '\r':
            return pos + 1 < text.size() && text[pos + 1] == '\n' ? 2 : 1;
        case 0xc2:  // U+0085 NEXT LINE
            return pos + 1 < text.size() && static_cast<unsigned char>(text[pos + 1]) == 0x85 ? 2
                                                                                              : 0;
        case 0xe2:  // U+2028 LINE SEPARATOR, U+2029 PARAGRAPH SEPARATOR
            if (pos + 2 < text.size() && static_cast<unsigned char>(text[pos + 1]) == 0x80) {
                const auto c2 = static_cast<unsigned char>(text[pos + 2]);
                if (c2 == 0xa8 || c2 == 0xa9) return 3;
            }
            return 0;
        default:
            return 0;
    }
}

bool is_utf8_lead(char c) {
    return (static_cast<unsigned char>(c) & 0xC0) != 0x80;
}

std::size_t check_chunk_size(std::optional<std::size_t> chunk_size) {
    if (chunk_size && *chunk_size == 0) throw std::invalid_argument("chunk_size must be positive");
    return chunk_size.value_or(0);
}

}  // namespace

std::vector<std::string> LineDecoder::decode(std::string_view input) {
    // A trailing '\r' is held back: the next chunk may start with the '\n' of a "\r\n".
    std::string joined;
    std::string_view text = input;
    if (trailing_cr_) {
        joined.reserve(input.size() + 1);
        joined.push_back('\r');
        joined.append(input);
        text = joined;
        trailing_cr_ = false;
    }
    if (!text.empty() && text.back() == '\r') {
        trailing_cr_ = true;
        text.remove_suffix(1);
    }

    std::vector<std::string> lines;
    std::size_t start = 0;
    for (std::size_t pos = 0; pos < text.size();) {
        const std::size_t len = terminator_at(text, pos);
        if (len == 0) {
            ++pos;
            continue;
        }
        if (buffer_.empty()) {
            lines.emplace_back(text.substr(start, pos - start));
        } else {
            buffer_.append(text.substr(start, pos - start));
            lines.push_back(std::move(buffer_));
            buffer_.clear();
        }
        pos += len;
        start = pos;
    }
    buffer_.append(text.substr(start));
    return lines;
}

std::vector<std::string> LineDecoder::flush() {
    if (buffer_.empty() && !trailing_cr_) return {};
    std::vector<std::string> lines;
    lines.push_back(std::move(buffer_));
    buffer_.clear();
    trailing_cr_ = false;
    return lines;
}

ByteChunker::ByteChunker(std::optional<std::size_t> chunk_size) : chunk_size_(chunk_size) {
    check_chunk_size(chunk_size);
}

std::vector<Bytes> ByteChunker::decode(std::string_view content) {
    std::vector<Bytes> chunks;
    if (!chunk_size_) {
        if (!content.empty()) chunks.emplace_back(content);
        return chunks;
    }
    const std::size_t size = *chunk_size_;
    if (!buffer_.empty()) {
        const std::size_t take = std::min(size - buffer_.size(), content.size());
        buffer_.append(content.substr(0, take));
        content.remove_prefix(take);
        if (buffer_.size() < size) return chunks;
        chunks.push_back(std::move(buffer_));
        buffer_.clear();
    }
    while (content.size() >= size) {
        chunks.emplace_back(content.substr(0, size));
        content.remove_prefix(size);
    }
    buffer_.assign(content);
    return chunks;
}

std::vector<Bytes> ByteChunker::flush() {
    std::vector<Bytes> chunks;
    if (!buffer_.empty()) chunks.push_back(std::move(buffer_));
    buffer_.clear();
    return chunks;
}

TextChunker::TextChunker(std::optional<std::size_t> chunk_size) : chunk_size_(chunk_size) {
    check_chunk_size(chunk_size);
}

std::vector<std::string> TextChunker::decode(std::string_view content) {
    std::vector<std::string> chunks;
    if (!chunk_size_) {
        if (!content.empty()) chunks.emplace_back(content);
        return chunks;
    }
    const std::size_t size = *chunk_size_;
    // Walk character by character; cut whenever the buffer holds `size` characters.
    std::size_t start = 0;
    for (std::size_t pos = 0; pos < content.size(); ++pos) {
        if (!is_utf8_lead(content[pos])) continue;
        if (buffered_chars_ == size) {
            buffer_.append(content.substr(start, pos - start));
            chunks.push_back(std::move(buffer_));
            buffer_.clear();
            buffered_chars_ = 0;
            start = pos;
        }
        ++buffered_chars_;
    }
    buffer_.append(content.substr(start));
    if (buffered_chars_ == size) {
        chunks.push_back(std::move(buffer_));
        buffer_.clear();
        buffered_chars_ = 0;
    }
    return chunks;
}

std::vector<std::string> TextChunker::flush() {
    std::vector<std::string> chunks;
    if (!buffer_.empty()) chunks.push_back(std::move(buffer_));
    buffer_.clear();
    buffered_chars_ = 0;
    return chunks;
}

}  // namespace httpx::content
