// JSON bodies printed as HTTPX's CLI prints them: `json.dumps(response.json(), indent=4)`.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "style.hpp"

namespace httpxx_cli {

/// `text` parsed and dumped as Python's `json.dumps(value, indent=4)` does (keys in their
/// order, four spaces, non-ASCII as \uXXXX escapes); nullopt when it is not JSON.
std::optional<std::string> indent_json(std::string_view text);

/// Colours the tokens of JSON text as written by `indent_json` (keys, strings, numbers,
/// literals); returns it unchanged without colours.
std::string colour_json(const std::string& json, const Style& style);

}  // namespace httpxx_cli
