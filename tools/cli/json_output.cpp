#include "json_output.hpp"

#include <nlohmann/json.hpp>

namespace httpxx_cli {

std::optional<std::string> indent_json(std::string_view text) {
    try {
        // ordered_json keeps the keys in their order, as a Python dict; ensure_ascii as Python.
        return nlohmann::ordered_json::parse(text).dump(4, ' ', true);
    } catch (const nlohmann::json::exception&) {
        return std::nullopt;
    }
}

std::string colour_json(const std::string& json, const Style& style) {
    if (!style.colour()) return json;
    std::string out;
    std::size_t i = 0;
    while (i < json.size()) {
        const char c = json[i];
        if (c == '"') {
            std::size_t end = i + 1;
            while (end < json.size() && json[end] != '"') end += json[end] == '\\' ? 2 : 1;
            end = std::min(end + 1, json.size());
            // A string followed by ':' is a key.
            const bool key = end < json.size() && json[end] == ':';
            out += style.paint(key ? Role::json_key : Role::json_string,
                               std::string_view(json).substr(i, end - i));
            i = end;
        } else if (c == '-' || (c >= '0' && c <= '9')) {
            std::size_t end = i;
            while (end < json.size() &&
                   std::string_view("+-.eE0123456789").find(json[end]) != std::string_view::npos) {
                ++end;
            }
            out += style.paint(Role::json_number, std::string_view(json).substr(i, end - i));
            i = end;
        } else if (c == 't' || c == 'f' || c == 'n') {
            const std::size_t length = c == 'f' ? 5 : 4;
            out += style.paint(Role::json_literal, std::string_view(json).substr(i, length));
            i += length;
        } else {
            out += c;
            ++i;
        }
    }
    return out;
}

}  // namespace httpxx_cli
