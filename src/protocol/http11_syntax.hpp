// The byte-level grammar of HTTP/1.1 responses (RFC 9110, RFC 9112) that the response parser
// applies: character classes, the field-value scan, comma-separated lists and chunk extensions.
// Everything here works on complete lines the caller already delimited.
#pragma once

#include <array>
#include <bit>
#include <cstdint>
#include <cstring>
#include <string_view>

namespace httpx::protocol::syntax {

namespace detail {

constexpr std::array<bool, 256> make_tchar_table() {
    std::array<bool, 256> table{};
    for (int c = '0'; c <= '9'; ++c) table[c] = true;
    for (int c = 'a'; c <= 'z'; ++c) table[c] = true;
    for (int c = 'A'; c <= 'Z'; ++c) table[c] = true;
    for (char c : std::string_view("!#$%&'*+-.^_`|~")) table[static_cast<unsigned char>(c)] = true;
    return table;
}

// Bytes a field value or a reason phrase may hold: HTAB, SP, VCHAR, obs-text.
constexpr std::array<bool, 256> make_field_byte_table() {
    std::array<bool, 256> table{};
    for (int c = 0; c < 256; ++c) table[c] = c == '\t' || (c >= 0x20 && c != 0x7F);
    return table;
}

constexpr std::array<signed char, 256> make_hex_table() {
    std::array<signed char, 256> table{};
    for (auto& v : table) v = -1;
    for (int c = '0'; c <= '9'; ++c) table[c] = static_cast<signed char>(c - '0');
    for (int c = 'a'; c <= 'f'; ++c) table[c] = static_cast<signed char>(c - 'a' + 10);
    for (int c = 'A'; c <= 'F'; ++c) table[c] = static_cast<signed char>(c - 'A' + 10);
    return table;
}

inline constexpr auto tchar_table = make_tchar_table();
inline constexpr auto field_byte_table = make_field_byte_table();
inline constexpr auto hex_table = make_hex_table();

}  // namespace detail

/// A tchar (RFC 9110 §5.6.2): what tokens, and so header names, are made of.
inline bool is_tchar(char c) noexcept {
    return detail::tchar_table[static_cast<unsigned char>(c)];
}

/// A byte a field value or reason phrase may hold (no control byte but HTAB, no DEL).
inline bool is_field_byte(char c) noexcept {
    return detail::field_byte_table[static_cast<unsigned char>(c)];
}

/// Whether a token (tchars only) equals `lower`, a lower-case literal of letters and '-', ignoring
/// case: OR-ing 0x20 lower-cases a letter and maps no other tchar onto a letter or '-'.
inline bool token_equals(std::string_view token, std::string_view lower) noexcept {
    const std::size_t n = token.size();
    if (n != lower.size()) return false;
    std::size_t i = 0;
    for (; n - i >= 8; i += 8) {
        std::uint64_t a, b;
        std::memcpy(&a, token.data() + i, 8);
        std::memcpy(&b, lower.data() + i, 8);
        if ((a | 0x2020202020202020ULL) != b) return false;
    }
    for (; i < n; ++i) {
        if ((token[i] | 0x20) != lower[i]) return false;
    }
    return true;
}

/// The end of the token starting at `p`: the first byte that is not a tchar. Four bytes at a
/// time; the caller guarantees a non-tchar byte at least three bytes before the end of the
/// buffer (a block of field lines ends with CRLF CRLF).
inline const char* skip_tchars(const char* p) noexcept {
    while (is_tchar(p[0]) && is_tchar(p[1]) && is_tchar(p[2]) && is_tchar(p[3])) p += 4;
    while (is_tchar(*p)) ++p;
    return p;
}

inline bool is_ows(char c) noexcept {
    return c == ' ' || c == '\t';
}

/// The value of a hex digit, or -1.
inline int hex_value(char c) noexcept {
    return detail::hex_table[static_cast<unsigned char>(c)];
}

/// The first byte in [p, end) that may not appear in a field value, or `end`. Eight bytes at a
/// time (header values are mostly plain ASCII).
inline const char* find_non_field_byte(const char* p, const char* end) noexcept {
    static_assert(std::endian::native == std::endian::little, "the first byte is the lowest");
    constexpr std::uint64_t ones = 0x0101010101010101ULL;
    constexpr std::uint64_t highs = 0x8080808080808080ULL;
    while (end - p >= 8) {
        std::uint64_t word;
        std::memcpy(&word, p, 8);
        // Flags the bytes below 0x20 and the bytes equal to 0x7F (zero after the xor). A borrow
        // may flag a byte above a flagged one, never below: the lowest flag is exact.
        const std::uint64_t below_space = (word - ones * 0x20) & ~word & highs;
        const std::uint64_t del = word ^ (ones * 0x7F);
        const std::uint64_t flags = below_space | ((del - ones) & ~del & highs);
        if (flags == 0) {
            p += 8;
            continue;
        }
        p += std::countr_zero(flags) / 8;
        if (*p != '\t') return p;
        ++p;  // HTAB is allowed
    }
    while (p != end && is_field_byte(*p)) ++p;
    return p;
}

/// Walks a comma-separated list of tokens as `#token` with empty elements allowed (RFC 9110
/// §5.6.1): calls `on_token` for each token in order. Returns false, having stopped, at the
/// first byte that is neither a token, a comma nor whitespace, or at two tokens without a
/// comma between them.
template <class OnToken>
bool for_each_list_token(std::string_view list, OnToken&& on_token) {
    bool need_comma = false;
    std::size_t i = 0;
    const std::size_t n = list.size();
    for (;;) {
        while (i < n && is_ows(list[i])) ++i;
        if (i == n) return true;
        if (list[i] == ',') {
            need_comma = false;
            ++i;
            continue;
        }
        if (!is_tchar(list[i]) || need_comma) return false;
        const auto start = i;
        while (i < n && is_tchar(list[i])) ++i;
        on_token(list.substr(start, i - start));
        need_comma = true;
    }
}

/// Whether `ext` (what follows the chunk size on a chunk-size line, without the CRLF) is a
/// well-formed chunk-ext (RFC 9112 §7.1.1): *( BWS ";" BWS token [ BWS "=" BWS ( token /
/// quoted-string ) ] ). A quoted string must close on its line and hold no control byte.
bool is_chunk_extension(std::string_view ext) noexcept;

}  // namespace httpx::protocol::syntax
