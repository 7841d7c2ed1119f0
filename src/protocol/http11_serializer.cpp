#include "protocol/http11_serializer.hpp"

#include <httpx/exceptions.hpp>

#include <array>
#include <charconv>
#include <cstdint>

namespace httpx::protocol {

namespace {

// tchar (RFC 9110 §5.6.2): what method and header name bytes may be.
constexpr std::array<bool, 256> make_token_table() {
    std::array<bool, 256> table{};
    for (int c = '0'; c <= '9'; ++c) table[c] = true;
    for (int c = 'a'; c <= 'z'; ++c) table[c] = true;
    for (int c = 'A'; c <= 'Z'; ++c) table[c] = true;
    for (char c : std::string_view("!#$%&'*+-.^_`|~")) table[static_cast<unsigned char>(c)] = true;
    return table;
}
constexpr auto token_table = make_token_table();

bool is_token(std::string_view s) noexcept {
    if (s.empty()) return false;
    for (char c : s) {
        if (!token_table[static_cast<unsigned char>(c)]) return false;
    }
    return true;
}

// h11's request-target: one or more VCHAR.
bool is_valid_target(std::string_view s) noexcept {
    if (s.empty()) return false;
    for (char c : s) {
        const auto u = static_cast<unsigned char>(c);
        if (u < 0x21 || u > 0x7E) return false;
    }
    return true;
}

// field-value: VCHAR, obs-text, SP and HTAB; every other control byte would let a value split
// the message (CR, LF) or be cut short by a peer (NUL).
bool is_valid_value(std::string_view s) noexcept {
    for (char c : s) {
        const auto u = static_cast<unsigned char>(c);
        if ((u < 0x20 && u != '\t') || u == 0x7F) return false;
    }
    return true;
}

// A printable rendering of untrusted bytes for error messages: "\r\n" shows as \r\n.
std::string escaped(std::string_view s) {
    static constexpr char hex[] = "0123456789abcdef";
    std::string out;
    out.reserve(s.size() + 2);
    out += '"';
    for (char c : s) {
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
                if (u < 0x20 || u == 0x7F) {
                    out += "\\x";
                    out += hex[u >> 4];
                    out += hex[u & 0xF];
                } else {
                    out += c;
                }
        }
    }
    out += '"';
    return out;
}

constexpr std::string_view crlf = "\r\n";
constexpr std::string_view version_suffix = " HTTP/1.1\r\n";

}  // namespace

void serialize_request_head(std::string_view method, std::string_view target,
                            const httpx::Headers& headers, std::string& out) {
    if (!is_token(method)) throw LocalProtocolError("Illegal method " + escaped(method));
    if (!is_valid_target(target)) throw LocalProtocolError("Illegal target " + escaped(target));

    // One pass validates and sizes, so that `out` grows once and stays untouched on error.
    std::size_t size = method.size() + 1 + target.size() + version_suffix.size() + crlf.size();
    for (const auto& [name, value] : headers) {
        if (!is_token(name)) throw LocalProtocolError("Illegal header name " + escaped(name));
        if (!is_valid_value(value)) {
            throw LocalProtocolError("Illegal header value for " + escaped(name) + ": " +
                                     escaped(value));
        }
        size += name.size() + 2 + value.size() + crlf.size();
    }

    out.reserve(out.size() + size);
    out.append(method).append(1, ' ').append(target).append(version_suffix);
    for (const auto& [name, value] : headers) {
        out.append(name).append(": ").append(value).append(crlf);
    }
    out.append(crlf);
}

void append_chunk(std::string_view data, std::string& out) {
    if (data.empty()) return;
    char size[16];  // 2^64 - 1 is 16 hex digits
    const auto end =
        std::to_chars(size, size + sizeof size, static_cast<std::uint64_t>(data.size()), 16).ptr;
    const auto digits = static_cast<std::size_t>(end - size);
    out.reserve(out.size() + digits + data.size() + 2 * crlf.size());
    out.append(size, digits).append(crlf).append(data).append(crlf);
}

std::string_view last_chunk() noexcept {
    return "0\r\n\r\n";
}

}  // namespace httpx::protocol
