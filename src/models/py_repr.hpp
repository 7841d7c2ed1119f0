// Python-style repr() helpers, so that the models print exactly as HTTPX's objects do and a user
// comparing output with HTTPX (or its docs) sees the same text.
#pragma once

#include <charconv>
#include <cmath>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>

namespace httpx::detail {

/// How the bytes of a string are to be read as text (HTTPX's header `encoding`).
enum class TextEncoding { ascii, utf8, latin1 };

/// Whether `s` is well-formed UTF-8 (no overlongs, surrogates or code points past U+10FFFF).
inline bool is_valid_utf8(std::string_view s) noexcept {
    std::size_t i = 0;
    while (i < s.size()) {
        const auto c = static_cast<unsigned char>(s[i]);
        if (c < 0x80) {
            ++i;
            continue;
        }
        std::size_t len = 0;
        char32_t cp = 0;
        if (c >= 0xC2 && c <= 0xDF) {
            len = 2;
            cp = c & 0x1F;
        } else if (c >= 0xE0 && c <= 0xEF) {
            len = 3;
            cp = c & 0x0F;
        } else if (c >= 0xF0 && c <= 0xF4) {
            len = 4;
            cp = c & 0x07;
        } else {
            return false;
        }
        if (i + len > s.size()) return false;
        for (std::size_t k = 1; k < len; ++k) {
            const auto cc = static_cast<unsigned char>(s[i + k]);
            if ((cc & 0xC0) != 0x80) return false;
            cp = (cp << 6) | (cc & 0x3F);
        }
        if ((len == 3 && (cp < 0x800 || (cp >= 0xD800 && cp <= 0xDFFF))) ||
            (len == 4 && (cp < 0x10000 || cp > 0x10FFFF)))
            return false;
        i += len;
    }
    return true;
}

inline void append_hex_escape(std::string& out, unsigned value) {
    static constexpr char digits[] = "0123456789abcdef";
    out += "\\x";
    out += digits[(value >> 4) & 0xF];
    out += digits[value & 0xF];
}

/// Python's repr() of a str: quoted with ' (or " when only ' occurs inside), backslash escapes
/// for control characters. With `latin1`, each byte is the code point of the same value (as
/// HTTPX decodes undecodable headers); with `utf8`, non-ASCII text is kept as is. Python also
/// escapes other non-printable Unicode (e.g. U+2028); only the Latin-1 ones are handled here.
inline std::string py_str_repr(std::string_view s, TextEncoding enc = TextEncoding::utf8) {
    const bool has_single = s.find('\'') != std::string_view::npos;
    const bool has_double = s.find('"') != std::string_view::npos;
    const char quote = has_single && !has_double ? '"' : '\'';
    std::string out;
    out.reserve(s.size() + 2);
    out += quote;
    for (std::size_t i = 0; i < s.size(); ++i) {
        const auto c = static_cast<unsigned char>(s[i]);
        if (c == '\\' || c == static_cast<unsigned char>(quote)) {
            out += '\\';
            out += static_cast<char>(c);
        } else if (c == '\t') {
            out += "\\t";
        } else if (c == '\n') {
            out += "\\n";
        } else if (c == '\r') {
            out += "\\r";
        } else if (c < 0x20 || c == 0x7F) {
            append_hex_escape(out, c);
        } else if (c < 0x80) {
            out += static_cast<char>(c);
        } else if (enc == TextEncoding::latin1) {
            // U+0080..U+00A0 and the soft hyphen are not printable in Python.
            if (c <= 0xA0 || c == 0xAD) {
                append_hex_escape(out, c);
            } else {
                out += static_cast<char>(0xC0 | (c >> 6));
                out += static_cast<char>(0x80 | (c & 0x3F));
            }
        } else if (c == 0xC2 && i + 1 < s.size() &&
                   (static_cast<unsigned char>(s[i + 1]) <= 0xA0 ||
                    static_cast<unsigned char>(s[i + 1]) == 0xAD)) {
            // The UTF-8 form of U+0080..U+00A0 / U+00AD: escaped as Python does.
            append_hex_escape(out, static_cast<unsigned char>(s[i + 1]));
            ++i;
        } else {
            out += static_cast<char>(c);
        }
    }
    out += quote;
    return out;
}

/// Python's repr() of a float: the shortest round-trip digits, in positional notation with at
/// least one fractional digit ("5.0", "0.001") when the decimal exponent is in [-4, 16), else in
/// scientific notation with a two-digit minimum exponent ("1e-05", "1.5e+16").
inline std::string py_float_repr(double value) {
    if (std::isnan(value)) return "nan";
    if (std::isinf(value)) return value < 0 ? "-inf" : "inf";
    char buf[64];
    const auto res = std::to_chars(buf, buf + sizeof buf, value, std::chars_format::scientific);
    std::string_view sci(buf, static_cast<std::size_t>(res.ptr - buf));  // "-1.2345e+02"
    std::string out;
    if (sci.front() == '-') {
        out += '-';
        sci.remove_prefix(1);
    }
    const auto e_pos = sci.find('e');
    std::string digits;  // the significant digits, without the point
    for (char ch : sci.substr(0, e_pos))
        if (ch != '.') digits += ch;
    int exponent = 0;
    std::string_view exp_text = sci.substr(e_pos + 1);
    if (exp_text.front() == '+') exp_text.remove_prefix(1);
    std::from_chars(exp_text.data(), exp_text.data() + exp_text.size(), exponent);

    if (exponent >= -4 && exponent < 16) {
        if (exponent < 0) {
            out += "0.";
            out.append(static_cast<std::size_t>(-exponent - 1), '0');
            out += digits;
        } else {
            const auto int_len = static_cast<std::size_t>(exponent) + 1;
            if (digits.size() <= int_len) {
                out += digits;
                out.append(int_len - digits.size(), '0');
                out += ".0";
            } else {
                out += digits.substr(0, int_len);
                out += '.';
                out += digits.substr(int_len);
            }
        }
        return out;
    }
    out += digits.substr(0, 1);
    if (digits.size() > 1) {
        out += '.';
        out += digits.substr(1);
    }
    out += exponent < 0 ? "e-" : "e+";
    const int abs_exp = exponent < 0 ? -exponent : exponent;
    if (abs_exp < 10) out += '0';
    out += std::to_string(abs_exp);
    return out;
}

/// Python's repr() of an optional float: "None" when absent.
inline std::string py_optional_repr(const std::optional<double>& value) {
    return value ? py_float_repr(*value) : std::string("None");
}

}  // namespace httpx::detail
