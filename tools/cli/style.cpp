#include "style.hpp"

#include <fmt/format.h>

namespace httpxx_cli {
namespace {

fmt::text_style style_of(Role role) {
    using fmt::terminal_color;
    switch (role) {
        case Role::method:
            return fmt::fg(terminal_color::green) | fmt::emphasis::bold;
        case Role::target:
            return fmt::fg(terminal_color::bright_cyan);
        case Role::version:
            return fmt::fg(terminal_color::blue);
        case Role::status:
            return fmt::fg(terminal_color::cyan) | fmt::emphasis::bold;
        case Role::reason:
            return fmt::fg(terminal_color::cyan);
        case Role::header_name:
            return fmt::fg(terminal_color::bright_blue);
        case Role::header_value:
            return {};
        case Role::json_key:
            return fmt::fg(terminal_color::bright_blue) | fmt::emphasis::bold;
        case Role::json_string:
            return fmt::fg(terminal_color::green);
        case Role::json_number:
            return fmt::fg(terminal_color::cyan);
        case Role::json_literal:
            return fmt::fg(terminal_color::magenta);
        case Role::error_name:
            return fmt::fg(terminal_color::red);
        case Role::progress:
            return fmt::fg(terminal_color::magenta);
    }
    return {};
}

}  // namespace

std::string Style::paint(Role role, std::string_view text) const {
    const fmt::text_style style = style_of(role);
    if (!colour_ || text.empty() || !(style.has_foreground() || style.has_emphasis())) {
        return std::string(text);
    }
    return fmt::format(style, "{}", text);
}

}  // namespace httpxx_cli
