// ASCII case folding for protocol names (schemes, host names, environment variable names),
// where the locale must not matter.
#pragma once

#include <string>
#include <string_view>

namespace httpx::detail {

/// `s` with A-Z lowered; every other byte as it is.
inline std::string ascii_lower(std::string_view s) {
    std::string out(s);
    for (char& c : out)
        if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    return out;
}

}  // namespace httpx::detail
