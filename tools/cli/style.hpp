// The CLI's colours in one place: 16-colour SGR codes, which follow the terminal's own theme as
// rich's "ansi_dark" theme does for HTTPX's CLI. Without colours, every style is empty.
#pragma once

#include <fmt/color.h>

#include <string>
#include <string_view>

namespace httpxx_cli {

enum class Role {
    method,        // GET
    target,        // /path?query
    version,       // HTTP/1.1
    status,        // 200
    reason,        // OK
    header_name,   // content-type
    header_value,  // text/plain
    json_key,      // "name":
    json_string,   // "value"
    json_number,   // 1.5
    json_literal,  // true, false, null
    error_name,    // ConnectError
    progress,      // the progress bar
};

class Style {
public:
    explicit Style(bool colour) : colour_(colour) {}
    bool colour() const noexcept { return colour_; }
    /// `text` in the colour of `role`, or as it is without colours.
    std::string paint(Role role, std::string_view text) const;

private:
    bool colour_;
};

}  // namespace httpxx_cli
