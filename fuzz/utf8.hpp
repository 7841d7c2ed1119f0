// A strict UTF-8 check for the text fuzz targets (no overlongs, no surrogates, <= U+10FFFF).
#pragma once

#include <cstddef>
#include <string_view>

namespace httpx::fuzz {

// The length of the well-formed UTF-8 character at the start of `s`, or 0 when it is not one.
inline std::size_t utf8_char_length(std::string_view s) {
    if (s.empty()) return 0;
    const auto b = [&](std::size_t i) { return static_cast<unsigned char>(s[i]); };
    const auto cont = [&](std::size_t i) { return i < s.size() && (b(i) & 0xC0) == 0x80; };
    const unsigned c = b(0);
    if (c < 0x80) return 1;
    if (c >= 0xC2 && c <= 0xDF) return cont(1) ? 2 : 0;
    if (c >= 0xE0 && c <= 0xEF) {
        if (!cont(1) || !cont(2)) return 0;
        if (c == 0xE0 && b(1) < 0xA0) return 0;   // overlong
        if (c == 0xED && b(1) >= 0xA0) return 0;  // surrogate
        return 3;
    }
    if (c >= 0xF0 && c <= 0xF4) {
        if (!cont(1) || !cont(2) || !cont(3)) return 0;
        if (c == 0xF0 && b(1) < 0x90) return 0;   // overlong
        if (c == 0xF4 && b(1) >= 0x90) return 0;  // over U+10FFFF
        return 4;
    }
    return 0;
}

inline bool is_valid_utf8(std::string_view s) {
    while (!s.empty()) {
        const auto n = utf8_char_length(s);
        if (n == 0) return false;
        s.remove_prefix(n);
    }
    return true;
}

}  // namespace httpx::fuzz
