#include "protocol/http11_syntax.hpp"

namespace httpx::protocol::syntax {

bool is_chunk_extension(std::string_view ext) noexcept {
    const std::size_t n = ext.size();
    std::size_t i = 0;
    auto skip_bws = [&] {
        while (i < n && is_ows(ext[i])) ++i;
    };
    auto skip_token = [&] {
        if (i == n || !is_tchar(ext[i])) return false;
        while (i < n && is_tchar(ext[i])) ++i;
        return true;
    };
    while (i < n) {
        skip_bws();
        if (i == n || ext[i] != ';') return false;  // trailing whitespace included
        ++i;
        skip_bws();
        if (!skip_token()) return false;  // the extension's name
        const auto after_name = i;
        skip_bws();
        if (i == n) return i == after_name;  // "; name " ends in whitespace: refused
        if (ext[i] == ';') continue;         // the next extension, without a value
        if (ext[i] != '=') return false;
        ++i;
        skip_bws();
        if (i == n) return false;
        if (ext[i] != '"') {
            if (!skip_token()) return false;
            continue;
        }
        // quoted-string = DQUOTE *( qdtext / quoted-pair ) DQUOTE, on this line.
        for (++i;; ++i) {
            if (i == n) return false;
            const char c = ext[i];
            if (c == '"') break;
            if (c == '\\' && ++i == n) return false;
            if (!is_field_byte(ext[i])) return false;
        }
        ++i;
    }
    return true;
}

}  // namespace httpx::protocol::syntax
