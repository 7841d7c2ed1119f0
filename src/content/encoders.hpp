// Request body encoders (HTTPX's httpx/_content.py): urlencoded forms and JSON. Multipart is in
// multipart.hpp.
#pragma once

#include <httpx/query_params.hpp>
#include <httpx/types.hpp>

#include <nlohmann/json.hpp>

#include <concepts>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace httpx {
class JsonOption;
}

namespace httpx::content {

inline constexpr std::string_view kFormContentType = "application/x-www-form-urlencoded";
inline constexpr std::string_view kJsonContentType = "application/json";

/// `a=1&b=x+y`: Python's `urlencode(pairs)`: every byte but `A-Za-z0-9_.-~` percent-encoded
/// (upper-case hex), spaces as '+'. Repeated keys stay repeated, in order.
Bytes encode_urlencoded_form(const std::vector<std::pair<std::string, PrimitiveValue>>& fields);

/// Compact JSON byte for byte as HTTPX 0.28 sends it (`json.dumps(value, ensure_ascii=False,
/// separators=(",", ":"), allow_nan=False)`): non-ASCII kept as UTF-8, `"`, `\` and control
/// characters escaped as Python does (`\n`, `\u001f`), floats as Python's repr() writes them
/// (`1.0`, `1e-05`, `1000000000000000.0`, `1e+16`; nlohmann's own dump differs from 1e15 on).
/// Throws `std::invalid_argument` for NaN or infinite numbers (HTTPX 0.28: "Out of range float
/// values are not JSON compliant"), for strings that are not UTF-8 and for binary values.
/// Object members come out in the order the json type keeps them (sorted for nlohmann::json,
/// insertion order for nlohmann::ordered_json).
Bytes encode_json(const nlohmann::json& value);
Bytes encode_ordered_json(const nlohmann::ordered_json& value);
/// The value of a `json=` option (request or response); "" when it has none.
Bytes encode_json_option(const JsonOption& option);

/// The same for `nlohmann::ordered_json` (a template only so that `encode_json({{"k", 1}})`
/// stays unambiguous and means `nlohmann::json`).
template <class Json>
requires std::same_as<Json, nlohmann::ordered_json> Bytes encode_json(const Json& value) {
    return encode_ordered_json(value);
}

}  // namespace httpx::content
