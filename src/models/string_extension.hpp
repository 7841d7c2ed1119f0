// Reading an extension that holds a string (HTTPX's "target", "sni_hostname"): a C++ caller may
// have stored a std::string, a string literal (const char*) or a std::string_view.
#pragma once

#include "httpx/request.hpp"

#include <any>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>

namespace httpx::detail {

/// The string in `extensions[name]`; nullopt when there is none. Throws `std::invalid_argument`
/// when the entry holds something else (a mistake that would otherwise pass unnoticed).
inline std::optional<std::string> string_extension(const Extensions& extensions,
                                                   std::string_view name) {
    auto it = extensions.find(name);
    if (it == extensions.end()) return std::nullopt;
    if (auto* s = std::any_cast<std::string>(&it->second)) return *s;
    if (auto* s = std::any_cast<std::string_view>(&it->second)) return std::string(*s);
    if (auto* s = std::any_cast<const char*>(&it->second); s && *s) return std::string(*s);
    throw std::invalid_argument("The \"" + std::string(name) +
                                "\" extension must hold a string (std::string, std::string_view "
                                "or const char*).");
}

}  // namespace httpx::detail
