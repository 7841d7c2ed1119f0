#include "protocol/header_rules.hpp"

#include "protocol/http11_syntax.hpp"

namespace httpx::protocol {

bool is_token(std::string_view s) noexcept {
    if (s.empty()) return false;
    for (char c : s) {
        if (!syntax::is_tchar(c)) return false;
    }
    return true;
}

bool is_visible_ascii(std::string_view s) noexcept {
    if (s.empty()) return false;
    for (char c : s) {
        const auto u = static_cast<unsigned char>(c);
        if (u < 0x21 || u > 0x7E) return false;
    }
    return true;
}

bool is_valid_field_value(std::string_view s) noexcept {
    const char* end = s.data() + s.size();
    return syntax::find_non_field_byte(s.data(), end) == end;
}

std::string escaped(std::string_view s, std::size_t max) {
    static constexpr char hex[] = "0123456789abcdef";
    const auto shown = s.substr(0, max);
    std::string out;
    out.reserve(shown.size() + 5);
    out += '"';
    for (char c : shown) {
        const auto u = static_cast<unsigned char>(c);
        switch (c) {
            case '\r':
                out += "\\r";
                break;
            case '\n':
                out += "\\n";
                break;
            case '\t':
                out += "\\t";
                break;
            case '"':
                out += "\\\"";
                break;
            case '\\':
                out += "\\\\";
                break;
            default:
                if (u < 0x20 || u >= 0x7F) {
                    out += "\\x";
                    out += hex[u >> 4];
                    out += hex[u & 0xF];
                } else {
                    out += c;
                }
        }
    }
    out += shown.size() < s.size() ? "\"..." : "\"";
    return out;
}

}  // namespace httpx::protocol
