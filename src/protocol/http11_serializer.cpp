#include "protocol/http11_serializer.hpp"

#include "protocol/header_rules.hpp"

#include <httpx/exceptions.hpp>

#include <algorithm>
#include <charconv>
#include <cstdint>

namespace httpx::protocol {

namespace {

constexpr std::string_view crlf = "\r\n";
constexpr std::string_view version_suffix = " HTTP/1.1\r\n";

}  // namespace

void serialize_request_head(std::string_view method, std::string_view target,
                            const httpx::Headers& headers, std::string& out) {
    if (!is_token(method)) throw LocalProtocolError("Illegal method " + escaped(method));
    if (!is_visible_ascii(target)) throw LocalProtocolError("Illegal target " + escaped(target));

    // One pass validates and sizes, so that `out` grows once and stays untouched on error.
    std::size_t size = method.size() + 1 + target.size() + version_suffix.size() + crlf.size();
    for (const auto& [name, value] : headers) {
        if (!is_token(name)) throw LocalProtocolError("Illegal header name " + escaped(name));
        if (!is_valid_field_value(value)) {
            throw LocalProtocolError("Illegal header value for " + escaped(name) + ": " +
                                     escaped(value));
        }
        size += name.size() + 2 + value.size() + crlf.size();
    }

    // Written in place: one resize, then plain copies (an append() per piece was a call each,
    // for every field of every request).
    const std::size_t start = out.size();
    out.resize(start + size);
    char* p = out.data() + start;
    auto put = [&p](std::string_view piece) { p = std::copy(piece.begin(), piece.end(), p); };
    put(method);
    *p++ = ' ';
    put(target);
    put(version_suffix);
    for (const auto& [name, value] : headers) {
        put(name);
        *p++ = ':';
        *p++ = ' ';
        put(value);
        put(crlf);
    }
    put(crlf);
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
