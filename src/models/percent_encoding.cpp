#include "models/percent_encoding.hpp"

#include <array>
#include <optional>

namespace httpx::detail {
namespace {

constexpr char kHexUpper[] = "0123456789ABCDEF";
constexpr char kHexLower[] = "0123456789abcdef";

constexpr bool is_unreserved(unsigned char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
           c == '.' || c == '_' || c == '~';
}

// The printable ASCII characters (0x20-0x7E) that `set` escapes.
constexpr std::string_view escaped_printables(EncodeSet set) {
    switch (set) {
        case EncodeSet::fragment:
            return " \"<>`";
        case EncodeSet::query:
            return " \"#<>";
        case EncodeSet::path:
            return " \"#<>?`{}";
        case EncodeSet::userpart:
            return " \"#<>?`{}/:;=@[\\]^|";
        case EncodeSet::userinfo:
            return " \"#<>?`{}/;=@[\\]^|";
        case EncodeSet::host:
            // Host keeps unreserved, sub-delims !$&'()*+,;= and "`{}%|\ only.
            return " #/:<>?@[]^";
    }
    return "";
}

using ByteTable = std::array<bool, 256>;

constexpr ByteTable make_safe_table(EncodeSet set) {
    ByteTable table{};
    for (int c = 0x20; c < 0x7F; ++c) table[c] = true;
    for (char c : escaped_printables(set)) table[static_cast<unsigned char>(c)] = false;
    return table;
}

constexpr std::array<ByteTable, 6> kSafeTables = {
    make_safe_table(EncodeSet::fragment), make_safe_table(EncodeSet::query),
    make_safe_table(EncodeSet::path),     make_safe_table(EncodeSet::userpart),
    make_safe_table(EncodeSet::userinfo), make_safe_table(EncodeSet::host),
};

void append_escape(std::string& out, unsigned char byte) {
    out += '%';
    out += kHexUpper[byte >> 4];
    out += kHexUpper[byte & 0xF];
}

int hex_value(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

// The length of the well-formed UTF-8 sequence at `pos`, or 0 (Unicode 15, table 3-7).
std::size_t utf8_sequence_length(std::string_view s, std::size_t pos) {
    auto byte = [&](std::size_t i) -> unsigned {
        return i < s.size() ? static_cast<unsigned char>(s[i]) : 0x100u;
    };
    const unsigned b0 = byte(pos);
    if (b0 < 0x80) return 1;
    unsigned lo = 0x80, hi = 0xBF;
    std::size_t length = 0;
    if (b0 >= 0xC2 && b0 <= 0xDF) {
        length = 2;
    } else if (b0 >= 0xE0 && b0 <= 0xEF) {
        length = 3;
        if (b0 == 0xE0) lo = 0xA0;
        if (b0 == 0xED) hi = 0x9F;  // no surrogates
    } else if (b0 >= 0xF0 && b0 <= 0xF4) {
        length = 4;
        if (b0 == 0xF0) lo = 0x90;
        if (b0 == 0xF4) hi = 0x8F;
    } else {
        return 0;
    }
    // Only the second byte has a narrowed range.
    if (byte(pos + 1) < lo || byte(pos + 1) > hi) return 0;
    for (std::size_t i = 2; i < length; ++i) {
        if (byte(pos + i) < 0x80 || byte(pos + i) > 0xBF) return 0;
    }
    return length;
}

// The maximal prefix of an ill-formed sequence at `pos` that is replaced by one U+FFFD.
std::size_t maximal_invalid_subpart(std::string_view s, std::size_t pos) {
    const auto b0 = static_cast<unsigned char>(s[pos]);
    std::size_t expected = 0;
    unsigned lo = 0x80, hi = 0xBF;
    if (b0 >= 0xC2 && b0 <= 0xDF) {
        expected = 2;
    } else if (b0 >= 0xE0 && b0 <= 0xEF) {
        expected = 3;
        if (b0 == 0xE0) lo = 0xA0;
        if (b0 == 0xED) hi = 0x9F;
    } else if (b0 >= 0xF0 && b0 <= 0xF4) {
        expected = 4;
        if (b0 == 0xF0) lo = 0x90;
        if (b0 == 0xF4) hi = 0x8F;
    } else {
        return 1;
    }
    std::size_t length = 1;
    while (length < expected && pos + length < s.size()) {
        const auto b = static_cast<unsigned char>(s[pos + length]);
        const unsigned min = length == 1 ? lo : 0x80, max = length == 1 ? hi : 0xBF;
        if (b < min || b > max) break;
        ++length;
    }
    return length;
}

std::optional<char32_t> decode_code_point(std::string_view s, std::size_t& pos) {
    const std::size_t length = utf8_sequence_length(s, pos);
    if (length == 0) return std::nullopt;
    const auto b0 = static_cast<unsigned char>(s[pos]);
    char32_t cp = length == 1 ? b0 : (b0 & (0x7F >> length));
    for (std::size_t i = 1; i < length; ++i) {
        cp = (cp << 6) | (static_cast<unsigned char>(s[pos + i]) & 0x3F);
    }
    pos += length;
    return cp;
}

// Non-printable in Python's sense, for the characters likely to appear in URLs.
bool python_non_printable(char32_t cp) {
    return cp < 0x20 || (cp >= 0x7F && cp <= 0xA0) || cp == 0xAD ||
           (cp >= 0x2000 && cp <= 0x200F) || (cp >= 0x2028 && cp <= 0x202F) ||
           (cp >= 0x205F && cp <= 0x206F) || cp == 0x3000 || (cp >= 0xFDD0 && cp <= 0xFDEF) ||
           cp == 0xFEFF || (cp >= 0xFFF9 && cp <= 0xFFFB) || cp == 0xFFFE || cp == 0xFFFF;
}

}  // namespace

std::string quote(std::string_view text, EncodeSet set) {
    const ByteTable& safe = kSafeTables[static_cast<std::size_t>(set)];
    std::string out;
    out.reserve(text.size());
    for (char c : text) {
        const auto byte = static_cast<unsigned char>(c);
        if (safe[byte]) {
            out += c;
        } else {
            append_escape(out, byte);
        }
    }
    return out;
}

std::string unquote(std::string_view text) {
    if (text.find('%') == std::string_view::npos) return std::string(text);
    std::string out;
    out.reserve(text.size());
    // Runs of decoded bytes are checked for UTF-8 as a whole, like Python's unquote.
    std::string decoded_run;
    auto flush = [&] {
        out += replace_invalid_utf8(decoded_run);
        decoded_run.clear();
    };
    for (std::size_t i = 0; i < text.size(); ++i) {
        if (text[i] == '%' && i + 2 < text.size()) {
            const int high = hex_value(text[i + 1]), low = hex_value(text[i + 2]);
            if (high >= 0 && low >= 0) {
                decoded_run += static_cast<char>(high * 16 + low);
                i += 2;
                continue;
            }
        }
        flush();
        out += text[i];
    }
    flush();
    return out;
}

std::string form_quote(std::string_view text) {
    std::string out;
    out.reserve(text.size());
    for (char c : text) {
        const auto byte = static_cast<unsigned char>(c);
        if (is_unreserved(byte)) {
            out += c;
        } else if (c == ' ') {
            out += '+';
        } else {
            append_escape(out, byte);
        }
    }
    return out;
}

std::string form_unquote(std::string_view text) {
    std::string spaced(text);
    for (char& c : spaced) {
        if (c == '+') c = ' ';
    }
    return unquote(spaced);
}

std::string replace_invalid_utf8(std::string_view bytes) {
    std::string out;
    out.reserve(bytes.size());
    std::size_t pos = 0;
    while (pos < bytes.size()) {
        const std::size_t length = utf8_sequence_length(bytes, pos);
        if (length > 0) {
            out.append(bytes.substr(pos, length));
            pos += length;
        } else {
            out += "\xEF\xBF\xBD";
            pos += maximal_invalid_subpart(bytes, pos);
        }
    }
    return out;
}

std::size_t code_point_index(std::string_view text, std::size_t offset) {
    std::size_t index = 0;
    for (std::size_t i = 0; i < offset && i < text.size(); ++i) {
        if ((static_cast<unsigned char>(text[i]) & 0xC0) != 0x80) ++index;
    }
    return index;
}

std::string python_repr(std::string_view text) {
    const bool has_single = text.find('\'') != std::string_view::npos;
    const bool has_double = text.find('"') != std::string_view::npos;
    const char quote_char = has_single && !has_double ? '"' : '\'';
    std::string out(1, quote_char);
    std::size_t pos = 0;
    while (pos < text.size()) {
        const std::size_t start = pos;
        const std::optional<char32_t> cp = decode_code_point(text, pos);
        if (!cp) {  // not UTF-8: show the byte
            const auto byte = static_cast<unsigned char>(text[pos++]);
            out += "\\x";
            out += kHexLower[byte >> 4];
            out += kHexLower[byte & 0xF];
            continue;
        }
        if (*cp == '\\' || *cp == static_cast<char32_t>(quote_char)) {
            out += '\\';
            out += static_cast<char>(*cp);
        } else if (*cp == '\t') {
            out += "\\t";
        } else if (*cp == '\n') {
            out += "\\n";
        } else if (*cp == '\r') {
            out += "\\r";
        } else if (python_non_printable(*cp)) {
            const int digits = *cp <= 0xFF ? 2 : 4;
            out += digits == 2 ? "\\x" : "\\u";
            for (int shift = (digits - 1) * 4; shift >= 0; shift -= 4) {
                out += kHexLower[(*cp >> shift) & 0xF];
            }
        } else {
            out.append(text.substr(start, pos - start));
        }
    }
    out += quote_char;
    return out;
}

}  // namespace httpx::detail
